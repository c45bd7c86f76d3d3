/*
 * The DMA matrix, as one driver sees it (share-pt: device addresses are
 * this driver's IPAs). Its own memory is reachable; an IOVA never mapped,
 * the other driver's private page (by its physical address), the kernel's
 * text and MMIO are not, each attempt blocked and reported by the IOMMU
 * server on the console (the boot test reads those lines); after Unmap
 * and after a Revoke of the mapping cap a page is unreachable at once.
 */
#include "dma_gen.h"

#include "dma.h"
#include "edu.h"

#include <libcairn/invoke.h>
#include <stdio.h>

#define PEER_WAIT_MS 20000
#define HOLE	     0x7f00000000UL /* in no table of any VSpace */
#define KERNEL_TEXT  0x40200000UL   /* the kernel's link address (virt) */
#define PL011	     0x09000000UL   /* QEMU virt's UART, physical */
#define RW	     (CAIRN_RIGHT_READ | CAIRN_RIGHT_WRITE)
#define DEPTH	     64

static uint8_t a[PAGE] __attribute__((aligned(PAGE)));
static uint8_t b[PAGE] __attribute__((aligned(PAGE)));

int dma(struct dev *d, uint64_t iova, int to_ram)
{
	return edu_dma(d->bar, iova, to_ram);
}

static int say(int ok, const char *name, const char *what)
{
	printf("%s %s: %s\n", ok ? "PASS" : "FAIL", name, what);
	return ok;
}

static int own_memory(struct dev *d)
{
	edu_fill(a, 1);
	edu_fill(b, 2);
	int ok =
	    dma(d, (uint64_t)a, 0) && dma(d, (uint64_t)b, 1) && edu_holds(b, 1);
	edu_fill(b, 3);
	ok = ok && dma(d, (uint64_t)b, 0) && dma(d, (uint64_t)a, 1) &&
	     edu_holds(a, 3);
	return say(ok, "own_memory",
		   "a page copied in and out through the device, data checked");
}

/* Reading target must bring nothing: what the device holds afterwards is
 * not target's content (seed); writing it must leave it alone (checked by
 * whoever can see it). Both attempts complete and are blocked. */
int attack(struct dev *d, uint64_t target, uint64_t seed)
{
	edu_fill(d->a, 90);
	int ok = dma(d, d->a_iova, 0) && dma(d, target, 0) &&
		 dma(d, d->b_iova, 1) && !edu_holds(d->b, seed);
	return ok && dma(d, d->a_iova, 0) && dma(d, target, 1);
}

int unmapped_iova(struct dev *d)
{
	return say(attack(d, HOLE, 0), "unmapped_iova",
		   "DMA to an IOVA never mapped is blocked");
}

int kernel_and_mmio(struct dev *d)
{
	int ok = attack(d, KERNEL_TEXT, 0) && attack(d, PL011, 0);
	return say(ok, "kernel_and_mmio",
		   "DMA to the kernel's text and to the UART is blocked");
}

/* The other driver's private page, by its physical address: unreadable
 * and unwritable; then wait for the other to have tried mine. */
int peer_memory(struct dev *d, struct rendezvous *rv, unsigned me)
{
	volatile uint8_t *mine = DMADRIVER_DATAPORT_MINE;
	uint64_t end = edu_now_ms() + PEER_WAIT_MS;
	unsigned other = me ^ 1;

	edu_fill(mine, 500 + me);
	rv->e[me].pa = d->mine_pa;
	rv->e[me].seed = 500 + me;
	__atomic_store_n(&rv->e[me].ready, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&rv->e[other].ready, __ATOMIC_ACQUIRE)) {
		if (edu_now_ms() > end) {
			return say(0, "peer_memory",
				   "the other driver never "
				   "said where its page is");
		}
	}
	printf("dma: attacking the other driver's page at %#lx\n",
	       (unsigned long)rv->e[other].pa);
	int ok = attack(d, rv->e[other].pa, rv->e[other].seed);
	__atomic_store_n(&rv->e[other].attacked, 1, __ATOMIC_RELEASE);
	return say(ok, "peer_memory",
		   "the other driver's page, by its physical address, is out "
		   "of reach");
}

/* Without a device of my own: publish my page for the other to attack
 * (it must not reach it) and let it know I attack nothing. */
void peer_stand_by(struct dev *d, struct rendezvous *rv, unsigned me)
{
	volatile uint8_t *mine = DMADRIVER_DATAPORT_MINE;

	edu_fill(mine, 500 + me);
	rv->e[me].pa = d->mine_pa;
	rv->e[me].seed = 500 + me;
	__atomic_store_n(&rv->e[me].ready, 1, __ATOMIC_RELEASE);
	__atomic_store_n(&rv->e[me ^ 1].attacked, 1, __ATOMIC_RELEASE);
}

