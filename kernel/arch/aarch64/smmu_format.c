/*
 * SMMUv3 formats (arch/smmu.h): every field position the kernel uses, in
 * one file the host tests compile. Field names follow Arm IHI 0070.
 */
#include "arch/pte.h"
#include "arch/smmu.h"

#include <cairn/invocations.h>

/* Bits [hi:lo] of v, and v placed at [hi:lo]. */
#define FIELD_GET(v, hi, lo) (((v) >> (lo)) & ((1ULL << ((hi) - (lo) + 1)) - 1))
#define FIELD_PREP(v, hi, lo)                                                  \
	(((uint64_t)(v) & ((1ULL << ((hi) - (lo) + 1)) - 1)) << (lo))

/* SMMU_IDR0 */
#define IDR0_S2P	 (1U << 0)
#define IDR0_S1P	 (1U << 1)
#define IDR0_TTF_LO	 2 /* [3:2]: bit 0 AArch32, bit 1 AArch64 */
#define IDR0_COHACC	 (1U << 4)
#define IDR0_VMID16	 (1U << 18)
#define IDR0_TTENDIAN_LO 21 /* [22:21]: 0 mixed, 2 little, 3 big */
#define IDR0_ST_LEVEL_LO 27 /* [28:27]: 1 two-level */
/* SMMU_IDR1 */
#define IDR1_SIDSIZE_HI 5
#define IDR1_EVENTQS_LO 16 /* [20:16] */
#define IDR1_CMDQS_LO	21 /* [25:21] */
/* SMMU_IDR5 */
#define IDR5_OAS_HI  2
#define IDR5_GRAN4K  (1U << 4)
#define IDR5_GRAN16K (1U << 5)
#define IDR5_GRAN64K (1U << 6)

/* Stream table entry: dword 0 */
#define STE0_V		   (1ULL << 0)
#define STE0_CFG_LO	   1 /* [3:1] */
#define STE0_CFG_ABORT	   0
#define STE0_CFG_S2	   6 /* stage 1 bypass, stage 2 translate */
#define STE0_CFG_S1	   5 /* stage 1 translate, stage 2 bypass */
#define STE0_S1CTXPTR_MASK 0x000fffffffffffc0ULL /* [51:6]; S1Fmt, CDMax 0 */
/* dword 1 */
#define STE1_S1CIR_LO	    2  /* [3:2] CD fetch inner cacheability */
#define STE1_S1COR_LO	    4  /* [5:4] outer */
#define STE1_S1CSH_LO	    6  /* [7:6] shareability */
#define STE1_SHCFG_LO	    44 /* [45:44] */
#define STE1_SHCFG_INCOMING 1
#define CACHE_WBRA	    1
#define SH_INNER	    3
/* dword 2 */
#define STE2_S2VMID_HI 15
#define STE2_VTCR_LO   32 /* [50:32]: VTCR_EL2[18:0] */
#define STE2_VTCR_HI   50
#define STE2_S2AA64    (1ULL << 51)
#define STE2_S2R       (1ULL << 58) /* record faults */
/* dword 3 */
#define STE3_S2TTB_MASK 0x000ffffffffffff0ULL /* [51:4] */

/* VTCR_EL2's PS field, [18:16] */
#define VTCR_PS_LO 16
#define VTCR_PS_HI 18

/* Commands: dword 0 [7:0] is the opcode */
#define CMD_CFGI_STE	   0x03
#define CMD_CFGI_ALL	   0x04
#define CMD_TLBI_NH_ASID   0x11
#define CMD_TLBI_NH_VA	   0x12
#define CMD_TLBI_S12_VMALL 0x28
#define CMD_TLBI_S2_IPA	   0x2a
#define CMD_TLBI_NSNH_ALL  0x30
#define CMD_SYNC	   0x46
#define CMD0_SID_LO	   32 /* CFGI: [63:32] */
#define CMD0_VMID_LO	   32 /* TLBI: [47:32] */
#define CMD0_VMID_HI	   47
#define CMD1_LEAF	   (1ULL << 0)
#define CMD1_RANGE_ALL	   31			 /* CFGI_ALL: every SID */
#define CMD1_IPA_MASK	   0x000ffffffffff000ULL /* [51:12] */
#define CMD0_SYNC_CS_NONE  0  /* [13:12]: completion seen through CONS */
#define CMD0_ASID_LO	   48 /* TLBI_NH_*: [63:48] */
#define CMD1_VA_MASK	   0xfffffffffffff000ULL /* [63:12] */

