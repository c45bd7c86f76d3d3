/* Constants shared by the assembly and the C of the test guest. */
#ifndef TESTGUEST_LAYOUT_H
#define TESTGUEST_LAYOUT_H

/* Where guest.ld links the image (RAM base 0x40000000 + text_offset); the
 * code relocates itself wherever it is actually loaded. */
#define LINK_BASE	  0x40080000
#define STACK_SIZE	  16384
#define CPU_OFF_STACK_TOP 16 /* offsetof(struct cpu, stack_top) */
#define CPU_OFF_BENCH	  24 /* offsetof(struct cpu, bench) */
/* struct bench_irq (guest.h), which benchloop.S's handler fills */
#define BENCH_OFF_ENTRY 0
#define BENCH_OFF_INTID 16
#define BENCH_OFF_TAKEN 24

#endif
