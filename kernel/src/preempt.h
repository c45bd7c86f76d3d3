/*
 * Preemption points. The kernel runs with interrupts masked, so a long
 * operation (Revoke of a large derivation tree, Retype that clears much
 * memory) asks between bounded steps whether an interrupt is waiting. If
 * one is, the operation stops with INV_RESTART: it has kept the progress it
 * made (caps deleted, memory cleared and recorded in the Untyped's clean
 * mark) and nothing else, the caller's program counter is moved back onto
 * its system-call instruction, and the interrupt is taken on the way out.
 * The thread re-executes the call when it next runs, decoding it afresh.
 * Each step is bounded, so an interrupt waits at most one step.
 */
#pragma once

#include "arch.h"

#include <cairn/errors.h>

/* Not an ABI error: never reaches user level (see above). */
#define INV_RESTART ((enum cairn_error)(CAIRN_ERROR_COUNT + 1))

/* Bytes Retype clears between preemption points. */
#define PREEMPT_CLEAR_CHUNK (64U * 1024)

static inline bool preempt_wanted(void)
{
	return arch_irq_pending();
}
