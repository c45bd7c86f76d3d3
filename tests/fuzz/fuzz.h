/*
 * The in-system fuzzer's two halves: fuzz.c (the root task: threads,
 * invariant checks, the campaign) and fuzz_ops.c (the random operations).
 */
#pragma once

#include "../system/suite.h"

#include <stdbool.h>
#include <stdint.h>

struct pool {
	uint64_t first, count; /* slots [first, first + count) */
	uint64_t ut;	       /* the Untyped its objects come from */
	unsigned ut_bits;
	uint64_t rng;
	bool may_block;
};

/* Random numbers (splitmix64): the next, one below n, a boundary-biased
 * value. */
uint64_t next(uint64_t *s);
uint64_t below(uint64_t *s, uint64_t n);
uint64_t edgy(uint64_t *s);

/* What the fuzzer believes each root slot holds (fuzz_ops.c). */
extern uint8_t shadow[1U << CAIRN_ROOT_CNODE_RADIX];

/* Invocations tried and accepted per kind, for the summary. */
#define FUZZ_KINDS 6
extern const char *const kind_name[FUZZ_KINDS];
extern uint64_t tried[FUZZ_KINDS], accepted[FUZZ_KINDS];

/* One random operation on pool p's slots. */
void one_op(struct pool *p);

/* The UART's interrupt, which the fuzzer must not claim (fuzz.c). */
extern uint64_t uart_intid;

/* An IOSpace of the root's, outside the pools, with IO page tables for
 * IOVAs FIXED_IOVA to FIXED_IOVA + 2 MiB (fuzz.c). */
#define FIXED_IOVA 0x6000000000ULL
extern uint64_t fixed_iospace;
