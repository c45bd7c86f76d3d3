/* The DMA scenario's driver: its device and what its cases share. */
#pragma once

#include <stdint.h>

#define PAGE	   4096UL
#define MINE_PAGES 4

struct dev {
	volatile uint8_t *bar;
	uint32_t bdf, sid, mode, stream, vspace;
	uint32_t irq;	    /* my device's IRQHandler's slot (0: none) */
	uint64_t mine_slot; /* the frame cap of my private page 0 (pages
			       1-3 follow: the last frames of my memory) */
	uint64_t mine_pa;
	/* Two pages of mine the device reaches, and at which addresses. */
	volatile uint8_t *a, *b;
	uint64_t a_iova, b_iova;
};

/* What the drivers tell each other (the peer page). */
struct rendezvous {
	uint32_t claimed; /* drivers that took an entry */
	uint32_t pad;
	struct {
		uint64_t pa;	   /* its private page's physical address */
		uint64_t seed;	   /* what that page holds */
		uint32_t ready;	   /* the two fields above are set */
		uint32_t attacked; /* the other has tried to reach it */
	} e[2];
};

/* One page between the device's buffer and iova (tests/system/edu.h). */
int dma(struct dev *d, uint64_t iova, int to_ram);

/* No device: my page published for the other's attack, none of mine. */
void peer_stand_by(struct dev *d, struct rendezvous *rv, unsigned me);

/* Cases both modes run (cases.c): target's reads bring nothing (not
 * seed's page) and both directions complete, blocked; an IOVA never
 * mapped; the kernel's text and the UART; the other driver's private
 * page, by its physical address, and mine untouched by its attempts. */
int attack(struct dev *d, uint64_t target, uint64_t seed);
int unmapped_iova(struct dev *d);
int kernel_and_mmio(struct dev *d);
int peer_memory(struct dev *d, struct rendezvous *rv, unsigned me);
int peer_untouched(struct rendezvous *rv, unsigned me);

/* sync-pt's cases (synccases.c), likewise. */
int run_sync_cases(struct dev *d, struct rendezvous *rv, unsigned me);

/* The cases, each printing PASS or FAIL: returns passed << 8 | failed. */
int run_cases(struct dev *d, struct rendezvous *rv, unsigned me);
