/* SMMUv3 formats on the host (arch/smmu.h): the ID registers as QEMU 10's
 * model sets them, when stage-2 tables can be shared, stream table
 * entries, commands, event records and queue pointers, field by field. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "arch/smmu.h"

#include <cairn/invocations.h>

/* QEMU 10 virt, arm-smmuv3.stage=nested: S1P, S2P, AArch64 tables,
 * COHACC, ASID16, VMID16, little-endian, no stall, TERM_MODEL, 2-level. */
#define QEMU_IDR0                                                              \
	((1U << 0) | (1U << 1) | (2U << 2) | (1U << 4) | (1U << 12) |          \
	 (1U << 18) | (2U << 21) | (1U << 24) | (1U << 26) | (1U << 27))
/* 16-bit StreamIDs, queues of 2^19 */
#define QEMU_IDR1 ((16U << 0) | (19U << 16) | (19U << 21))
/* 4K, 16K and 64K granules, OAS 44 bits */
#define QEMU_IDR5 ((1U << 4) | (1U << 5) | (1U << 6) | 4U)

#define IPA_BITS 39
#define RAM_TOP	 0x80000000ULL

static struct smmu_features qemu(void)
{
	struct smmu_features f;

	smmu_decode_features(QEMU_IDR0, QEMU_IDR1, QEMU_IDR5, &f);
	return f;
}

static void test_features_of_qemu(void **state)
{
	(void)state;
	struct smmu_features f = qemu();

	assert_true(f.stage1 && f.stage2 && f.aarch64 && !f.aarch32);
	assert_true(f.coherent && f.vmid16 && f.two_level && !f.big_endian);
	assert_true(f.gran4k && f.gran16k && f.gran64k);
	assert_int_equal(f.sid_bits, 16);
	assert_int_equal(f.cmdq_bits, 19);
	assert_int_equal(f.eventq_bits, 19);
	assert_int_equal(f.oas_field, 4);
	assert_int_equal(f.oas_bits, 44);
	assert_int_equal(f.ias_bits, 44);
	assert_null(smmu_share_refusal(&f, true, IPA_BITS, RAM_TOP));

	/* A stage-1-only model (virt-9.1, stage=1). */
	smmu_decode_features(QEMU_IDR0 & ~1U, QEMU_IDR1, QEMU_IDR5, &f);
	assert_false(f.stage2);
	assert_string_equal(smmu_share_refusal(&f, true, IPA_BITS, RAM_TOP),
			    "no stage 2");
}

static void test_every_reason_not_to_share(void **state)
{
	(void)state;
	struct smmu_features f = qemu();

	f.gran4k = false;
	assert_string_equal(smmu_share_refusal(&f, true, IPA_BITS, RAM_TOP),
			    "no 4 KiB granule");
	f = qemu();
	f.aarch64 = false;
	assert_string_equal(smmu_share_refusal(&f, true, IPA_BITS, RAM_TOP),
			    "no AArch64 tables");
	f = qemu();
	f.big_endian = true;
	assert_string_equal(smmu_share_refusal(&f, true, IPA_BITS, RAM_TOP),
			    "big-endian tables only");
	/* Coherent walks need both the SMMU's word and the DTB's. */
	f = qemu();
	assert_string_equal(smmu_share_refusal(&f, false, IPA_BITS, RAM_TOP),
			    "table walks not coherent");
	f.coherent = false;
	assert_string_equal(smmu_share_refusal(&f, true, IPA_BITS, RAM_TOP),
			    "table walks not coherent");
	/* A 36-bit SMMU takes neither Cairn's IPAs nor RAM above 64 GiB. */
	smmu_decode_features(QEMU_IDR0, QEMU_IDR1, (QEMU_IDR5 & ~7U) | 1, &f);
	assert_int_equal(f.ias_bits, 36);
	assert_string_equal(smmu_share_refusal(&f, true, IPA_BITS, RAM_TOP),
			    "input address size below Cairn's IPA size");
	f.ias_bits = 40;
	assert_string_equal(smmu_share_refusal(&f, true, IPA_BITS, 1ULL << 37),
			    "output address size below the top of RAM");
	/* AArch32 (LPAE) tables make the input size at least 40 bits. */
	smmu_decode_features(QEMU_IDR0 | (1U << 2), QEMU_IDR1,
			     (QEMU_IDR5 & ~7U) | 1, &f);
	assert_true(f.aarch32);
	assert_int_equal(f.ias_bits, 40);
	assert_int_equal(f.oas_bits, 36);
}

