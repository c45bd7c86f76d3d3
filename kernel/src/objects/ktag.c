/*
 * Debug object tags (ktag.h): the side table and the checks. Release
 * builds compile none of this.
 */
#include "objects/ktag.h"

#ifdef CAIRN_DEBUG
#include "cap/cap.h"
#include "format.h"
#include "kmem.h"
#include "panic.h"
#include "print.h"

#include <string.h>

/*
 * Open addressing with linear probing, keyed by physical address; an
 * entry with tag 0 is empty. It is filled to less than 7/8, so a probe
 * always ends; past that new objects go untracked (counted), and from
 * then on a missing entry means "unknown", never "destroyed", so a full
 * table weakens the checks but cannot make one fail wrongly.
 */
struct ktag_entry {
	uint64_t pa;
	uint64_t tag;
};

static struct ktag_entry *table;
static uint64_t mask;	   /* entries - 1 */
static unsigned shift;	   /* 64 - log2(entries) */
static uint64_t used;	   /* entries holding a tag */
static uint64_t untracked; /* objects the full table could not take */
static uint64_t next_gen;

void ktag_init(void *mem, uint64_t bytes)
{
	uint64_t n = 2;

	while (n * 2 * sizeof(struct ktag_entry) <= bytes) {
		n *= 2;
	}
	table = mem;
	mask = n - 1;
	shift = 64 - (unsigned)__builtin_ctzll(n);
	used = untracked = 0;
	next_gen = 1;
	memset(mem, 0, n * sizeof(struct ktag_entry));
}

uint64_t ktag_capacity(void)
{
	return table == NULL ? 0 : mask + 1;
}

static uint64_t home(uint64_t pa)
{
	/* Fibonacci hashing: objects are at least 16-byte aligned. */
	return ((pa >> 4) * 0x9e3779b97f4a7c15ULL) >> shift;
}

/* The entry for pa, or the empty entry where it would go. */
static struct ktag_entry *slot_of(uint64_t pa)
{
	for (uint64_t i = home(pa);; i = (i + 1) & mask) {
		if (table[i].tag == 0 || table[i].pa == pa) {
			return &table[i];
		}
	}
}

/* Removes entry i, shifting back later entries of its probe run so that
 * every lookup still finds them (no tombstones). */
static void remove_at(uint64_t i)
{
	uint64_t j = i;

	for (;;) {
		table[i].tag = 0;
		for (;;) {
			j = (j + 1) & mask;
			if (table[j].tag == 0) {
				return;
			}
			uint64_t h = home(table[j].pa);
			/* j's entry may fill i unless its home lies
			 * cyclically in (i, j]. */
			bool stays =
			    i <= j ? (i < h && h <= j) : (i < h || h <= j);
			if (!stays) {
				break;
			}
		}
		table[i] = table[j];
		i = j;
	}
}

static const char *type_name(unsigned type)
{
	switch (type) {
	case CAP_UNTYPED:
		return "Untyped";
	case CAP_CNODE:
		return "CNode";
	case CAP_ENDPOINT:
		return "Endpoint";
	case CAP_NOTIFICATION:
		return "Notification";
	case CAP_FRAME:
		return "Frame";
	case CAP_VSPACE:
		return "VSpace";
	case CAP_PAGE_TABLE:
		return "PageTable";
	case CAP_TCB:
		return "TCB";
	case CAP_REPLY:
		return "Reply";
	case CAP_VCPU:
		return "VCPU";
	case CAP_IOSPACE:
		return "IOSpace";
	case CAP_IO_PAGE_TABLE:
		return "IOPageTable";
	default:
		return "object";
	}
}

/* "CNode generation 12", or "no object" for an empty entry. */
static void describe(uint64_t tag, char *buf, size_t size)
{
	if (tag == 0) {
		format_buf(buf, size, "no object (destroyed, poisoned)");
	} else {
		format_buf(buf, size, "%s generation %lu%s",
			   type_name(ktag_type(tag)),
			   (unsigned long)ktag_generation(tag),
			   (tag & KTAG_PERMANENT) ? " (boot)" : "");
	}
}

