/*
 * Debug object tags: every kernel object a Retype (or the boot) creates gets
 * a tag, its type and a generation from one global counter, and every
 * reference the kernel stores carries the tag it expects, so a use after
 * free becomes a panic naming the object instead of silent corruption.
 * When the last cap to an object goes its tag is cleared and its memory
 * poisoned (KTAG_POISON).
 *
 * Where the tags live: a side table keyed by the object's physical address
 * (an open-addressed hash, carved from RAM at boot). Frames and PageTables
 * are raw memory (user data, hardware tables), so they have no room for a
 * header; Replies (16 bytes) and Notifications (32) are full too. One table
 * for every type keeps a single rule. Keyed by base address, not by page:
 * several small objects share a page, and every stored reference, stage-2
 * entries included, names an object's base (a Frame is mapped whole).
 *
 * Untyped memory is not tagged (its first child has the same address) and
 * never poisoned (children may outlive the Untyped cap). Objects the boot
 * carves for the root task are tagged permanent: their memory never goes
 * back to an Untyped, so it is never cleared or poisoned.
 *
 * Release builds compile all of it away: the functions below are empty
 * inlines and the checks evaluate nothing.
 */
#pragma once

#include "addr.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Type (enum cap_type) in bits 56..63, permanent flag, generation. */
#define KTAG_TYPE_SHIFT 56
#define KTAG_PERMANENT	(1ULL << 55)
#define KTAG_GEN_MASK	(KTAG_PERMANENT - 1)
/* What a lookup finds where nothing is tracked (no table, or it filled). */
#define KTAG_UNKNOWN (~0ULL)
/* Written over a destroyed object: bit 0 clear, so as a stage-2 or stage-1
 * descriptor it is invalid at every level; as a pointer it faults. */
#define KTAG_POISON 0xDEADDEADDEADDEA0ULL

static inline unsigned ktag_type(uint64_t tag)
{
	return (unsigned)(tag >> KTAG_TYPE_SHIFT);
}

static inline uint64_t ktag_generation(uint64_t tag)
{
	return tag & KTAG_GEN_MASK;
}

#ifdef CAIRN_DEBUG
/* The side table: the bytes given, sized down to a power of two. */
void ktag_init(void *table, uint64_t bytes);
/* The entries it holds; 0 until ktag_init. */
uint64_t ktag_capacity(void);

/* A new object of type at pa; returns its tag (0: not tracked). */
uint64_t ktag_create(paddr_t pa, unsigned type);
/* An object the boot carved at pa: tagged permanent; the same tag again
 * if already there. */
uint64_t ktag_boot(paddr_t pa, unsigned type);
/* The last cap (with tag) to the object at pa is gone: clear its tag and
 * poison its size bytes, unless device memory or permanent. */
void ktag_destroy(paddr_t pa, uint64_t tag, uint64_t size, bool device);

/* The tag of the live object at pa, 0 if none, KTAG_UNKNOWN if untracked. */
uint64_t ktag_find(paddr_t pa);

/* Panics unless the object at pa still has the tag the reference
 * recorded (a reference with tag 0 is not tracked and passes). */
void ktag_check_at(paddr_t pa, uint64_t expected, const char *what,
		   const char *file, int line);
/* Panics unless a live object of this type is at pa: for raw pointers
 * that record no generation (see kref_check). */
void ktag_check_type_at(paddr_t pa, unsigned type, const char *what,
			const char *file, int line);

#define KTAG_CHECK(pa, expected, what)                                         \
	ktag_check_at((pa), (expected), (what), __FILE__, __LINE__)
#define KTAG_CHECK_TYPE(pa, type, what)                                        \
	ktag_check_type_at((pa), (type), (what), __FILE__, __LINE__)
#else
static inline uint64_t ktag_create(paddr_t pa, unsigned type)
{
	(void)pa;
	(void)type;
	return 0;
}

static inline uint64_t ktag_boot(paddr_t pa, unsigned type)
{
	(void)pa;
	(void)type;
	return 0;
}

static inline void ktag_destroy(paddr_t pa, uint64_t tag, uint64_t size,
				bool device)
{
	(void)pa;
	(void)tag;
	(void)size;
	(void)device;
}

#define KTAG_CHECK(pa, expected, what)                                         \
	do {                                                                   \
		(void)sizeof(pa);                                              \
		(void)sizeof(expected);                                        \
	} while (0)
#define KTAG_CHECK_TYPE(pa, type, what)                                        \
	do {                                                                   \
		(void)sizeof(pa);                                              \
		(void)sizeof(type);                                            \
	} while (0)
#endif
