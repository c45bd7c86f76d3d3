/*
 * Cairn ABI: what the kernel hands the root task. The root task starts at
 * its ELF entry with x0 = the address of this structure (a read-only frame),
 * its stack below CAIRN_ROOT_STACK_TOP, and the capabilities below in its
 * root CNode, whose guard makes every cptr a plain slot number.
 */
#pragma once

#define CAIRN_BOOTINFO_MAGIC   0x3149424e52494143UL /* "CAIRNBI1" */
#define CAIRN_BOOTINFO_MAX_UT  128
#define CAIRN_ROOT_STACK_TOP   0x10000000UL
#define CAIRN_ROOT_STACK_SIZE  0x10000UL
#define CAIRN_ROOT_IPC_BUFFER  0x10000000UL
#define CAIRN_ROOT_BOOTINFO    0x10001000UL
#define CAIRN_ROOT_CNODE_RADIX 14
/* Boot modules (the spec, component ELFs) are mapped read-only from here. */
#define CAIRN_ROOT_MODULES 0x4000000000UL /* 256 GiB */

/* Fixed slots of the root CNode. */
enum cairn_root_slot {
	CAIRN_SLOT_NULL = 0,
	CAIRN_SLOT_TCB = 1,
	CAIRN_SLOT_CNODE = 2,
	CAIRN_SLOT_VSPACE = 3,
	CAIRN_SLOT_IPC_BUFFER = 4,
	CAIRN_SLOT_BOOTINFO = 5,
	CAIRN_SLOT_IRQ_CONTROL = 6,
	CAIRN_SLOT_SID_CONTROL = 7, /* the SMMU's StreamIDs */
	CAIRN_SLOT_AUDIT_CONTROL = 8,
	CAIRN_SLOT_POWER_CONTROL = 9,
	CAIRN_SLOT_FIRST_IMAGE = 16, /* frames of the root task's own pages,
					then the Untyped caps */
};

/* BootInfo flags, which the root task passes on to every component (x0 at
 * its entry, libcairn's cairn_start_flags). */
#define CAIRN_BOOT_COLOUR 0x1UL /* "colour": the terminal shows ANSI colour */

#define CAIRN_BOOTINFO_MAX_IMAGE   64
#define CAIRN_BOOTINFO_MAX_MODULES 24
#define CAIRN_MODULE_NAME_LEN	   32
#define CAIRN_BOOTINFO_CMDLINE_LEN 256

/* A boot module as the root task sees it: its bytes at ipa, read-only. */
struct cairn_boot_module {
	char name[CAIRN_MODULE_NAME_LEN]; /* NUL-terminated */
	unsigned long ipa;
	unsigned long size;
};

struct cairn_untyped_desc {
	unsigned long paddr;
	unsigned char size_bits;
	unsigned char device; /* 1: MMIO, retypes only into Frames/Untyped */
	unsigned char pad[6];
};

struct cairn_bootinfo {
	unsigned long magic;
	unsigned long cnode_radix;
	unsigned long
	    image_first; /* slot of the frame mapped at image_ipa[0] */
	unsigned long image_count;
	unsigned long image_ipa[CAIRN_BOOTINFO_MAX_IMAGE];
	unsigned long untyped_first; /* slot of untyped[0] */
	unsigned long untyped_count;
	unsigned long free_first; /* first empty slot */
	unsigned long free_end;	  /* one past the last empty slot */
	unsigned long ram_bytes;  /* RAM in the untyped list */
	unsigned long device_bytes;
	struct cairn_untyped_desc untyped[CAIRN_BOOTINFO_MAX_UT];
	unsigned long uart_paddr; /* the PL011 (a page of device Untyped) */
	unsigned long uart_intid; /* its interrupt; 0: none */
	unsigned long flags;	  /* CAIRN_BOOT_*, from the command line */
	unsigned long module_count;
	struct cairn_boot_module module[CAIRN_BOOTINFO_MAX_MODULES];
	/* The kernel command line (/chosen/bootargs), NUL-terminated, cut to
	 * fit: for test programs that take parameters (tests/fuzz). */
	char cmdline[CAIRN_BOOTINFO_CMDLINE_LEN];
};
