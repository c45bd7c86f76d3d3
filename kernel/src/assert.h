/*
 * Debug-build assertions for kernel invariants. Release builds compile them
 * out; the expression is still type-checked so it cannot rot.
 */
#pragma once

#include "panic.h"

#ifdef CAIRN_DEBUG
#define ASSERT(cond)                                                           \
	do {                                                                   \
		if (!(cond)) {                                                 \
			panic("assertion failed: %s (%s:%d)", #cond, __FILE__, \
			      __LINE__);                                       \
		}                                                              \
	} while (0)
#else
#define ASSERT(cond)                                                           \
	do {                                                                   \
		(void)sizeof(cond);                                            \
	} while (0)
#endif
