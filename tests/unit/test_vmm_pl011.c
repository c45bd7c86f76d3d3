/* The VMM's emulated PL011: ID registers, reset values, masking, FR and the
 * FIFO, the interrupt status and its output level, access widths. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mmio.h"
#include "pl011.h"

static struct pl011 u;
static struct {
	uint8_t out[64];
	unsigned n;
} tx;

static void output(void *ctx, uint8_t byte)
{
	assert_ptr_equal(ctx, &tx);
	assert_true(tx.n < sizeof(tx.out));
	tx.out[tx.n++] = byte;
}

static int setup(void **state)
{
	(void)state;
	memset(&tx, 0, sizeof(tx));
	pl011_init(&u, output, &tx);
	return 0;
}

static uint64_t rd_n(uint64_t off, unsigned size)
{
	struct mmio_access a = {.size = (uint8_t)size};
	assert_true(pl011_mmio(&u, off, &a));
	return a.value;
}

static void wr_n(uint64_t off, unsigned size, uint64_t value)
{
	struct mmio_access a = {
	    .size = (uint8_t)size, .write = true, .value = value};
	assert_true(pl011_mmio(&u, off, &a));
}

static uint64_t rd(uint64_t off)
{
	return rd_n(off, 4);
}

static void wr(uint64_t off, uint64_t value)
{
	wr_n(off, 4, value);
}

static size_t input(const char *s)
{
	return pl011_input(&u, (const uint8_t *)s, strlen(s));
}

static void test_id_registers(void **state)
{
	(void)state;
	const uint8_t id[8] = {0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1};
	for (unsigned i = 0; i < 8; i++) {
		assert_int_equal(rd(0xfe0 + 4 * i), id[i]);
		wr(0xfe0 + 4 * i, 0);
		assert_int_equal(rd(0xfe0 + 4 * i), id[i]);
	}
	/* As Linux's amba bus puts them together. */
	uint32_t periphid = 0, cellid = 0;
	for (unsigned i = 0; i < 4; i++) {
		periphid |= (uint32_t)(rd(0xfe0 + 4 * i) & 0xff) << (8 * i);
		cellid |= (uint32_t)(rd(0xff0 + 4 * i) & 0xff) << (8 * i);
	}
	assert_int_equal(periphid, 0x00141011);
	assert_int_equal(cellid, 0xb105f00d);
}

static void test_reset_values(void **state)
{
	(void)state;
	assert_int_equal(rd(PL011_FR), PL011_FR_TXFE | PL011_FR_RXFE);
	assert_int_equal(rd(PL011_CR), 0x300);
	assert_int_equal(rd(PL011_IFLS), 0x12);
	assert_int_equal(rd(PL011_LCR_H), 0);
	assert_int_equal(rd(PL011_IBRD), 0);
	assert_int_equal(rd(PL011_FBRD), 0);
	assert_int_equal(rd(PL011_IMSC), 0);
	assert_int_equal(rd(PL011_RIS), PL011_INT_TX);
	assert_int_equal(rd(PL011_MIS), 0);
	assert_int_equal(rd(PL011_RSR), 0);
	assert_int_equal(rd(PL011_DMACR), 0);
	assert_false(pl011_irq_level(&u));
	assert_int_equal(pl011_rx_room(&u), 1); /* FIFO off: one byte */
}

static void test_readback_masks_reserved_bits(void **state)
{
	(void)state;
	const struct {
		uint64_t off;
		uint32_t mask;
	} regs[] = {
	    {PL011_ILPR, 0xff},	 {PL011_IBRD, 0xffff}, {PL011_FBRD, 0x3f},
	    {PL011_LCR_H, 0xff}, {PL011_CR, 0xff87},   {PL011_IFLS, 0x3f},
	    {PL011_IMSC, 0x7ff}, {PL011_DMACR, 0x7},
	};
	for (unsigned i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
		wr(regs[i].off, 0xffffffff);
		assert_int_equal(rd(regs[i].off), regs[i].mask);
		wr(regs[i].off, 0x5a5a5a5a);
		assert_int_equal(rd(regs[i].off), 0x5a5a5a5a & regs[i].mask);
	}
	assert_int_equal(tx.n, 0);
}

static void test_read_only_and_reserved(void **state)
{
	(void)state;
	wr(PL011_FR, 0);
	wr(PL011_RIS, 0);
	wr(PL011_MIS, 0xffffffff);
	assert_int_equal(rd(PL011_FR), 0x90);
	assert_int_equal(rd(PL011_RIS), PL011_INT_TX);
	uint64_t reserved[] = {0x008, 0x00c, 0x01c, 0x04c, 0x100, 0xfd0, 0xfdc};
	for (unsigned i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
		wr(reserved[i], 0xffffffff);
		assert_int_equal(rd(reserved[i]), 0);
	}
	assert_int_equal(rd(PL011_ICR), 0); /* write-only */
	assert_int_equal(tx.n, 0);
}

