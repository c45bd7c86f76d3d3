#include "pl011.h"

#include <string.h>

/* Writable bits. CR's 6:3 are reserved. */
#define ILPR_MASK  0xffu
#define IBRD_MASK  0xffffu
#define FBRD_MASK  0x3fu
#define LCR_H_MASK 0xffu
#define CR_MASK	   0xff87u
#define IFLS_MASK  0x3fu
#define DMACR_MASK 0x7u

#define CR_RESET   0x300u /* TXE | RXE */
#define IFLS_RESET 0x12u  /* both trigger levels at half */

/* PeriphID0..3 (part 0x011, designer Arm, revision 1), PCellID0..3. */
static const uint8_t id_bytes[8] = {0x11, 0x10, 0x14, 0x00,
				    0x0d, 0xf0, 0x05, 0xb1};

void pl011_init(struct pl011 *u, pl011_output_fn output, void *ctx)
{
	memset(u, 0, sizeof(*u));
	u->output = output;
	u->ctx = ctx;
	u->cr = CR_RESET;
	u->ifls = IFLS_RESET;
	u->ris = PL011_INT_TX; /* the empty TX FIFO is below its trigger */
}

static unsigned depth(const struct pl011 *u)
{
	return (u->lcr_h & PL011_LCR_H_FEN) ? PL011_FIFO_DEPTH : 1;
}

/* IFLS.RXIFLSEL: 1/8, 1/4, 1/2, 3/4, 7/8 of the FIFO (reserved: 1/2); a
 * disabled FIFO triggers on its one byte. */
static unsigned rx_trigger(const struct pl011 *u)
{
	static const unsigned level[8] = {2, 4, 8, 12, 14, 8, 8, 8};

	if (!(u->lcr_h & PL011_LCR_H_FEN)) {
		return 1;
	}
	return level[(u->ifls >> 3) & 7];
}

size_t pl011_rx_room(const struct pl011 *u)
{
	return u->rx_count < depth(u) ? depth(u) - u->rx_count : 0;
}

/* The FIFO changed: RX and RT say again where it stands. */
static void rx_changed(struct pl011 *u)
{
	u->ris &= ~(PL011_INT_RX | PL011_INT_RT);
	if (u->rx_count >= rx_trigger(u)) {
		u->ris |= PL011_INT_RX;
	}
	if (u->rx_count > 0) {
		u->ris |= PL011_INT_RT; /* no time passes: timed out already */
	}
}

size_t pl011_input(struct pl011 *u, const uint8_t *bytes, size_t n)
{
	size_t taken = 0;

	while (taken < n && pl011_rx_room(u) > 0) {
		u->rx[(u->rx_head + u->rx_count) % PL011_FIFO_DEPTH] =
		    bytes[taken++];
		u->rx_count++;
	}
	if (taken > 0) {
		rx_changed(u);
	}
	return taken;
}

bool pl011_irq_level(const struct pl011 *u)
{
	return (u->ris & u->imsc) != 0;
}

static uint32_t read_dr(struct pl011 *u)
{
	uint32_t c = 0;

	if (u->rx_count > 0) {
		c = u->rx[u->rx_head];
		u->rx_head = (u->rx_head + 1) % PL011_FIFO_DEPTH;
		u->rx_count--;
	}
	u->rsr = 0; /* no receive errors are modelled */
	rx_changed(u);
	return c;
}

static uint32_t read_fr(const struct pl011 *u)
{
	uint32_t fr = PL011_FR_TXFE;

	if (u->rx_count == 0) {
		fr |= PL011_FR_RXFE;
	}
	if (u->rx_count >= depth(u)) {
		fr |= PL011_FR_RXFF;
	}
	return fr;
}

static uint32_t read_reg(struct pl011 *u, uint64_t reg)
{
	switch (reg) {
	case PL011_DR:
		return read_dr(u);
	case PL011_RSR:
		return u->rsr;
	case PL011_FR:
		return read_fr(u);
	case PL011_ILPR:
		return u->ilpr;
	case PL011_IBRD:
		return u->ibrd;
	case PL011_FBRD:
		return u->fbrd;
	case PL011_LCR_H:
		return u->lcr_h;
	case PL011_CR:
		return u->cr;
	case PL011_IFLS:
		return u->ifls;
	case PL011_IMSC:
		return u->imsc;
	case PL011_RIS:
		return u->ris;
	case PL011_MIS:
		return u->ris & u->imsc;
	case PL011_DMACR:
		return u->dmacr;
	default:
		if (reg >= PL011_ID && reg < PL011_SIZE) {
			return id_bytes[(reg - PL011_ID) / 4];
		}
		return 0; /* reserved and write-only registers */
	}
}

static void write_dr(struct pl011 *u, uint32_t value)
{
	if (u->output != NULL) {
		u->output(u->ctx, (uint8_t)value);
	}
	u->ris |= PL011_INT_TX; /* drained through the trigger level again */
}

static void write_lcr_h(struct pl011 *u, uint32_t value)
{
	u->lcr_h = value & LCR_H_MASK;
	/* A new FIFO depth moves the trigger. Bytes already held stay: the
	 * guest reads them out, nothing new comes in until there is room. */
	rx_changed(u);
}

static void write_reg(struct pl011 *u, uint64_t reg, uint32_t value)
{
	switch (reg) {
	case PL011_DR:
		write_dr(u, value);
		break;
	case PL011_RSR:
		u->rsr = 0; /* ECR: any write clears the errors */
		break;
	case PL011_ILPR:
		u->ilpr = value & ILPR_MASK;
		break;
	case PL011_IBRD:
		u->ibrd = value & IBRD_MASK;
		break;
	case PL011_FBRD:
		u->fbrd = value & FBRD_MASK;
		break;
	case PL011_LCR_H:
		write_lcr_h(u, value);
		break;
	case PL011_CR:
		u->cr = value & CR_MASK;
		break;
	case PL011_IFLS:
		u->ifls = value & IFLS_MASK;
		rx_changed(u);
		break;
	case PL011_IMSC:
		u->imsc = value & PL011_INT_ALL;
		break;
	case PL011_ICR:
		u->ris &= ~(value & PL011_INT_ALL);
		break;
	case PL011_DMACR:
		u->dmacr = value & DMACR_MASK;
		break;
	default:
		break; /* FR, RIS, MIS, IDs: read-only; reserved: WI */
	}
}

bool pl011_mmio(void *uart, uint64_t offset, struct mmio_access *a)
{
	struct pl011 *u = uart;
	uint64_t reg = offset & ~3ull;
	unsigned shift = 8 * (unsigned)(offset & 3);

	if (a->size > 4 || !mmio_aligned(offset, a->size)) {
		return false;
	}
	if (!a->write) {
		/* Only an access that covers DR's data byte takes it. */
		if (reg == PL011_DR && shift != 0) {
			return true; /* error bits: none, RAZ */
		}
		a->value = (uint64_t)read_reg(u, reg) >> shift;
	} else if (shift == 0) {
		write_reg(u, reg, (uint32_t)a->value);
	}
	return true;
}
