/* The DMA scenario's driver: its device and what its cases share. */
#pragma once

#include <stdint.h>

#define PAGE 4096UL

struct dev {
	volatile uint8_t *bar;
	uint32_t bdf, sid, mode, stream, vspace;
	uint64_t mine_slot; /* the frame cap of my private page */
	uint64_t mine_pa;
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

/* The cases, each printing PASS or FAIL: returns passed << 8 | failed. */
int run_cases(struct dev *d, struct rendezvous *rv, unsigned me);