static void test_tx_goes_out_at_once(void **state)
{
	(void)state;
	wr(PL011_DR, 'h');
	wr_n(PL011_DR, 2, 0x0169); /* Linux: 16-bit; bits 8.. ignored */
	wr_n(PL011_DR, 1, '!');	   /* earlycon: a byte */
	assert_int_equal(tx.n, 3);
	assert_memory_equal(tx.out, "hi!", 3);
	/* Nothing ever waits in the TX FIFO. */
	assert_int_equal(rd(PL011_FR) & (PL011_FR_TXFF | PL011_FR_BUSY), 0);
	assert_int_equal(rd(PL011_FR) & PL011_FR_TXFE, PL011_FR_TXFE);
}

static void test_tx_interrupt(void **state)
{
	(void)state;
	wr(PL011_IMSC, PL011_INT_TX);
	assert_true(pl011_irq_level(&u)); /* FIFO empty: asserted */
	assert_int_equal(rd(PL011_MIS), PL011_INT_TX);
	wr(PL011_ICR, PL011_INT_TX);
	assert_false(pl011_irq_level(&u));
	assert_int_equal(rd(PL011_RIS), 0);
	wr(PL011_DR, 'x'); /* drained again at once */
	assert_true(pl011_irq_level(&u));
	wr(PL011_IMSC, 0); /* Linux's stop_tx */
	assert_false(pl011_irq_level(&u));
	assert_int_equal(rd(PL011_RIS), PL011_INT_TX);
}

static void test_rx_without_fifo(void **state)
{
	(void)state;
	assert_int_equal(input("ab"), 1); /* a holding register */
	assert_int_equal(rd(PL011_FR), PL011_FR_TXFE | PL011_FR_RXFF);
	assert_int_equal(pl011_rx_room(&u), 0);
	assert_int_equal(rd(PL011_DR), 'a');
	assert_int_equal(rd(PL011_FR), PL011_FR_TXFE | PL011_FR_RXFE);
	assert_int_equal(pl011_rx_room(&u), 1);
	assert_int_equal(input("b"), 1);
	assert_int_equal(rd_n(PL011_DR, 2), 'b');
	assert_int_equal(rd(PL011_DR), 0); /* empty */
}

static void test_rx_fifo_fills_and_drains(void **state)
{
	(void)state;
	wr(PL011_LCR_H, PL011_LCR_H_FEN | 0x60);
	assert_int_equal(pl011_rx_room(&u), 16);
	assert_int_equal(input("0123456789abcdefXYZ"), 16);
	assert_int_equal(rd(PL011_FR), PL011_FR_TXFE | PL011_FR_RXFF);
	assert_int_equal(pl011_input(&u, (const uint8_t *)"X", 1), 0);
	assert_int_equal(rd_n(PL011_DR, 1), '0');
	assert_int_equal(rd(PL011_FR), PL011_FR_TXFE);
	assert_int_equal(input("XY"), 1);
	char got[17] = {0};
	for (unsigned i = 0; i < 16; i++) {
		got[i] = (char)rd(PL011_DR);
	}
	assert_string_equal(got, "123456789abcdefX");
	assert_int_equal(rd(PL011_FR), PL011_FR_TXFE | PL011_FR_RXFE);
}

static void test_fifo_off_keeps_what_it_holds(void **state)
{
	(void)state;
	wr(PL011_LCR_H, PL011_LCR_H_FEN);
	assert_int_equal(input("abc"), 3);
	wr(PL011_LCR_H, 0);
	assert_int_equal(pl011_rx_room(&u), 0);
	assert_int_equal(rd(PL011_FR) & PL011_FR_RXFF, PL011_FR_RXFF);
	assert_int_equal(rd(PL011_DR), 'a');
	assert_int_equal(rd(PL011_DR), 'b');
	assert_int_equal(rd(PL011_DR), 'c');
	assert_int_equal(pl011_rx_room(&u), 1);
}

static void test_rx_interrupts_follow_the_fifo(void **state)
{
	(void)state;
	wr(PL011_LCR_H, PL011_LCR_H_FEN);
	wr(PL011_IMSC, PL011_INT_RX | PL011_INT_RT);
	assert_false(pl011_irq_level(&u));
	/* One byte, below the trigger (IFLS 0x12: half of 16): timeout. */
	input("a");
	assert_true(pl011_irq_level(&u));
	assert_int_equal(rd(PL011_MIS), PL011_INT_RT);
	/* Up to the trigger: RX too. */
	input("bcdefgh");
	assert_int_equal(rd(PL011_MIS), PL011_INT_RT | PL011_INT_RX);
	rd(PL011_DR);
	assert_int_equal(rd(PL011_MIS), PL011_INT_RT);
	/* ICR clears until the FIFO changes again. */
	wr(PL011_ICR, PL011_INT_RT);
	assert_false(pl011_irq_level(&u));
	input("z");
	assert_int_equal(rd(PL011_MIS), PL011_INT_RT | PL011_INT_RX);
	for (unsigned i = 0; i < 8; i++) {
		rd(PL011_DR);
	}
	assert_false(pl011_irq_level(&u));
	assert_int_equal(rd(PL011_RIS), PL011_INT_TX);
}