static void test_aborting_ste(void **state)
{
	(void)state;
	uint64_t ste[SMMU_STE_WORDS];

	for (unsigned i = 0; i < SMMU_STE_WORDS; i++) {
		ste[i] = ~0ULL;
	}
	smmu_ste_abort(ste);
	assert_int_equal(ste[0], 1); /* V, Config 0b000: abort, no event */
	for (unsigned i = 1; i < SMMU_STE_WORDS; i++) {
		assert_int_equal(ste[i], 0);
	}
	assert_true(smmu_ste_is_abort(ste));
}

static void test_stage2_ste_shares_the_cpu_tables(void **state)
{
	(void)state;
	uint64_t ste[SMMU_STE_WORDS];
	/* The CPU's VTCR_EL2 (s2_tlb.c): RES1, T0SZ 25, SL0 1 (level 1),
	 * IRGN0/ORGN0 write-back, SH0 inner, 4K, PS 5 (48 bits). */
	uint64_t vtcr = (1ULL << 31) | 25 | (1 << 6) | (1 << 8) | (1 << 10) |
			(3 << 12) | (5ULL << 16);

	smmu_ste_s2(ste, pa_init(0x41234000), vmid_init(5), vtcr, 4);
	assert_int_equal(ste[0], 1 | (6 << 1)); /* V, S1 bypass S2 translate */
	assert_int_equal(ste[1], 1ULL << 44);	/* SHCFG: incoming */
	assert_int_equal(ste[2] & 0xffff, 5);	/* S2VMID */
	/* S2T0SZ..S2PS = VTCR[18:0], PS clamped to the SMMU's OAS (4);
	 * VTCR's RES1 bit 31 stays out. */
	assert_int_equal((ste[2] >> 32) & 0x7ffff, 25 | (1 << 6) | (1 << 8) |
						       (1 << 10) | (3 << 12) |
						       (4 << 16));
	assert_true(ste[2] & (1ULL << 51));  /* S2AA64 */
	assert_true(ste[2] & (1ULL << 58));  /* S2R: faults recorded */
	assert_false(ste[2] & (1ULL << 57)); /* S2S: never stall */
	assert_false(ste[2] & (1ULL << 52)); /* S2ENDI: little-endian */
	assert_int_equal(ste[2] >> 59, 0);
	assert_int_equal(ste[3], 0x41234000); /* S2TTB */
	for (unsigned i = 4; i < SMMU_STE_WORDS; i++) {
		assert_int_equal(ste[i], 0);
	}
	assert_false(smmu_ste_is_abort(ste));
	/* A PS already within the OAS is kept. */
	smmu_ste_s2(ste, pa_init(0x41234000), vmid_init(200),
		    vtcr & ~(7ULL << 16), 4);
	assert_int_equal((ste[2] >> 48) & 7, 0);
	assert_int_equal(ste[2] & 0xffff, 200);
}

static void test_commands(void **state)
{
	(void)state;
	uint64_t c[SMMU_CMD_WORDS];

	smmu_cmd_sync(c);
	assert_int_equal(c[0], 0x46); /* CS none: completion seen in CONS */
	assert_int_equal(c[1], 0);
	smmu_cmd_cfgi_ste(c, 0x28);
	assert_int_equal(c[0], 0x03 | (0x28ULL << 32));
	assert_int_equal(c[1], 1); /* leaf */
	smmu_cmd_cfgi_all(c);
	assert_int_equal(c[0], 0x04);
	assert_int_equal(c[1], 31); /* every StreamID */
	smmu_cmd_tlbi_nsnh_all(c);
	assert_int_equal(c[0], 0x30);
	smmu_cmd_tlbi_s12_vmall(c, vmid_init(7));
	assert_int_equal(c[0], 0x28 | (7ULL << 32));
	assert_int_equal(smmu_cmd_opcode(c), 0x28);
	smmu_cmd_tlbi_s2_ipa(c, vmid_init(7), ipa_init(0x7fff123456ULL));
	assert_int_equal(c[0], 0x2a | (7ULL << 32));
	assert_int_equal(c[1], 0x7fff123000ULL | 1); /* page, leaf */
}

