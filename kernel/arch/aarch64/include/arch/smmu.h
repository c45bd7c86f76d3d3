/*
 * SMMUv3 data formats (Arm IHI 0070): the ID registers, stream table
 * entries, commands, event records and queue pointers, as pure functions of
 * their fields. smmu_format.c implements them and the host unit tests check
 * them (tests/unit/test_smmu.c); smmu.c is the device that uses them.
 *
 * Cairn uses stage 2 only, the way the CPU does: a bound stream's STE points
 * at a VSpace's own root table with its VMID (share-pt), so no context
 * descriptors exist yet.
 */
#pragma once

#include "addr.h"

#include <stdbool.h>
#include <stdint.h>

#define SMMU_STE_WORDS	 8 /* 64 bytes */
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

/* Commands. */
void smmu_cmd_sync(uint64_t cmd[SMMU_CMD_WORDS]); /* completion: CONS */
void smmu_cmd_cfgi_ste(uint64_t cmd[SMMU_CMD_WORDS], uint32_t sid);
void smmu_cmd_cfgi_all(uint64_t cmd[SMMU_CMD_WORDS]);
void smmu_cmd_tlbi_nsnh_all(uint64_t cmd[SMMU_CMD_WORDS]);
void smmu_cmd_tlbi_s12_vmall(uint64_t cmd[SMMU_CMD_WORDS], vmid_t vmid);
void smmu_cmd_tlbi_s2_ipa(uint64_t cmd[SMMU_CMD_WORDS], vmid_t vmid,
			  ipaddr_t ipa);
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