/* Context descriptor: dword 0 (the TCR fields, then the rest) */
#define CD0_T0SZ_HI  5
#define CD0_TG0_LO   6 /* [7:6]: 0 is 4 KiB */
#define CD0_IRGN0_LO 8 /* [9:8]: 1 write-back write-allocate */
#define CD0_ORGN0_LO 10
#define CD0_SH0_LO   12 /* [13:12] */
#define CD0_EPD1     (1ULL << 30)
#define CD0_V	     (1ULL << 31)
#define CD0_IPS_LO   32 /* [34:32] */
#define CD0_AA64     (1ULL << 41)
#define CD0_R	     (1ULL << 45) /* record faults */
#define CD0_A	     (1ULL << 46) /* abort on a fault (no RAZ/WI) */
#define CD0_ASET     (1ULL << 47) /* ASID not shared with the PEs */
#define CD0_ASID_LO  48
/* dword 1 */
#define CD1_TTB0_MASK 0x000ffffffffffff0ULL /* [51:4] */
/* dword 3: MAIR. Index 0 Normal write-back, 1 Device-nGnRE. */
#define S1_ATTR_NORMAL 0
#define S1_ATTR_DEVICE 1
#define CD3_MAIR       0x04ffULL

/* Stage-1 descriptor fields (the common ones: arch/pte.h) */
#define S1_ATTRIDX_LO 2		   /* [4:2] */
#define S1_AP_EL0     (1ULL << 6)  /* AP[1]: unprivileged access too */
#define S1_AP_RO      (1ULL << 7)  /* AP[2]: read-only */
#define S1_NG	      (1ULL << 11) /* not global: tagged by the ASID */
#define S1_PXN	      (1ULL << 53)

/* Event records */
#define EVT0_ID_HI    7
#define EVT0_SID_LO   32
#define EVT1_PNU      (1ULL << 33)
#define EVT1_IND      (1ULL << 34)
#define EVT1_RNW      (1ULL << 35)
#define EVT1_S2	      (1ULL << 39)
#define EVT1_CLASS_LO 40 /* [41:40] */
#define EVT3_IPA_MASK 0x000ffffffffff000ULL

static unsigned oas_bits(unsigned field)
{
	static const unsigned bits[] = {32, 36, 40, 42, 44, 48, 52};

	return field < sizeof(bits) / sizeof(bits[0]) ? bits[field] : 52;
}

void smmu_decode_features(uint32_t idr0, uint32_t idr1, uint32_t idr5,
			  struct smmu_features *f)
{
	unsigned ttf = (unsigned)FIELD_GET(idr0, IDR0_TTF_LO + 1, IDR0_TTF_LO);

	*f = (struct smmu_features){
	    .stage1 = (idr0 & IDR0_S1P) != 0,
	    .stage2 = (idr0 & IDR0_S2P) != 0,
	    .aarch64 = (ttf & 2) != 0,
	    .aarch32 = (ttf & 1) != 0,
	    .coherent = (idr0 & IDR0_COHACC) != 0,
	    .big_endian =
		FIELD_GET(idr0, IDR0_TTENDIAN_LO + 1, IDR0_TTENDIAN_LO) == 3,
	    .vmid16 = (idr0 & IDR0_VMID16) != 0,
	    .two_level =
		FIELD_GET(idr0, IDR0_ST_LEVEL_LO + 1, IDR0_ST_LEVEL_LO) == 1,
	    .gran4k = (idr5 & IDR5_GRAN4K) != 0,
	    .gran16k = (idr5 & IDR5_GRAN16K) != 0,
	    .gran64k = (idr5 & IDR5_GRAN64K) != 0,
	    .sid_bits = (unsigned)FIELD_GET(idr1, IDR1_SIDSIZE_HI, 0),
	    .cmdq_bits =
		(unsigned)FIELD_GET(idr1, IDR1_CMDQS_LO + 4, IDR1_CMDQS_LO),
	    .eventq_bits =
		(unsigned)FIELD_GET(idr1, IDR1_EVENTQS_LO + 4, IDR1_EVENTQS_LO),
	    .oas_field = (unsigned)FIELD_GET(idr5, IDR5_OAS_HI, 0),
	};
	f->oas_bits = oas_bits(f->oas_field);
	/* The input size follows the output size, and is at least 40 bits
	 * where AArch32 (LPAE) tables are walked. */
	f->ias_bits = f->oas_bits;
	if (f->aarch32 && f->ias_bits < 40) {
		f->ias_bits = 40;
	}
}