/* The 32-bit word w of a 64-byte structure, as QEMU's model reads it
 * (hw/arm/smmuv3-internal.h numbers STE and CD fields by such words). */
static uint32_t word(const uint64_t *d, unsigned w)
{
	return (uint32_t)(d[w / 2] >> (32 * (w % 2)));
}

static uint32_t bits(uint32_t v, unsigned lo, unsigned n)
{
	return (v >> lo) & ((1U << n) - 1);
}

static void test_io_format(void **state)
{
	(void)state;
	struct smmu_features f = qemu();

	/* Stage 2 where it could share; else stage 1; else neither. */
	assert_int_equal(smmu_io_format(&f, true, IPA_BITS, RAM_TOP),
			 SMMU_IO_S2);
	f.stage2 = false;
	assert_int_equal(smmu_io_format(&f, true, IPA_BITS, RAM_TOP),
			 SMMU_IO_S1);
	assert_int_equal(smmu_io_format(&f, false, IPA_BITS, RAM_TOP),
			 SMMU_IO_NONE);
	f.gran4k = false;
	assert_int_equal(smmu_io_format(&f, true, IPA_BITS, RAM_TOP),
			 SMMU_IO_NONE);
	f = qemu();
	f.stage2 = false;
	f.big_endian = true;
	assert_int_equal(smmu_io_format(&f, true, IPA_BITS, RAM_TOP),
			 SMMU_IO_NONE);
	f = qemu();
	f.stage2 = false;
	f.stage1 = false;
	assert_int_equal(smmu_io_format(&f, true, IPA_BITS, RAM_TOP),
			 SMMU_IO_NONE);
	/* Stage 2's input size too small for 39 bits: stage 1 still does. */
	smmu_decode_features(QEMU_IDR0, QEMU_IDR1, (QEMU_IDR5 & ~7U) | 1, &f);
	assert_int_equal(smmu_io_format(&f, true, IPA_BITS, 1ULL << 35),
			 SMMU_IO_S1);
	assert_int_equal(smmu_io_format(&f, true, IPA_BITS, 1ULL << 37),
			 SMMU_IO_NONE);
}

static void test_context_descriptor(void **state)
{
	(void)state;
	uint64_t cd[SMMU_CD_WORDS];

	for (unsigned i = 0; i < SMMU_CD_WORDS; i++) {
		cd[i] = ~0ULL;
	}
	smmu_cd(cd, pa_init(0x4123f000), 0xab, IPA_BITS, 4);
	uint32_t w0 = word(cd, 0), w1 = word(cd, 1);
	assert_int_equal(bits(w0, 0, 6), 25);	  /* T0SZ: 39-bit IOVAs */
	assert_int_equal(bits(w0, 6, 2), 0);	  /* TG0: 4 KiB */
	assert_int_equal(bits(w0, 8, 2), 1);	  /* IRGN0: write-back */
	assert_int_equal(bits(w0, 10, 2), 1);	  /* ORGN0 */
	assert_int_equal(bits(w0, 12, 2), 3);	  /* SH0: inner shareable */
	assert_int_equal(bits(w0, 14, 1), 0);	  /* EPD0: TTB0 walked */
	assert_int_equal(bits(w0, 15, 1), 0);	  /* ENDI: little-endian */
	assert_int_equal(bits(w0, 16, 14), 0);	  /* TTB1's fields unused */
	assert_int_equal(bits(w0, 30, 1), 1);	  /* EPD1: no TTB1 walks */
	assert_int_equal(bits(w0, 31, 1), 1);	  /* V */
	assert_int_equal(bits(w1, 0, 3), 4);	  /* IPS: the OAS, 44 bits */
	assert_int_equal(bits(w1, 3, 1), 0);	  /* AFFD: AF faults kept */
	assert_int_equal(bits(w1, 6, 2), 0);	  /* TBI off */
	assert_int_equal(bits(w1, 9, 1), 1);	  /* AA64 */
	assert_int_equal(bits(w1, 10, 2), 0);	  /* HD, HA: no HTTU */
	assert_int_equal(bits(w1, 12, 1), 0);	  /* S: never stall */
	assert_int_equal(bits(w1, 13, 1), 1);	  /* R: faults recorded */
	assert_int_equal(bits(w1, 14, 1), 1);	  /* A: faults abort */
	assert_int_equal(bits(w1, 15, 1), 1);	  /* ASET: SMMU-private */
	assert_int_equal(bits(w1, 16, 16), 0xab); /* ASID */
	assert_int_equal(cd[1], 0x4123f000);	  /* TTB0 [51:4] */
	assert_int_equal(cd[2], 0);		  /* TTB1 */
	/* MAIR: attribute 0 Normal write-back, 1 Device-nGnRE. */
	assert_int_equal(cd[3] & 0xffff, 0x04ff);
	for (unsigned i = 4; i < SMMU_CD_WORDS; i++) {
		assert_int_equal(cd[i], 0);
	}
}

