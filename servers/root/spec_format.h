/*
 * The system spec as packed into the image (boot module "spec") by
 * tools/lib/cairn/specblob.py, which mirrors this layout: change both
 * together. Little-endian; every record is naturally aligned. After the
 * header come, in order: objects, caps, fills, threads, module names
 * (uint32 string offsets: programs and the expected audit set that fills
 * copy from), then the string table. Indices are into those
 * arrays; names are offsets into the string table.
 */
#pragma once

#include <stdint.h>

#define SPEC_MAGIC   "CAIRNSPC"
#define SPEC_VERSION 2
#define SPEC_NONE    0xffffffffU

/* spec_cap.object values above the object range: kernel capabilities. */
#define SPEC_KERNEL_AUDIT	0xfffffff0U /* AuditControl */
#define SPEC_KERNEL_POWER	0xfffffff1U /* PowerControl */
#define SPEC_KERNEL_UART_FRAME	0xfffffff2U /* the PL011's device frame */
#define SPEC_KERNEL_UART_IRQ	0xfffffff3U /* the PL011's IRQHandler */
#define SPEC_KERNEL_SID_CONTROL 0xfffffff4U /* SIDControl */
#define SPEC_KERNEL_ECAM	0xfffffff5U /* the ECAM's first 2 MiB */
/* SPEC_KERNEL_BAR + k (k < SPEC_BARS_MAX): the k-th 2 MiB device frame of
 * the PCIe host bridge's 32-bit window, for a device's BARs. */
#define SPEC_KERNEL_BAR 0xffffff00U
#define SPEC_BARS_MAX	64U

struct spec_header {
	char magic[8];
	uint32_t version;
	uint32_t object_count;
	uint32_t cap_count;
	uint32_t fill_count;
	uint32_t thread_count;
	uint32_t program_count;
	uint32_t strings_size;
	uint32_t pad;
};

/* Retyped from Untyped in array order (largest first). */
struct spec_object {
	uint32_t type;	    /* CAIRN_OBJ_* */
	uint32_t size_bits; /* a CNode's radix; 0 otherwise */
	uint32_t name;
	uint32_t pad;
};

/*
 * Placed in array order: minted from the object's cap (or the kernel cap)
 * with rights and badge, mapped into vspace at ipa if vspace is not
 * SPEC_NONE (a frame or page table), then moved to slot of holder's CNode.
 */
struct spec_cap {
	uint32_t holder; /* the CNode object */
	uint32_t slot;
	uint32_t object;
	uint32_t rights;
	uint64_t badge;
	uint32_t vspace;
	uint32_t pad;
	uint64_t ipa;
};

/* Program bytes copied into a frame before any mapping. */
struct spec_fill {
	uint32_t frame;
	uint32_t program;
	uint64_t file_offset;
	uint32_t frame_offset;
	uint32_t length;
};

struct spec_thread {
	uint32_t tcb;
	uint32_t cnode; /* its CSpace root, guarded to cptr = slot */
	uint32_t vspace;
	uint32_t ipc_frame;
	uint64_t ipc_ipa;
	uint64_t entry;
	uint64_t stack_top;
	uint32_t priority;
	uint32_t name;
	uint32_t vcpu;	   /* a VCPU object to bind, or SPEC_NONE */
	uint32_t flags;	   /* SPEC_THREAD_* */
	uint64_t fault_ep; /* a cptr in its CSpace, 0: none */
};

/* Started by the root task at entry (a component). A vCPU thread is not:
 * its VMM starts it (ipc_frame is then SPEC_NONE: a guest has none). */
#define SPEC_THREAD_START 1U