/* Once the other driver has tried my page, it holds what I left in it. */
int peer_untouched(struct rendezvous *rv, unsigned me)
{
	volatile uint8_t *mine = DMADRIVER_DATAPORT_MINE;
	uint64_t end = edu_now_ms() + PEER_WAIT_MS;

	while (!__atomic_load_n(&rv->e[me].attacked, __ATOMIC_ACQUIRE)) {
		if (edu_now_ms() > end) {
			return say(0, "peer_untouched",
				   "the other driver never tried");
		}
	}
	return say(edu_holds(mine, 500 + me), "peer_untouched",
		   "my page is as I left it after the other's attempts");
}

/* My private page, just unmapped: a write must not reach it. */
static int blocked(struct dev *d, uint64_t remap_slot, uint64_t seed)
{
	volatile uint8_t *mine = DMADRIVER_DATAPORT_MINE;

	edu_fill(a, 77);
	int ok = dma(d, (uint64_t)a, 0) && dma(d, (uint64_t)mine, 1);
	ok = ok && cairn_frame_map(remap_slot, d->vspace, (uint64_t)mine, RW, 0)
			   .error == CAIRN_OK;
	return ok && edu_holds(mine, seed) && !edu_holds(mine, 77);
}

static int after_unmap(struct dev *d)
{
	volatile uint8_t *mine = DMADRIVER_DATAPORT_MINE;

	edu_fill(a, 40);
	int ok = dma(d, (uint64_t)a, 0) && dma(d, (uint64_t)mine, 1) &&
		 edu_holds(mine, 40);
	ok = ok && cairn_frame_unmap(d->mine_slot).error == CAIRN_OK;
	ok = ok && blocked(d, d->mine_slot, 40);
	return say(ok, "after_unmap",
		   "right after Frame.Unmap returns, DMA "
		   "to the page is blocked");
}

/* Mapped through a copy (in my receive slot), then the original
 * revoked: the copy and its mapping go, and with them the device's
 * reach. */
static int after_revoke(struct dev *d)
{
	volatile uint8_t *mine = DMADRIVER_DATAPORT_MINE;
	uint64_t copy = DMADRIVER_SLOT_RECV;

	edu_fill(a, 41);
	int ok =
	    cairn_frame_unmap(d->mine_slot).error == CAIRN_OK &&
	    cairn_cnode_copy(DMADRIVER_SLOT_CNODE, copy, DEPTH,
			     DMADRIVER_SLOT_CNODE, d->mine_slot, DEPTH,
			     CAIRN_RIGHTS_ALL)
		    .error == CAIRN_OK &&
	    cairn_frame_map(copy, d->vspace, (uint64_t)mine, RW, 0).error ==
		CAIRN_OK;
	ok = ok && dma(d, (uint64_t)a, 0) && dma(d, (uint64_t)mine, 1) &&
	     edu_holds(mine, 41);
	ok = ok && cairn_cnode_revoke(DMADRIVER_SLOT_CNODE, d->mine_slot, DEPTH)
			   .error == CAIRN_OK;
	ok = ok && blocked(d, d->mine_slot, 41);
	return say(ok, "after_revoke",
		   "right after a Revoke takes the mapping "
		   "cap, DMA to the page is blocked");
}

/* The cap I was given binds once: no REBIND, no FAULTS. */
static int bind_only(struct dev *d)
{
	struct cairn_result u = cairn_stream_unbind(d->stream);
	struct cairn_result b2 = cairn_stream_bind_vspace(d->stream, d->vspace);
	int ok = u.error == CAIRN_ILLEGAL_OPERATION &&
		 b2.error == CAIRN_ILLEGAL_OPERATION;
	return say(ok, "bind_only",
		   "my StreamID can neither unbind nor rebind "
		   "(no REBIND right)");
}

int run_cases(struct dev *d, struct rendezvous *rv, unsigned me)
{
	d->a = a;
	d->b = b;
	d->a_iova = (uint64_t)a; /* share-pt: device addresses are IPAs */
	d->b_iova = (uint64_t)b;
	int (*const cases[])(struct dev *) = {own_memory, unmapped_iova,
					      kernel_and_mmio, bind_only};
	unsigned passed = 0, failed = 0;

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cases[i](d) ? passed++ : failed++;
	}
	peer_memory(d, rv, me) ? passed++ : failed++;
	peer_untouched(rv, me) ? passed++ : failed++;
	after_unmap(d) ? passed++ : failed++;
	after_revoke(d) ? passed++ : failed++;
	return (int)(passed << 8 | failed);
}
