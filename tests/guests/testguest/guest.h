/*
 * The test guest's shared declarations: per-CPU state, console, timing,
 * exceptions and SMCCC calls. One ELF, entered at EL1 by any arm64 Image
 * loader (QEMU -kernel, Cairn's VMM) with the DTB in x0.
 */
#ifndef TESTGUEST_GUEST_H
#define TESTGUEST_GUEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "layout.h"

#define CPU_MAX	       8
#define ARRAY_SIZE(a)  (sizeof(a) / sizeof((a)[0]))
#define SGI_PING       1 /* the SGI tests */
#define SGI_WAKE       2 /* the WFI tests' watchdog */
#define INTID_SPURIOUS 1020

/* What head.S found at entry, before touching anything. */
struct entry_state {
	uint64_t x[4];
	uint64_t current_el, sctlr, daif;
	uint64_t load_addr;
};
extern struct entry_state entry_state;

/* One exception caught while a CPU was catching (see catch_begin). */
struct fault {
	unsigned count;
	uint64_t esr, far, elr;
};

/* What the benchmark's interrupt handler (benchloop.S) saw last, and
 * totals; laid out as layout.h's BENCH_OFF_* say. */
struct bench_irq {
	volatile uint64_t entry;     /* CNTVCT at the vector */
	volatile uint64_t ack;	     /* CNTVCT after ICC_IAR1_EL1 */
	volatile uint64_t intid;     /* what ICC_IAR1_EL1 gave */
	volatile uint64_t taken;     /* interrupts taken and EOIed */
	volatile uint64_t eoi_ticks; /* their EOIs' ticks, summed */
};

struct cpu;
typedef void (*cpu_fn)(struct cpu *c, uint64_t arg);

struct cpu {
	unsigned idx;
	uint64_t mpidr;
	uintptr_t stack_top;
	struct bench_irq bench;
	uintptr_t gicr; /* RD_base of its redistributor; 0 if not found */
	volatile bool online;
	volatile uint64_t sp_seen, sctlr_seen, mpidr_seen;

	/* The boot CPU hands a secondary work through these. */
	volatile cpu_fn cmd;
	volatile uint64_t cmd_arg;
	volatile unsigned cmd_seq, done_seq;
	volatile int result; /* 0 ok; the task's message in msg */
	char msg[160];

	/* Exceptions. */
	volatile bool catching;
	struct fault caught;
	volatile unsigned aborts, undefs, serrors, other_sync;
	volatile uint64_t other_esr; /* the last of other_sync */
	struct fault recovered;	     /* see exceptions.c */

	/* Interrupts. */
	volatile unsigned sgi_count[16];
	volatile unsigned timer_count, other_irqs, spurious;
	volatile unsigned spi_count;
	volatile unsigned last_spi;
	volatile unsigned timer_reload; /* re-arms left in the handler */
	volatile uint64_t timer_period; /* ticks between re-arms */
	volatile unsigned timer_early;	/* expiries before their CVAL */
	volatile bool probe_active;	/* read ISACTIVER0 in the handler */
	volatile int active_seen;	/* -1 not probed, 0/1 the bit */
	volatile int pending_seen_in_handler; /* likewise, ISPENDR0 */
	unsigned fp_ticks;		      /* timer ticks in the FP test */
};

_Static_assert(offsetof(struct cpu, stack_top) == CPU_OFF_STACK_TOP,
	       "head.S reads the stack top at CPU_OFF_STACK_TOP");
_Static_assert(offsetof(struct cpu, bench) == CPU_OFF_BENCH &&
		   offsetof(struct bench_irq, entry) == BENCH_OFF_ENTRY &&
		   offsetof(struct bench_irq, intid) == BENCH_OFF_INTID &&
		   offsetof(struct bench_irq, taken) == BENCH_OFF_TAKEN,
	       "benchloop.S writes struct bench_irq at these offsets");

extern struct cpu cpus[CPU_MAX];
extern unsigned ncpus;
extern unsigned boot_cpu;

static inline struct cpu *this_cpu(void)
{
	struct cpu *c;
	__asm__ volatile("mrs %0, tpidr_el1" : "=r"(c));
	return c;
}

/* lib.c */
void *memset(void *s, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t n);
char *strrchr(const char *s, int c);
int strncmp(const char *a, const char *b, size_t n);
int strcmp(const char *a, const char *b);
int vformat(char *buf, size_t size, const char *fmt, va_list ap);
int format(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
bool parse_u64(const char *s, size_t n, uint64_t *out);

/* print.c: PL011, polled; one lock per call, so lines do not mix. */
void uart_init(uintptr_t base);
void print(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* timer.c */
uint64_t now(void);
uint64_t ticks_per_sec(void);
uint64_t us_to_ticks(uint64_t us);
void delay_us(uint64_t us);
void vtimer_arm_at(uint64_t cval);
void vtimer_stop(void);
void timer_irq(struct cpu *c);

/* exceptions.c */
void catch_begin(void);
struct fault catch_end(void);
/* While tests run: survive what a half-done hypervisor may do (below). */
void exceptions_guard(bool on);
void exceptions_report_unexpected(const char *what, uint64_t esr, uint64_t far,
				  uint64_t elr);

/* SMCCC calls over the DTB's conduit (psci.c, smccc.S) */
enum conduit { CONDUIT_NONE, CONDUIT_HVC, CONDUIT_SMC };
struct smccc_res {
	uint64_t a0, a1, a2, a3;
};
struct smccc_res smccc_call(enum conduit via, const uint64_t args[8]);
int64_t psci_call(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3);
void system_off(void) __attribute__((noreturn));

#define PSCI_VERSION	       0x84000000u
#define PSCI_CPU_OFF	       0x84000002u
#define PSCI_CPU_ON	       0xc4000003u
#define PSCI_AFFINITY_INFO     0xc4000004u
#define PSCI_MIGRATE_INFO_TYPE 0x84000006u
#define PSCI_SYSTEM_OFF	       0x84000008u
#define PSCI_FEATURES	       0x8400000au
#define SMCCC_VERSION	       0x80000000u
#define TRNG_VERSION	       0x84000050u
#define VENDOR_HYP_UID	       0x8600ff01u

#define PSCI_SUCCESS	    0
#define PSCI_NOT_SUPPORTED  (-1)
#define PSCI_INVALID_PARAMS (-2)
#define PSCI_ALREADY_ON	    (-4)
#define AFF_ON		    0
#define AFF_OFF		    1

/* smp.c */
const char *cpu_bring_up(struct cpu *c);
void cpu_run(struct cpu *c, cpu_fn fn, uint64_t arg);
bool cpu_wait(struct cpu *c, uint64_t timeout_us);
void secondary_idle(struct cpu *c) __attribute__((noreturn));
bool smp_tried(void);
void smp_bring_up_all(bool verbose, char *why, size_t why_size);
unsigned secondaries_online(void);

/* Assembly (head.S, fpregs.S). */
extern char _start_image[], __image_end[];
void secondary_entry(void);
void fp_load_all(const void *buf512);
void fp_store_all(void *buf512);
void dcache_inval_range(uintptr_t start, uintptr_t end);

/* main.c */
void guest_main(void) __attribute__((noreturn));
void secondary_main(struct cpu *c) __attribute__((noreturn));

#endif