static void test_stage1_ste(void **state)
{
	(void)state;
	uint64_t ste[SMMU_STE_WORDS];

	smmu_ste_s1(ste, pa_init(0x40008040));
	assert_int_equal(bits(word(ste, 0), 0, 1), 1); /* V */
	assert_int_equal(bits(word(ste, 0), 1, 3), 5); /* S1 translate */
	assert_int_equal(bits(word(ste, 0), 4, 2), 0); /* S1Fmt: linear */
	/* S1ContextPtr [51:6]: the CD's address. */
	assert_int_equal(ste[0] & 0x000fffffffffffc0ULL, 0x40008040);
	assert_int_equal(bits(word(ste, 1), 27, 5), 0); /* S1CDMax: one CD */
	uint32_t w2 = word(ste, 2);
	assert_int_equal(bits(w2, 0, 2), 0);  /* S1DSS */
	assert_int_equal(bits(w2, 2, 2), 1);  /* S1CIR: write-back */
	assert_int_equal(bits(w2, 4, 2), 1);  /* S1COR */
	assert_int_equal(bits(w2, 6, 2), 3);  /* S1CSH: inner shareable */
	assert_int_equal(bits(w2, 27, 1), 0); /* S1STALLD */
	assert_int_equal(bits(w2, 28, 2), 0); /* EATS: no ATS */
	assert_int_equal(bits(w2, 30, 2), 0); /* STRW: non-secure EL1 */
	assert_int_equal(bits(word(ste, 3), 12, 2), 1); /* SHCFG incoming */
	for (unsigned i = 2; i < SMMU_STE_WORDS; i++) {
		assert_int_equal(ste[i], 0); /* no stage-2 fields */
	}
	assert_false(smmu_ste_is_abort(ste));
}

static void test_stage1_descriptors(void **state)
{
	(void)state;
	uint64_t e = smmu_s1_pte(pa_init(0x41234000), 3, true, false);

	assert_int_equal(e & 3, 3);	   /* a page */
	assert_int_equal((e >> 2) & 7, 0); /* AttrIndx: Normal WB */
	assert_int_equal((e >> 6) & 3, 1); /* AP: RW, EL0 too */
	assert_int_equal((e >> 8) & 3, 3); /* SH: inner */
	assert_true(e & (1ULL << 10));	   /* AF */
	assert_true(e & (1ULL << 11));	   /* nG */
	assert_int_equal(e & 0x0000fffffffff000ULL, 0x41234000);
	assert_true(e & (1ULL << 53));			 /* PXN */
	assert_true(e & (1ULL << 54));			 /* UXN */
	assert_int_equal(e & ~0x0060ffffffffffffULL, 0); /* nothing else */
	/* Read-only: AP[2]; a 2 MiB block at level 2; device memory. */
	e = smmu_s1_pte(pa_init(0x41200000), 2, false, true);
	assert_int_equal(e & 3, 1);
	assert_int_equal((e >> 6) & 3, 3);
	assert_int_equal((e >> 2) & 7, 1);
	assert_int_equal((e >> 8) & 3, 0);
}

static void test_stage1_commands(void **state)
{
	(void)state;
	uint64_t c[SMMU_CMD_WORDS];

	smmu_cmd_tlbi_nh_asid(c, 0xab);
	assert_int_equal(c[0], 0x11 | (0xabULL << 48)); /* VMID 0 */
	assert_int_equal(c[1], 0);
	smmu_cmd_tlbi_nh_va(c, 0xab, 0x7fff123456ULL);
	assert_int_equal(c[0], 0x12 | (0xabULL << 48));
	assert_int_equal(c[1], 0x7fff123000ULL | 1); /* page, leaf */
	assert_int_equal(smmu_cmd_opcode(c), 0x12);
}

