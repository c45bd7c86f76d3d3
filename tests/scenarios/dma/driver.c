/*
 * A native test driver of the DMA scenarios: asks the IOMMU server for
 * its edu device (found, its BAR placed and its StreamID claimed by the
 * server), binds the bind-only StreamID it was given to its own VSpace
 * (share-pt) and runs the DMA matrix (cases.c), printing PASS/FAIL lines
 * and a summary, then waits. Where the server says the device could not
 * be set up (sync-pt without the kernel's IOSpaces, share-pt on an SMMU
 * that cannot share), it checks that its device's DMA reaches nothing.
 */
#include "dma_gen.h"

#include "console_client.h" /* needs the generated header first */
#include "dma.h"
#include "edu.h"
#include "iommu_proto.h"

#include <libcairn/invoke.h>
#include <libcairn/syscall.h>
#include <stdio.h>

/* Which entry of the peer page is mine: the first driver takes 0. */
static unsigned take_entry(struct rendezvous *rv)
{
	return __atomic_fetch_add(&rv->claimed, 1, __ATOMIC_SEQ_CST) & 1;
}

static int open_device(struct dev *d, uint32_t *error)
{
	uint32_t ids = 0, ret = 0;
	uint64_t bar_ipa = 0, bar_size = 0;
	uint32_t first = 0;
	long e = IommuClient_device(
	    DMADRIVER_SLOT_IOMMU, 0, &d->bdf, &ids, &d->sid, &d->mode, &bar_ipa,
	    &bar_size, &d->stream, &d->vspace, &first, &d->irq, &ret);

	*error = ret;
	/* My memory's caps end just before the device block: its last
	 * frames are my private pages' (the spec's layout). */
	d->mine_slot = first - MINE_PAGES;
	d->mine_pa = cairn_frame_get_address(d->mine_slot).detail[0];
	if (e != 0) {
		printf("FAIL device: the IOMMU server's answer: %ld\n", e);
		return 0;
	}
	if (ret == IOMMU_ERR_NOT_PRESENT) {
		printf("dma: device 0: %s: nothing to drive\n",
		       iommu_error_name(ret));
		return 0;
	}
	printf("dma: device %02x:%02x.%x (%04x:%04x) StreamID %#x, %s, BAR 0 "
	       "of %#lx at %#lx: %s\n",
	       d->bdf >> 8, (d->bdf >> 3) & 0x1f, d->bdf & 7, ids & 0xffff,
	       ids >> 16, d->sid, iommu_mode_name(d->mode),
	       (unsigned long)bar_size, (unsigned long)bar_ipa,
	       iommu_error_name(ret));
	d->bar = (volatile uint8_t *)bar_ipa;
	if (bar_ipa == 0 || *(volatile uint32_t *)d->bar != EDU_MAGIC) {
		printf("FAIL device: its BAR does not answer\n");
		return 0;
	}
	return 1;
}

/* share-pt: my stream translates through my own VSpace. */
static int bind(struct dev *d)
{
	struct cairn_result r = cairn_stream_bind_vspace(d->stream, d->vspace);

	if (r.error != CAIRN_OK) {
		printf("FAIL bind: BindVSpace: %s\n",
		       cairn_error_name(r.error));
		return 0;
	}
	r = cairn_frame_get_address(d->mine_slot);
	if (r.error != CAIRN_OK) {
		printf("FAIL bind: no frame in slot %lu\n",
		       (unsigned long)d->mine_slot);
		return 0;
	}
	printf("PASS bind: my stream translates through my VSpace\n");
	return 1;
}

/* Whether my notification is signalled within a second (polled: a lost
 * interrupt must fail the case, not hang it). */
static int signalled(void)
{
	uint64_t end = edu_now_ms() + 1000;

	while (edu_now_ms() < end) {
		if (cairn_poll(DMADRIVER_SLOT_IOMMU_WAKE) != 0) {
			return 1;
		}
		cairn_yield();
	}
	return 0;
}

/* My device's INTx, handed to me by the IOMMU server: nothing arrives
 * before the device raises it; a raise reaches my notification (the
 * device's status saying it was mine); after the device's ack and the
 * handler's Ack nothing more comes; and a second raise arrives again. */
static int intx(struct dev *d, unsigned me)
{
	uint32_t bits = 0x10u << me;
	int ok = d->irq != 0;

	ok = ok && cairn_irq_handler_set_notification(d->irq,
						      DMADRIVER_SLOT_IOMMU_WAKE)
			   .error == CAIRN_OK;
	ok = ok && cairn_poll(DMADRIVER_SLOT_IOMMU_WAKE) == 0;
	for (int round = 0; ok && round < 2; round++) {
		edu_raise(d->bar, bits);
		ok = signalled() && edu_irq_status(d->bar) == bits;
		edu_ack(d->bar, bits);
		ok = ok && cairn_irq_handler_ack(d->irq).error == CAIRN_OK;
		ok = ok && !signalled();
	}
	printf("%s intx: my device's INTx reaches my notification when it "
	       "raises it, and only then (handler in slot %u)\n",
	       ok ? "PASS" : "FAIL", d->irq);
	return ok;
}

/* Where nothing could be set up for it, the device reaches nothing: its
 * DMA into my own pages changes nothing. */
static int check_blocked(struct dev *d)
{
	static uint8_t a[PAGE] __attribute__((aligned(PAGE)));
	static uint8_t b[PAGE] __attribute__((aligned(PAGE)));

	edu_fill(a, 71);
	edu_fill(b, 72);
	int ok = dma(d, (uint64_t)a, 0) && dma(d, (uint64_t)b, 1) &&
		 edu_holds(b, 72);
	printf("%s unset_device_blocked: its DMA reaches none of my "
	       "memory\n",
	       ok ? "PASS" : "FAIL");
	return ok;
}

int main(void)
{
	struct dev d = {0};
	struct rendezvous *rv = DMADRIVER_DATAPORT_PEER;
	uint32_t error = 0;
	unsigned passed = 0, failed = 0, me = take_entry(rv);

	CONSOLE_CLIENT_INIT(DMADRIVER, CONSOLE);
	if (!open_device(&d, &error)) {
		failed += error != IOMMU_ERR_NOT_PRESENT;
		if (error == IOMMU_ERR_NOT_PRESENT) {
			peer_stand_by(&d, rv, me);
		}
	} else if (error != IOMMU_OK) {
		check_blocked(&d) ? passed++ : failed++;
	} else if (d.mode == IOMMU_MODE_SYNC_PT) {
		unsigned n = (unsigned)run_sync_cases(&d, rv, me);
		passed += n >> 8;
		failed += n & 0xff;
		intx(&d, me) ? passed++ : failed++;
	} else if (!bind(&d)) {
		failed++;
	} else {
		passed++;
		unsigned n = (unsigned)run_cases(&d, rv, me);
		passed += n >> 8;
		failed += n & 0xff;
		intx(&d, me) ? passed++ : failed++;
	}
	printf("dma: %u passed, %u failed\n", passed, failed);
	for (;;) {
		cairn_wait(DMADRIVER_SLOT_CONSOLE_WAKE);
	}
}
