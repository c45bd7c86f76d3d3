/*
 * SMMUv3 data formats (Arm IHI 0070): the ID registers, stream table
 * entries, commands, event records and queue pointers, as pure functions of
 * their fields. smmu_format.c implements them and the host unit tests check
 * them (tests/unit/test_smmu.c); smmu.c is the device that uses them.
 *
 * A stream bound to a VSpace walks its stage-2 tables as the CPU does
 * (share-pt). A stream bound to an IOSpace (sync-pt) walks the IOSpace's
 * tables: stage-2 ones where the SMMU's stage 2 can walk them, else
 * stage-1 ones through one context descriptor (CD) per IOSpace.
 */
#pragma once

#include "addr.h"

#include <stdbool.h>
#include <stdint.h>

#define SMMU_STE_WORDS	 8 /* 64 bytes */
#define SMMU_CD_WORDS	 8 /* 64 bytes */
#define SMMU_CMD_WORDS	 2 /* 16 bytes */
#define SMMU_EVENT_WORDS 4 /* 32 bytes */

/* What the ID registers say this SMMU can do. */
struct smmu_features {
	bool stage1, stage2;
	bool aarch64;	 /* IDR0.TTF: AArch64 tables */
	bool aarch32;	 /* IDR0.TTF: AArch32 (LPAE) tables */
	bool coherent;	 /* IDR0.COHACC: table walks and queues coherent */
	bool big_endian; /* IDR0.TTENDIAN: big-endian tables only */
	bool vmid16;	 /* IDR0.VMID16 */
	bool two_level;	 /* IDR0.ST_LEVEL: 2-level stream tables */
	bool gran4k, gran16k, gran64k;	 /* IDR5 */
	unsigned sid_bits;		 /* IDR1.SIDSIZE */
	unsigned cmdq_bits, eventq_bits; /* log2 of the largest queues */
	unsigned oas_field;		 /* IDR5.OAS, the PS encoding */
	unsigned oas_bits, ias_bits;
};

void smmu_decode_features(uint32_t idr0, uint32_t idr1, uint32_t idr5,
			  struct smmu_features *f);

/*
 * Can this SMMU's stage 2 walk the CPU's stage-2 tables as they are (4 KiB
 * granule, ipa_bits of IPA from level 1, little-endian, cached coherently,
 * leaves anywhere in RAM below ram_top)? NULL if so, else why not, in a few
 * words. dt_coherent: the DTB marks it dma-coherent.
 */
const char *smmu_share_refusal(const struct smmu_features *f, bool dt_coherent,
			       unsigned ipa_bits, uint64_t ram_top);

/* Stream table entries. */
void smmu_ste_abort(uint64_t ste[SMMU_STE_WORDS]);
/* Stage 2 only, through the tables at root tagged vmid; vtcr is VTCR_EL2's
 * value (its low 19 bits are the STE's VTCR field), its PS field clamped to
 * ps_max, the SMMU's OAS. Faults are recorded (S2R), never stalled. */
void smmu_ste_s2(uint64_t ste[SMMU_STE_WORDS], paddr_t root, vmid_t vmid,
		 uint64_t vtcr, unsigned ps_max);
bool smmu_ste_is_abort(const uint64_t ste[SMMU_STE_WORDS]);
/* Stage 1 only (stage 2 bypassed), through the one CD at cd (S1CDMax 0,
 * a linear "table" of one), walks and CD fetches write-back inner
 * shareable, non-secure EL1 stream world (tags: the CD's ASID). */
void smmu_ste_s1(uint64_t ste[SMMU_STE_WORDS], paddr_t cd);

/*
 * How IOSpaces' tables are walked: by stage 2 (the share-pt conditions:
 * smmu_share_refusal is NULL), else by stage 1 (AArch64 tables, 4 KiB,
 * little-endian, coherent, an output size covering RAM), else not at all.
 */
enum smmu_io_format { SMMU_IO_NONE, SMMU_IO_S2, SMMU_IO_S1 };
enum smmu_io_format smmu_io_format(const struct smmu_features *f,
				   bool dt_coherent, unsigned ipa_bits,
				   uint64_t ram_top);