static void test_event_records(void **state)
{
	(void)state;
	struct smmu_event ev;
	uint64_t fault[CAIRN_STREAM_FAULT_WORDS];
	/* A stage-2 translation fault of stream 8, a write (RnW 0) to
	 * 0x10000000, class 2 (input address). */
	uint64_t rec[SMMU_EVENT_WORDS] = {0x10 | (8ULL << 32),
					  (1ULL << 39) | (2ULL << 40),
					  0x10000000, 0x10000abc};

	smmu_event_decode(rec, &ev);
	assert_int_equal(ev.id, CAIRN_SMMU_EVT_TRANSLATION);
	assert_int_equal(ev.sid, 8);
	assert_false(ev.read);
	assert_true(ev.stage2);
	assert_int_equal(ev.class, 2);
	assert_int_equal(ev.addr, 0x10000000);
	assert_int_equal(ev.ipa, 0x10000000);
	assert_string_equal(smmu_event_name(ev.id), "translation fault");
	smmu_event_to_fault(&ev, fault);
	assert_int_equal(CAIRN_STREAM_FAULT_KIND(fault[0]),
			 CAIRN_SMMU_EVT_TRANSLATION);
	assert_int_equal(fault[0] & CAIRN_STREAM_FAULT_READ, 0);
	assert_true(fault[0] & CAIRN_STREAM_FAULT_STAGE2);
	assert_int_equal(CAIRN_STREAM_FAULT_CLASS(fault[0]), 2);
	assert_int_equal(fault[1], 0x10000000);

	/* A read hitting a permission fault, privileged, instruction. */
	rec[0] = 0x13 | (0xffULL << 32);
	rec[1] = (1ULL << 35) | (1ULL << 33) | (1ULL << 34);
	smmu_event_decode(rec, &ev);
	assert_true(ev.read && ev.privileged && ev.instruction && !ev.stage2);
	smmu_event_to_fault(&ev, fault);
	assert_int_equal(fault[0], 0x13 | CAIRN_STREAM_FAULT_READ |
				       CAIRN_STREAM_FAULT_PRIVILEGED |
				       CAIRN_STREAM_FAULT_INSTRUCTION);

	/* A bad STE carries no address: its words are not read as one. */
	rec[0] = 0x04 | (3ULL << 32);
	smmu_event_decode(rec, &ev);
	assert_int_equal(ev.sid, 3);
	assert_int_equal(ev.addr, 0);
	assert_int_equal(ev.ipa, 0);
	assert_string_equal(smmu_event_name(0x04), "bad STE");
	assert_string_equal(smmu_event_name(0x7f), "event");
}

static void test_queue_pointers(void **state)
{
	(void)state;
	/* 4 entries: index in bits 0-1, wrap in bit 2, flags above. */
	assert_true(smmu_q_empty(0, 0, 2));
	assert_true(smmu_q_empty(3 | (1U << 31), 3, 2)); /* flags ignored */
	assert_false(smmu_q_empty(1, 0, 2));
	assert_true(smmu_q_full(4, 0, 2)); /* same index, wraps differ */
	assert_false(smmu_q_full(3, 0, 2));
	assert_false(smmu_q_full(4, 4, 2));
	assert_int_equal(smmu_q_next(2, 2), 3);
	assert_int_equal(smmu_q_next(3, 2), 4); /* wraps: index 0, wrap 1 */
	assert_int_equal(smmu_q_next(7, 2), 0);
	assert_int_equal(smmu_q_next(1 | (1U << 31), 2), 2);
	assert_int_equal(smmu_q_index(6, 2), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_features_of_qemu),
	    cmocka_unit_test(test_every_reason_not_to_share),
	    cmocka_unit_test(test_aborting_ste),
	    cmocka_unit_test(test_stage2_ste_shares_the_cpu_tables),
	    cmocka_unit_test(test_commands),
	    cmocka_unit_test(test_io_format),
	    cmocka_unit_test(test_context_descriptor),
	    cmocka_unit_test(test_stage1_ste),
	    cmocka_unit_test(test_stage1_descriptors),
	    cmocka_unit_test(test_stage1_commands),
	    cmocka_unit_test(test_event_records),
	    cmocka_unit_test(test_queue_pointers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