static uint64_t insert(uint64_t pa, uint64_t tag)
{
	struct ktag_entry *e = slot_of(pa);

	/* At most 7/8 full, and never full: a probe must meet an empty. */
	if (used + 1 >= (mask + 1) - (mask + 1) / 8) {
		if (untracked++ == 0) {
			kprintf("ktag: table full (%lu entries): new objects "
				"go untracked\n",
				(unsigned long)(mask + 1));
		}
		return 0;
	}
	e->pa = pa;
	e->tag = tag;
	used++;
	return tag;
}

uint64_t ktag_create(paddr_t pa, unsigned type)
{
	if (table == NULL) {
		return 0;
	}
	struct ktag_entry *e = slot_of(pa_addr(pa));
	if (e->tag != 0) {
		char found[64];
		describe(e->tag, found, sizeof(found));
		panic("ktag: Retype hands out 0x%lx for a %s, but %s still "
		      "lives there",
		      (unsigned long)pa_addr(pa), type_name(type), found);
	}
	return insert(pa_addr(pa),
		      ((uint64_t)type << KTAG_TYPE_SHIFT) | next_gen++);
}

uint64_t ktag_boot(paddr_t pa, unsigned type)
{
	if (table == NULL) {
		return 0;
	}
	struct ktag_entry *e = slot_of(pa_addr(pa));
	if (e->tag != 0) {
		if (ktag_type(e->tag) != type) {
			panic("ktag: boot object 0x%lx is a %s and a %s",
			      (unsigned long)pa_addr(pa),
			      type_name(ktag_type(e->tag)), type_name(type));
		}
		return e->tag;
	}
	return insert(pa_addr(pa), ((uint64_t)type << KTAG_TYPE_SHIFT) |
				       KTAG_PERMANENT | next_gen++);
}

uint64_t ktag_find(paddr_t pa)
{
	if (table == NULL) {
		return KTAG_UNKNOWN;
	}
	const struct ktag_entry *e = slot_of(pa_addr(pa));
	return e->tag != 0 ? e->tag : untracked != 0 ? KTAG_UNKNOWN : 0;
}

static void poison(paddr_t pa, uint64_t size)
{
	uint64_t *p = kmem_ptr(pa);

	for (uint64_t i = 0; i < size / sizeof(uint64_t); i++) {
		p[i] = KTAG_POISON;
	}
}

void ktag_destroy(paddr_t pa, uint64_t tag, uint64_t size, bool device)
{
	if (table == NULL || tag == 0) {
		return;
	}
	KTAG_CHECK(pa, tag, "the object its last cap destroys");
	if (tag & KTAG_PERMANENT) {
		return; /* boot memory: never handed out again */
	}
	struct ktag_entry *e = slot_of(pa_addr(pa));
	remove_at((uint64_t)(e - table));
	used--;
	if (!device) {
		/* Untyped memory is zeroed again when it is retyped. */
		poison(pa, size);
	}
}

void ktag_check_at(paddr_t pa, uint64_t expected, const char *what,
		   const char *file, int line)
{
	if (expected == 0) {
		return; /* a reference made while its object was untracked */
	}
	uint64_t found = ktag_find(pa);
	if (found == expected || found == KTAG_UNKNOWN) {
		return;
	}
	char f[64];
	describe(found, f, sizeof(f));
	panic("ktag: %s: %s at 0x%lx generation %lu is gone, found %s "
	      "(%s:%d)",
	      what, type_name(ktag_type(expected)), (unsigned long)pa_addr(pa),
	      (unsigned long)ktag_generation(expected), f, file, line);
}

void ktag_check_type_at(paddr_t pa, unsigned type, const char *what,
			const char *file, int line)
{
	uint64_t found = ktag_find(pa);

	if (found == KTAG_UNKNOWN || (found != 0 && ktag_type(found) == type)) {
		return;
	}
	char f[64];
	describe(found, f, sizeof(f));
	panic("ktag: %s: no live %s at 0x%lx, found %s (%s:%d)", what,
	      type_name(type), (unsigned long)pa_addr(pa), f, file, line);
}
#endif