const char *smmu_share_refusal(const struct smmu_features *f, bool dt_coherent,
			       unsigned ipa_bits, uint64_t ram_top)
{
	if (!f->stage2) {
		return "no stage 2";
	}
	if (!f->aarch64) {
		return "no AArch64 tables";
	}
	if (!f->gran4k) {
		return "no 4 KiB granule";
	}
	if (f->big_endian) {
		return "big-endian tables only";
	}
	if (f->ias_bits < ipa_bits) {
		return "input address size below Cairn's IPA size";
	}
	if (ram_top > (1ULL << f->oas_bits)) {
		return "output address size below the top of RAM";
	}
	if (!f->coherent || !dt_coherent) {
		/* CPU table writes sit in caches a non-coherent walk misses. */
		return "table walks not coherent";
	}
	return NULL;
}

enum smmu_io_format smmu_io_format(const struct smmu_features *f,
				   bool dt_coherent, unsigned ipa_bits,
				   uint64_t ram_top)
{
	if (smmu_share_refusal(f, dt_coherent, ipa_bits, ram_top) == NULL) {
		return SMMU_IO_S2;
	}
	/* Stage 1 takes a VA of up to 48 bits: any IOVA fits. */
	if (f->stage1 && f->aarch64 && f->gran4k && !f->big_endian &&
	    ram_top <= (1ULL << f->oas_bits) && f->coherent && dt_coherent) {
		return SMMU_IO_S1;
	}
	return SMMU_IO_NONE;
}

static void zero(uint64_t *w, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		w[i] = 0;
	}
}

void smmu_ste_abort(uint64_t ste[SMMU_STE_WORDS])
{
	zero(ste, SMMU_STE_WORDS);
	/* Valid and aborting: a transaction is terminated, and no event is
	 * recorded for it (an invalid STE would record one per access). */
	ste[0] = STE0_V | FIELD_PREP(STE0_CFG_ABORT, 3, STE0_CFG_LO);
}

void smmu_ste_s2(uint64_t ste[SMMU_STE_WORDS], paddr_t root, vmid_t vmid,
		 uint64_t vtcr, unsigned ps_max)
{
	uint64_t ps = FIELD_GET(vtcr, VTCR_PS_HI, VTCR_PS_LO);

	if (ps > ps_max) {
		ps = ps_max;
	}
	vtcr &= ~FIELD_PREP(7, VTCR_PS_HI, VTCR_PS_LO);
	vtcr |= FIELD_PREP(ps, VTCR_PS_HI, VTCR_PS_LO);
	zero(ste, SMMU_STE_WORDS);
	ste[0] = STE0_V | FIELD_PREP(STE0_CFG_S2, 3, STE0_CFG_LO);
	ste[1] =
	    FIELD_PREP(STE1_SHCFG_INCOMING, STE1_SHCFG_LO + 1, STE1_SHCFG_LO);
	ste[2] = FIELD_PREP(vmid_value(vmid), STE2_S2VMID_HI, 0) |
		 FIELD_PREP(vtcr, STE2_VTCR_HI, STE2_VTCR_LO) | STE2_S2AA64 |
		 STE2_S2R;
	ste[3] = pa_addr(root) & STE3_S2TTB_MASK;
}

void smmu_ste_s1(uint64_t ste[SMMU_STE_WORDS], paddr_t cd)
{
	zero(ste, SMMU_STE_WORDS);
	ste[0] = STE0_V | FIELD_PREP(STE0_CFG_S1, 3, STE0_CFG_LO) |
		 (pa_addr(cd) & STE0_S1CTXPTR_MASK);
	/* S1DSS 0, S1STALLD 0, EATS 0, STRW 0 (non-secure EL1) */
	ste[1] =
	    FIELD_PREP(CACHE_WBRA, STE1_S1CIR_LO + 1, STE1_S1CIR_LO) |
	    FIELD_PREP(CACHE_WBRA, STE1_S1COR_LO + 1, STE1_S1COR_LO) |
	    FIELD_PREP(SH_INNER, STE1_S1CSH_LO + 1, STE1_S1CSH_LO) |
	    FIELD_PREP(STE1_SHCFG_INCOMING, STE1_SHCFG_LO + 1, STE1_SHCFG_LO);
}