/*
 * A context descriptor for an IOSpace in stage-1 format: TTB0 its root,
 * T0SZ for ipa_bits of IOVA (walks start at level 1 as at stage 2), 4 KiB
 * granule, write-back inner-shareable walks, TTB1 disabled (EPD1),
 * AArch64, IPS the SMMU's OAS (ips: its PS encoding), faults recorded (R)
 * and aborting (A, no stall), the ASID private to the SMMU (ASET), and
 * MAIR with the attribute indexes smmu_s1_pte uses.
 */
void smmu_cd(uint64_t cd[SMMU_CD_WORDS], paddr_t root, uint16_t asid,
	     unsigned ipa_bits, unsigned ips);
/*
 * A stage-1 leaf (a page at level 3, a block above): pa, readable, and
 * writable if `write` (stage 1 has no write-only), accessed (AF), not
 * global (nG: tagged by the ASID), never executable (UXN, PXN),
 * accessible unprivileged too (AP[1]); Normal write-back inner-shareable
 * memory, or Device-nGnRE.
 */
uint64_t smmu_s1_pte(paddr_t pa, int level, bool write, bool device);

/* Commands. */
void smmu_cmd_sync(uint64_t cmd[SMMU_CMD_WORDS]); /* completion: CONS */
void smmu_cmd_cfgi_ste(uint64_t cmd[SMMU_CMD_WORDS], uint32_t sid);
void smmu_cmd_cfgi_all(uint64_t cmd[SMMU_CMD_WORDS]);
void smmu_cmd_tlbi_nsnh_all(uint64_t cmd[SMMU_CMD_WORDS]);
void smmu_cmd_tlbi_s12_vmall(uint64_t cmd[SMMU_CMD_WORDS], vmid_t vmid);
void smmu_cmd_tlbi_s2_ipa(uint64_t cmd[SMMU_CMD_WORDS], vmid_t vmid,
			  ipaddr_t ipa);
/* Stage-1 TLB entries of one ASID: a leaf at va, or all. */
void smmu_cmd_tlbi_nh_va(uint64_t cmd[SMMU_CMD_WORDS], uint16_t asid,
			 uint64_t va);
void smmu_cmd_tlbi_nh_asid(uint64_t cmd[SMMU_CMD_WORDS], uint16_t asid);
unsigned smmu_cmd_opcode(const uint64_t cmd[SMMU_CMD_WORDS]);

/* Event records. */
struct smmu_event {
	unsigned id; /* SMMU_EVT_* (cairn/invocations.h: CAIRN_SMMU_EVT_*) */
	uint32_t sid;
	bool read;	  /* RnW */
	bool stage2;	  /* S2: the fault arose at stage 2 */
	bool instruction; /* InD */
	bool privileged;  /* PnU */
	unsigned class;	  /* CLASS: what was being accessed */
	uint64_t addr;	  /* the transaction's input address */
	uint64_t ipa;	  /* the IPA, for a stage-1 walk's stage-2 fault */
};
void smmu_event_decode(const uint64_t ev[SMMU_EVENT_WORDS],
		       struct smmu_event *out);
/* A name for an event id ("translation fault"), "event" if unknown. */
const char *smmu_event_name(unsigned id);
/* The record StreamID.GetFaults hands user level (CAIRN_STREAM_FAULT_*). */
void smmu_event_to_fault(const struct smmu_event *ev, uint64_t out[3]);

/*
 * Queue pointers (PROD and CONS registers): an index below 2^bits, the wrap
 * bit at bit `bits`, flags above (CMDQ_CONS.ERR, EVTQ overflow) ignored.
 */
bool smmu_q_empty(uint32_t prod, uint32_t cons, unsigned bits);
bool smmu_q_full(uint32_t prod, uint32_t cons, unsigned bits);
uint32_t smmu_q_next(uint32_t p, unsigned bits); /* flags dropped */
uint32_t smmu_q_index(uint32_t p, unsigned bits);
