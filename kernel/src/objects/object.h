/* Creating and destroying kernel objects, whatever their type. */
#pragma once

#include "cap/cap.h"

/*
 * The size in bits of an object of this type, given Retype's size_bits
 * (used by Untyped and CNode). Returns 0 for a type Retype cannot make or a
 * size_bits out of range; arg_min and arg_max give the allowed range.
 */
unsigned object_size_bits(enum cairn_object_type type, unsigned size_bits,
			  unsigned *arg_min, unsigned *arg_max);

/*
 * Initialises a new object of the type at pa, whose memory Retype has
 * cleared (device memory is never written), and returns the original
 * capability to it, with all rights.
 */
struct cap object_create(enum cairn_object_type type, unsigned size_bits,
			 paddr_t pa, bool device);

/* Prepare: can the object of the last cap c be destroyed? */
enum cairn_error object_decode_destroy(const struct cap *c,
				       struct inv_error *err);

/* A cap is leaving slot (any cap, final or not): per-cap cleanup, such as
 * taking down the mapping a Frame or PageTable cap records. */
void object_cap_gone(struct cte *slot);

/* The last cap to c's object is gone: release what the object holds. */
void object_destroy(const struct cap *c);

/*
 * Debug builds: walks every reference the kernel keeps between objects
 * (each live TCB's owned slots and listed links) and asserts the rule in
 * cap/cap.h holds. Run on every slowpath system call.
 */
void kref_check(void);