void smmu_cd(uint64_t cd[SMMU_CD_WORDS], paddr_t root, uint16_t asid,
	     unsigned ipa_bits, unsigned ips)
{
	zero(cd, SMMU_CD_WORDS);
	cd[0] = FIELD_PREP(64 - ipa_bits, CD0_T0SZ_HI, 0) |
		FIELD_PREP(0, CD0_TG0_LO + 1, CD0_TG0_LO) |
		FIELD_PREP(CACHE_WBRA, CD0_IRGN0_LO + 1, CD0_IRGN0_LO) |
		FIELD_PREP(CACHE_WBRA, CD0_ORGN0_LO + 1, CD0_ORGN0_LO) |
		FIELD_PREP(SH_INNER, CD0_SH0_LO + 1, CD0_SH0_LO) | CD0_EPD1 |
		CD0_V | FIELD_PREP(ips, CD0_IPS_LO + 2, CD0_IPS_LO) | CD0_AA64 |
		CD0_R | CD0_A | CD0_ASET | FIELD_PREP(asid, 63, CD0_ASID_LO);
	cd[1] = pa_addr(root) & CD1_TTB0_MASK;
	cd[3] = CD3_MAIR;
}

uint64_t smmu_s1_pte(paddr_t pa, int level, bool write, bool device)
{
	uint64_t v = (pa_addr(pa) & PTE_ADDR) | PTE_VALID | PTE_AF | S1_NG |
		     S1_AP_EL0 | PTE_XN | S1_PXN;

	v |= level == PTE_LEVEL_LAST ? PTE_TABLE : 0; /* a page, not a block */
	v |= write ? 0 : S1_AP_RO;
	v |=
	    device
		? FIELD_PREP(S1_ATTR_DEVICE, S1_ATTRIDX_LO + 2, S1_ATTRIDX_LO)
		: FIELD_PREP(S1_ATTR_NORMAL, S1_ATTRIDX_LO + 2, S1_ATTRIDX_LO) |
		      PTE_SH_INNER;
	return v;
}

bool smmu_ste_is_abort(const uint64_t ste[SMMU_STE_WORDS])
{
	return (ste[0] & STE0_V) != 0 &&
	       FIELD_GET(ste[0], STE0_CFG_LO + 2, STE0_CFG_LO) ==
		   STE0_CFG_ABORT;
}

static void cmd(uint64_t c[SMMU_CMD_WORDS], unsigned op, uint64_t w0,
		uint64_t w1)
{
	c[0] = op | w0;
	c[1] = w1;
}

void smmu_cmd_sync(uint64_t c[SMMU_CMD_WORDS])
{
	cmd(c, CMD_SYNC, FIELD_PREP(CMD0_SYNC_CS_NONE, 13, 12), 0);
}

void smmu_cmd_cfgi_ste(uint64_t c[SMMU_CMD_WORDS], uint32_t sid)
{
	cmd(c, CMD_CFGI_STE, (uint64_t)sid << CMD0_SID_LO, CMD1_LEAF);
}

void smmu_cmd_cfgi_all(uint64_t c[SMMU_CMD_WORDS])
{
	cmd(c, CMD_CFGI_ALL, 0, CMD1_RANGE_ALL);
}

void smmu_cmd_tlbi_nsnh_all(uint64_t c[SMMU_CMD_WORDS])
{
	cmd(c, CMD_TLBI_NSNH_ALL, 0, 0);
}

void smmu_cmd_tlbi_s12_vmall(uint64_t c[SMMU_CMD_WORDS], vmid_t vmid)
{
	cmd(c, CMD_TLBI_S12_VMALL,
	    FIELD_PREP(vmid_value(vmid), CMD0_VMID_HI, CMD0_VMID_LO), 0);
}

void smmu_cmd_tlbi_s2_ipa(uint64_t c[SMMU_CMD_WORDS], vmid_t vmid, ipaddr_t ipa)
{
	/* Leaf only: the tables above it stay, and so may their caching. */
	cmd(c, CMD_TLBI_S2_IPA,
	    FIELD_PREP(vmid_value(vmid), CMD0_VMID_HI, CMD0_VMID_LO),
	    (ipa_addr(ipa) & CMD1_IPA_MASK) | CMD1_LEAF);
}

void smmu_cmd_tlbi_nh_va(uint64_t c[SMMU_CMD_WORDS], uint16_t asid, uint64_t va)
{
	/* Leaf only, as TLBI_S2_IPA; VMID 0: stage 2 is not in the tags. */
	cmd(c, CMD_TLBI_NH_VA, FIELD_PREP(asid, 63, CMD0_ASID_LO),
	    (va & CMD1_VA_MASK) | CMD1_LEAF);
}