static void test_rx_trigger_levels(void **state)
{
	(void)state;
	const unsigned trigger[5] = {2, 4, 8, 12, 14};
	for (unsigned sel = 0; sel < 5; sel++) {
		pl011_init(&u, output, &tx);
		wr(PL011_LCR_H, PL011_LCR_H_FEN);
		wr(PL011_IFLS, sel << 3);
		wr(PL011_IMSC, PL011_INT_RX);
		for (unsigned n = 1; n <= 16; n++) {
			input("x");
			assert_int_equal(pl011_irq_level(&u),
					 n >= trigger[sel]);
		}
	}
	/* Without the FIFO, the one byte is the trigger. */
	pl011_init(&u, output, &tx);
	wr(PL011_IMSC, PL011_INT_RX);
	input("x");
	assert_true(pl011_irq_level(&u));
}

static void test_masked_status_stays_raw(void **state)
{
	(void)state;
	input("q");
	assert_int_equal(rd(PL011_RIS),
			 PL011_INT_TX | PL011_INT_RX | PL011_INT_RT);
	assert_int_equal(rd(PL011_MIS), 0);
	assert_false(pl011_irq_level(&u));
	wr(PL011_IMSC, PL011_INT_RX);
	assert_true(pl011_irq_level(&u));
	wr(PL011_ICR, PL011_INT_ALL);
	assert_int_equal(rd(PL011_RIS), 0);
	assert_false(pl011_irq_level(&u));
	assert_int_equal(rd(PL011_DR), 'q');
}

static void test_narrow_and_refused_accesses(void **state)
{
	(void)state;
	struct mmio_access a = {.size = 8};
	assert_false(pl011_mmio(&u, PL011_DR, &a));
	a = (struct mmio_access){.size = 4};
	assert_false(pl011_mmio(&u, PL011_FR + 2, &a));
	a = (struct mmio_access){.size = 2};
	assert_false(pl011_mmio(&u, PL011_FR + 1, &a));
	a = (struct mmio_access){.size = 3};
	assert_false(pl011_mmio(&u, PL011_FR, &a));
	/* A byte of FR; the upper half of CR; a write there is ignored. */
	assert_int_equal(rd_n(PL011_FR, 1), 0x90);
	wr(PL011_CR, 0xff01);
	assert_int_equal(rd_n(PL011_CR + 1, 1), 0xff);
	wr_n(PL011_CR + 2, 2, 0xffff);
	wr_n(PL011_CR + 1, 1, 0);
	assert_int_equal(rd(PL011_CR), 0xff01);
	/* A narrow write to the low part stores it zero-extended. */
	wr_n(PL011_CR, 2, 0x0301);
	assert_int_equal(rd(PL011_CR), 0x0301);
	/* DR's error byte is not its data: reading it takes nothing. */
	input("k");
	assert_int_equal(rd_n(PL011_DR + 1, 1), 0);
	assert_int_equal(rd_n(PL011_DR, 1), 'k');
}

static void test_through_the_bus(void **state)
{
	(void)state;
	struct mmio_bus bus;
	mmio_bus_init(&bus);
	assert_int_equal(
	    mmio_bus_add(&bus, PL011_BASE, PL011_SIZE, pl011_mmio, &u), 0);
	struct mmio_access a = {
	    .ipa = PL011_BASE, .size = 1, .write = true, .value = 'Z'};
	assert_int_equal(mmio_dispatch(&bus, &a), MMIO_HANDLED);
	assert_int_equal(tx.n, 1);
	a = (struct mmio_access){.ipa = PL011_BASE + 0xfe8, .size = 4};
	assert_int_equal(mmio_dispatch(&bus, &a), MMIO_HANDLED);
	assert_int_equal(a.value, 0x14);
	a = (struct mmio_access){.ipa = PL011_BASE + PL011_SIZE, .size = 4};
	assert_int_equal(mmio_dispatch(&bus, &a), MMIO_UNHANDLED);
	a = (struct mmio_access){.ipa = PL011_BASE, .size = 8};
	assert_int_equal(mmio_dispatch(&bus, &a), MMIO_REFUSED);
}

static void test_no_output_callback(void **state)
{
	(void)state;
	pl011_init(&u, NULL, NULL);
	wr(PL011_DR, 'x'); /* dropped, still drains */
	assert_int_equal(rd(PL011_RIS), PL011_INT_TX);
}

#define T(name) cmocka_unit_test_setup(name, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_id_registers),
	    T(test_reset_values),
	    T(test_readback_masks_reserved_bits),
	    T(test_read_only_and_reserved),
	    T(test_tx_goes_out_at_once),
	    T(test_tx_interrupt),
	    T(test_rx_without_fifo),
	    T(test_rx_fifo_fills_and_drains),
	    T(test_fifo_off_keeps_what_it_holds),
	    T(test_rx_interrupts_follow_the_fifo),
	    T(test_rx_trigger_levels),
	    T(test_masked_status_stays_raw),
	    T(test_narrow_and_refused_accesses),
	    T(test_through_the_bus),
	    T(test_no_output_callback),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