void smmu_cmd_tlbi_nh_asid(uint64_t c[SMMU_CMD_WORDS], uint16_t asid)
{
	cmd(c, CMD_TLBI_NH_ASID, FIELD_PREP(asid, 63, CMD0_ASID_LO), 0);
}

unsigned smmu_cmd_opcode(const uint64_t c[SMMU_CMD_WORDS])
{
	return (unsigned)(c[0] & 0xff);
}

void smmu_event_decode(const uint64_t ev[SMMU_EVENT_WORDS],
		       struct smmu_event *out)
{
	*out = (struct smmu_event){
	    .id = (unsigned)FIELD_GET(ev[0], EVT0_ID_HI, 0),
	    .sid = (uint32_t)(ev[0] >> EVT0_SID_LO),
	    .read = (ev[1] & EVT1_RNW) != 0,
	    .stage2 = (ev[1] & EVT1_S2) != 0,
	    .instruction = (ev[1] & EVT1_IND) != 0,
	    .privileged = (ev[1] & EVT1_PNU) != 0,
	    .class =
		(unsigned)FIELD_GET(ev[1], EVT1_CLASS_LO + 1, EVT1_CLASS_LO),
	};
	/* The address fields mean something for the faults of a walk only;
	 * the others reuse the words (a fetch address, nothing). */
	if (out->id >= CAIRN_SMMU_EVT_TRANSLATION &&
	    out->id <= CAIRN_SMMU_EVT_PERMISSION) {
		out->addr = ev[2];
		out->ipa = ev[3] & EVT3_IPA_MASK;
	} else if (out->id == CAIRN_SMMU_EVT_UNSUPPORTED_UPSTREAM ||
		   out->id == CAIRN_SMMU_EVT_TRANSLATION_FORBIDDEN ||
		   out->id == CAIRN_SMMU_EVT_WALK_ABORT) {
		out->addr = ev[2];
	}
}

const char *smmu_event_name(unsigned id)
{
	switch (id) {
	case CAIRN_SMMU_EVT_UNSUPPORTED_UPSTREAM:
		return "unsupported upstream transaction";
	case CAIRN_SMMU_EVT_BAD_STREAMID:
		return "StreamID out of range";
	case CAIRN_SMMU_EVT_STE_FETCH:
		return "STE fetch abort";
	case CAIRN_SMMU_EVT_BAD_STE:
		return "bad STE";
	case CAIRN_SMMU_EVT_STREAM_DISABLED:
		return "stream disabled";
	case CAIRN_SMMU_EVT_TRANSLATION_FORBIDDEN:
		return "translation forbidden";
	case CAIRN_SMMU_EVT_WALK_ABORT:
		return "table walk abort";
	case CAIRN_SMMU_EVT_TRANSLATION:
		return "translation fault";
	case CAIRN_SMMU_EVT_ADDRESS_SIZE:
		return "address size fault";
	case CAIRN_SMMU_EVT_ACCESS:
		return "access flag fault";
	case CAIRN_SMMU_EVT_PERMISSION:
		return "permission fault";
	default:
		return "event";
	}
}

void smmu_event_to_fault(const struct smmu_event *ev, uint64_t out[3])
{
	out[0] = (ev->id & 0xff) | (ev->read ? CAIRN_STREAM_FAULT_READ : 0) |
		 (ev->stage2 ? CAIRN_STREAM_FAULT_STAGE2 : 0) |
		 (ev->instruction ? CAIRN_STREAM_FAULT_INSTRUCTION : 0) |
		 (ev->privileged ? CAIRN_STREAM_FAULT_PRIVILEGED : 0) |
		 ((uint64_t)(ev->class & 3) << 12);
	out[1] = ev->addr;
	out[2] = ev->ipa;
}

static uint32_t q_mask(unsigned bits)
{
	return (2U << bits) - 1; /* index and wrap bit */
}

bool smmu_q_empty(uint32_t prod, uint32_t cons, unsigned bits)
{
	return (prod & q_mask(bits)) == (cons & q_mask(bits));
}

bool smmu_q_full(uint32_t prod, uint32_t cons, unsigned bits)
{
	return smmu_q_index(prod, bits) == smmu_q_index(cons, bits) &&
	       ((prod ^ cons) & (1U << bits)) != 0;
}

uint32_t smmu_q_next(uint32_t p, unsigned bits)
{
	return ((p & q_mask(bits)) + 1) & q_mask(bits);
}

uint32_t smmu_q_index(uint32_t p, unsigned bits)
{
	return p & ((1U << bits) - 1);
}
