/*
 * The SMMUv3: probe, enable, the command queue and the event queue. The
 * policy (which stream may translate through which VSpace, and who hears of
 * its faults) is objects/stream.c's; this file only programs the device:
 *
 *   - every stream table entry is valid and aborting from the moment the
 *     SMMU is enabled, and before that (and whenever it is disabled) the
 *     global bypass register aborts every transaction: nothing bypasses;
 *   - each operation ends with a CMD_SYNC and waits, bounded, for the
 *     command queue to drain; a timeout or a command error is a failure of
 *     the SMMU, which then is disabled with GBPA aborting (fail closed), so
 *     a caller never goes on while stale state may still translate;
 *   - the event queue and the global errors are drained on their wired
 *     interrupts and each event goes to stream_fault().
 *
 * Only the boot CPU runs threads and the kernel runs with interrupts
 * masked, so nothing here needs a lock: one operation is in the queue at a
 * time, and it is empty again when the operation returns.
 */
#include "arch/smmu.h"
#include "arch.h"
#include "arch/sysreg.h"
#include "assert.h"
#include "kmem.h"
#include "objects/irq.h"
#include "objects/stream.h"
#include "print.h"
#include "vmid.h"

#include <string.h>

/* Registers: page 0, and page 1 (+64 KiB) for the event queue pointers. */
#define IDR0		0x00
#define IDR1		0x04
#define IDR5		0x14
#define CR0		0x20
#define CR0ACK		0x24
#define CR1		0x28
#define CR2		0x2c
#define GBPA		0x44
#define IRQ_CTRL	0x50
#define IRQ_CTRLACK	0x54
#define GERROR		0x60
#define GERRORN		0x64
#define GERROR_IRQ_CFG0 0x68
#define STRTAB_BASE	0x80
#define STRTAB_BASE_CFG 0x88
#define CMDQ_BASE	0x90
#define CMDQ_PROD	0x98
#define CMDQ_CONS	0x9c
#define EVENTQ_BASE	0xa0
#define EVENTQ_IRQ_CFG0 0xb0
#define EVENTQ_PROD	0x100a8
#define EVENTQ_CONS	0x100ac
#define PAGE1_END	0x20000

#define CR0_SMMUEN	  (1U << 0)
#define CR0_EVENTQEN	  (1U << 2)
#define CR0_CMDQEN	  (1U << 3)
#define CR1_QUEUE_IC_LO	  0 /* queue and table walk attributes */
#define CR1_QUEUE_OC_LO	  2
#define CR1_QUEUE_SH_LO	  4
#define CR1_TABLE_IC_LO	  6
#define CR1_TABLE_OC_LO	  8
#define CR1_TABLE_SH_LO	  10
#define CR1_CACHE_WB	  1
#define CR1_SH_INNER	  3
#define CR1_SH_OUTER	  2
#define CR2_E2H		  (1U << 0)
#define CR2_RECINVSID	  (1U << 1) /* record StreamIDs out of range */
#define CR2_PTM		  (1U << 2) /* TLBs maintained by command only */
#define GBPA_ABORT	  (1U << 20)
#define GBPA_UPDATE	  (1U << 31)
#define IRQ_CTRL_GERROR	  (1U << 0)
#define IRQ_CTRL_EVENTQ	  (1U << 2)
#define GERROR_CMDQ_ERR	  (1U << 0)
#define GERROR_EVENTQ_ABT (1U << 2)
#define GERROR_SFM	  (1U << 8)
#define CMDQ_CONS_ERR_LO  24	       /* [30:24] */
#define Q_BASE_RWA	  (1ULL << 62) /* read/write allocate */
#define Q_OVERFLOW	  (1U << 31)   /* EVENTQ_PROD.OVFLG, CONS.OVACKFLG */
#define STRTAB_BASE_RA	  (1ULL << 62)

#define CMDQ_BITS 5 /* 32 commands: one operation at a time */
/* 2 048 events between two interrupts: a device's refused page can be a
 * thousand faults (QEMU retries 4 bytes at a time), two at once fit. */
#define EVENTQ_BITS 11
#define STREAM_BITS 8 /* SMMU_STREAMS_MAX */
#define TIMEOUT_MS  100
#define CACHE_LINE  64

_Static_assert((1U << STREAM_BITS) == SMMU_STREAMS_MAX, "one STE a stream");

/* The tables it reads and writes, carved from RAM at boot, one block. */
#define STRTAB_BYTES ((1U << STREAM_BITS) * SMMU_STE_WORDS * 8)
#define EVENTQ_BYTES ((1U << EVENTQ_BITS) * SMMU_EVENT_WORDS * 8)
#define CMDQ_BYTES   ((1U << CMDQ_BITS) * SMMU_CMD_WORDS * 8)
/* One context descriptor per VMID: an IOSpace's, in stage-1 format. */
#define CDTAB_BYTES (VMID_COUNT * SMMU_CD_WORDS * 8)
/* Each table aligned to its size, as the SMMU requires of queue and
 * stream-table bases (the block is aligned to its own size): the event
 * queue first, as the largest. */
#define EVENTQ_OFF  0
#define STRTAB_OFF  EVENTQ_BYTES
#define CMDQ_OFF    (STRTAB_OFF + STRTAB_BYTES)
#define CDTAB_OFF   (CMDQ_OFF + KiB(16))
#define BLOCK_BYTES KiB(128)
_Static_assert(EVENTQ_BYTES >= STRTAB_BYTES && STRTAB_OFF % STRTAB_BYTES == 0 &&
		   CMDQ_OFF % CMDQ_BYTES == 0 && CMDQ_BYTES <= KiB(16) &&
		   CDTAB_OFF % CDTAB_BYTES == 0 &&
		   CDTAB_OFF + CDTAB_BYTES <= BLOCK_BYTES,
	       "the SMMU's memory fits its block, each table aligned");

static struct arch_smmu_info info;
static struct smmu_features feat;
static volatile uint8_t *regs;
static uint64_t *strtab, *eventq, *cmdq, *cdtab;
static uint32_t cmdq_prod;
static unsigned streams_bits; /* the stream table's, at most STREAM_BITS */
static bool walks_coherent;
/* Its command queue is running and answering: commands can complete. */
static bool live;
static uint64_t events;
/* The event queue's size in use: EVENTQ_BITS, or less if the SMMU's
 * IDR1.EVENTQS allows less. */
static unsigned eventq_bits;

static uint32_t rd32(uint32_t off)
{
	return *(volatile uint32_t *)(regs + off);
}

static void wr32(uint32_t off, uint32_t v)
{
	*(volatile uint32_t *)(regs + off) = v;
}

static void wr64(uint32_t off, uint64_t v)
{
	*(volatile uint64_t *)(regs + off) = v;
}

static uint64_t deadline(void)
{
	return arch_counter() + arch_counter_freq() / 1000 * TIMEOUT_MS;
}

/* Waits, bounded, until (register & mask) == want. */
static bool poll(uint32_t off, uint32_t mask, uint32_t want)
{
	uint64_t end = deadline();

	while ((rd32(off) & mask) != want) {
		if (arch_counter() > end) {
			return false;
		}
	}
	return true;
}

/* A register write the SMMU acknowledges in its ACK twin (CR0, IRQ_CTRL). */
static bool write_acked(uint32_t off, uint32_t ack, uint32_t v)
{
	wr32(off, v);
	return poll(ack, 0xffffffffU, v);
}

/*
 * Memory the SMMU reads: with coherent access a barrier makes the writes
 * visible to it; otherwise they are cleaned to the point of coherency, as
 * its reads bypass the caches.
 */
static void to_device(const void *p, size_t n)
{
	if (!walks_coherent) {
		uintptr_t a = (uintptr_t)p & ~(uintptr_t)(CACHE_LINE - 1);
		for (; a < (uintptr_t)p + n; a += CACHE_LINE) {
			__asm__ volatile("dc cvac, %0" ::"r"(a) : "memory");
		}
	}
	dsb(ish);
}

/* Memory the SMMU wrote (an event record), read fresh. */
static void from_device(const void *p, size_t n)
{
	if (!walks_coherent) {
		uintptr_t a = (uintptr_t)p & ~(uintptr_t)(CACHE_LINE - 1);
		for (; a < (uintptr_t)p + n; a += CACHE_LINE) {
			__asm__ volatile("dc ivac, %0" ::"r"(a) : "memory");
		}
	}
	dsb(ish);
}

/*
 * The SMMU failed (a command timed out or was refused, or it entered
 * service failure mode): it is turned off, and with GBPA aborting every
 * transaction aborts. Nothing that was bound translates any more, so no
 * invalidation it could not complete can leave a stale translation live.
 */
static void fail_closed(const char *why)
{
	if (!live) {
		return;
	}
	live = false;
	info.enabled = false;
	info.can_share = false;
	info.io_bindable = false;
	wr32(IRQ_CTRL, 0);
	wr32(CR0, 0);
	bool off = poll(CR0ACK, CR0_SMMUEN, 0);
	kprintf("smmu: %s: SMMU disabled, every DMA transaction now aborts%s\n",
		why, off ? "" : " (it did not acknowledge)");
}

/* A CMD_SYNC's wait: the command queue empty, or an error. */
static bool cmdq_drained(const char **why)
{
	uint64_t end = deadline();

	for (;;) {
		uint32_t cons = rd32(CMDQ_CONS);
		if ((rd32(GERROR) ^ rd32(GERRORN)) & GERROR_CMDQ_ERR) {
			*why = ((cons >> CMDQ_CONS_ERR_LO) & 0x7f) == 1
				   ? "a command was refused as illegal"
				   : "a command failed";
			return false;
		}
		if (smmu_q_empty(cmdq_prod, cons, CMDQ_BITS)) {
			return true;
		}
		if (arch_counter() > end) {
			*why = "a CMD_SYNC did not complete in time";
			return false;
		}
	}
}

/*
 * Issues n commands and a CMD_SYNC, and returns when the SMMU has consumed
 * them all (a sync completes only after everything before it has). The
 * queue is empty on entry (each call drains it), so it never overflows.
 */
static bool submit(const uint64_t (*cmds)[SMMU_CMD_WORDS], unsigned n)
{
	const char *why = NULL;

	if (!live) {
		return false; /* off: everything aborts, nothing to flush */
	}
	ASSERT(n + 1 <= (1U << CMDQ_BITS));
	ASSERT(smmu_q_empty(cmdq_prod, rd32(CMDQ_CONS), CMDQ_BITS));
	for (unsigned i = 0; i <= n; i++) {
		uint64_t *slot =
		    &cmdq[smmu_q_index(cmdq_prod, CMDQ_BITS) * SMMU_CMD_WORDS];
		if (i < n) {
			slot[0] = cmds[i][0];
			slot[1] = cmds[i][1];
		} else {
			smmu_cmd_sync(slot);
		}
		to_device(slot, SMMU_CMD_WORDS * 8);
		cmdq_prod = smmu_q_next(cmdq_prod, CMDQ_BITS);
	}
	wr32(CMDQ_PROD, cmdq_prod);
	if (cmdq_drained(&why)) {
		return true;
	}
	fail_closed(why);
	return false;
}

static uint64_t *ste_of(uint32_t sid)
{
	ASSERT(sid < (1U << streams_bits));
	return &strtab[sid * SMMU_STE_WORDS];
}

/* Carves a zeroed, size-aligned block from free RAM (size a power of 2). */
static void *carve(struct memmap *free, uint64_t size)
{
	for (size_t i = 0; i < free->count; i++) {
		uint64_t base = ALIGN_UP(pa_addr(free->range[i].base), size);
		if (base + size <= pa_addr(free->range[i].end) &&
		    memmap_remove(free, pa_init(base), size) == K_OK) {
			void *p = kmem_ptr(pa_init(base));
			memset(p, 0, size);
			return p;
		}
	}
	return NULL;
}

static uint64_t ram_top(const struct platform *p)
{
	uint64_t top = 0;

	for (size_t i = 0; i < p->ram.count; i++) {
		if (pa_addr(p->ram.range[i].end) > top) {
			top = pa_addr(p->ram.range[i].end);
		}
	}
	return top;
}

/* The one probe line: what it can do, and whether it can share. */
static void print_probe(const struct platform *p, const char *refusal)
{
	kprintf("smmu: SMMUv3 at 0x%lx: stage %s, IAS %u OAS %u bits, "
		"granules%s%s%s, %u-bit StreamIDs (%u covered), cmdq 2^%u "
		"eventq 2^%u, %scoherent walks; shares CPU stage-2 tables: "
		"%s%s%s\n",
		pa_addr(p->smmu.base),
		feat.stage1 && feat.stage2 ? "1+2"
		: feat.stage2		   ? "2"
		: feat.stage1		   ? "1"
					   : "none",
		feat.ias_bits, feat.oas_bits, feat.gran4k ? " 4K" : "",
		feat.gran16k ? " 16K" : "", feat.gran64k ? " 64K" : "",
		feat.sid_bits, info.streams, feat.cmdq_bits, feat.eventq_bits,
		walks_coherent ? "" : "non-", refusal == NULL ? "yes" : "no (",
		refusal == NULL ? "" : refusal, refusal == NULL ? "" : ")");
}

/* Every step of turning it on; false (and why) if one fails. */
static bool enable(struct memmap *free, const char **why)
{
	/* Off first (firmware may have left it on), everything aborting. */
	if (!write_acked(CR0, CR0ACK, 0)) {
		*why = "it does not acknowledge being turned off";
		return false;
	}
	wr32(GBPA, GBPA_ABORT | GBPA_UPDATE);
	if (!poll(GBPA, GBPA_UPDATE, 0)) {
		*why = "its global bypass does not update";
		return false;
	}
	if (!write_acked(IRQ_CTRL, IRQ_CTRLACK, 0)) {
		*why = "its interrupt control does not acknowledge";
		return false;
	}
	uint8_t *block = carve(free, BLOCK_BYTES);
	if (block == NULL) {
		*why = "no free RAM for its tables";
		return false;
	}
	eventq = (uint64_t *)(block + EVENTQ_OFF);
	strtab = (uint64_t *)(block + STRTAB_OFF);
	cmdq = (uint64_t *)(block + CMDQ_OFF);
	cdtab = (uint64_t *)(block + CDTAB_OFF);
	for (uint32_t sid = 0; sid < (1U << streams_bits); sid++) {
		smmu_ste_abort(ste_of(sid));
	}
	to_device(block, BLOCK_BYTES);

	uint32_t ic = walks_coherent ? CR1_CACHE_WB : 0;
	uint32_t sh = walks_coherent ? CR1_SH_INNER : CR1_SH_OUTER;
	wr32(CR1, ic << CR1_QUEUE_IC_LO | ic << CR1_QUEUE_OC_LO |
		      sh << CR1_QUEUE_SH_LO | ic << CR1_TABLE_IC_LO |
		      ic << CR1_TABLE_OC_LO | sh << CR1_TABLE_SH_LO);
	wr32(CR2, CR2_RECINVSID | CR2_PTM);
	wr64(STRTAB_BASE, pa_addr(kmem_pa(strtab)) | STRTAB_BASE_RA);
	wr32(STRTAB_BASE_CFG, streams_bits); /* linear, LOG2SIZE */
	wr64(CMDQ_BASE, pa_addr(kmem_pa(cmdq)) | Q_BASE_RWA | CMDQ_BITS);
	wr32(CMDQ_PROD, 0);
	wr32(CMDQ_CONS, 0);
	cmdq_prod = 0;
	eventq_bits =
	    feat.eventq_bits < EVENTQ_BITS ? feat.eventq_bits : EVENTQ_BITS;
	wr64(EVENTQ_BASE, pa_addr(kmem_pa(eventq)) | Q_BASE_RWA | eventq_bits);
	wr32(EVENTQ_PROD, 0);
	wr32(EVENTQ_CONS, 0);
	if (!write_acked(CR0, CR0ACK, CR0_CMDQEN)) {
		*why = "its command queue does not start";
		return false;
	}
	/* Nothing cached from before: configuration and TLBs. */
	uint64_t inval[2][SMMU_CMD_WORDS];
	smmu_cmd_cfgi_all(inval[0]);
	smmu_cmd_tlbi_nsnh_all(inval[1]);
	live = true;
	if (!submit(inval, 2)) {
		*why = "its first invalidation failed";
		return false;
	}
	if (!write_acked(CR0, CR0ACK, CR0_CMDQEN | CR0_EVENTQEN)) {
		*why = "its event queue does not start";
		return false;
	}
	/* Wired interrupts, not MSIs; errors left from before acknowledged. */
	wr64(GERROR_IRQ_CFG0, 0);
	wr64(EVENTQ_IRQ_CFG0, 0);
	wr32(GERRORN, rd32(GERROR));
	if (!write_acked(IRQ_CTRL, IRQ_CTRLACK,
			 IRQ_CTRL_GERROR | IRQ_CTRL_EVENTQ)) {
		*why = "its interrupts do not enable";
		return false;
	}
	if (!write_acked(CR0, CR0ACK, CR0_CMDQEN | CR0_EVENTQEN | CR0_SMMUEN)) {
		*why = "it does not acknowledge being enabled";
		return false;
	}
	return true;
}

void arch_smmu_init(const struct platform *p, struct memmap *free)
{
	const char *why = NULL;

	if (!p->has_smmu) {
		kprintf("smmu: none in the DTB: DMA is not isolated\n");
		return;
	}
	if (p->smmu.size < PAGE1_END ||
	    arch_mmu_map(va_init(pa_addr(p->smmu.base)), p->smmu.base,
			 p->smmu.size, MMU_DEVICE) != K_OK) {
		kprintf("smmu: cannot map its registers: DMA is not "
			"isolated\n");
		return;
	}
	regs = (volatile uint8_t *)pa_addr(p->smmu.base);
	smmu_decode_features(rd32(IDR0), rd32(IDR1), rd32(IDR5), &feat);
	walks_coherent = feat.coherent && p->smmu_dma_coherent;
	streams_bits =
	    feat.sid_bits < STREAM_BITS ? feat.sid_bits : STREAM_BITS;
	const char *refusal = smmu_share_refusal(&feat, p->smmu_dma_coherent,
						 S2_IPA_BITS, ram_top(p));
	enum smmu_io_format io = smmu_io_format(&feat, p->smmu_dma_coherent,
						S2_IPA_BITS, ram_top(p));
	info = (struct arch_smmu_info){
	    .present = true,
	    .can_share = refusal == NULL,
	    .io_stage1 = io == SMMU_IO_S1,
	    .io_bindable = io != SMMU_IO_NONE,
	    .stage1 = feat.stage1,
	    .stage2 = feat.stage2,
	    .coherent = walks_coherent,
	    .sid_bits = feat.sid_bits,
	    .streams = 1U << streams_bits,
	    .ias_bits = feat.ias_bits,
	    .oas_bits = feat.oas_bits,
	};
	print_probe(p, refusal);
	if (!enable(free, &why)) {
		info.enabled = false;
		info.can_share = false;
		info.io_bindable = false;
		info.streams = 0;
		live = false;
		wr32(CR0, 0); /* GBPA aborts, whatever step failed */
		kprintf("smmu: not enabled: %s; every DMA transaction "
			"aborts\n",
			why);
		return;
	}
	info.enabled = true;
	kprintf("smmu: enabled: %u streams, every one aborting until bound; "
		"cmdq %u, eventq %u entries; IOSpaces: %s\n",
		info.streams, 1U << CMDQ_BITS, 1U << eventq_bits,
		!info.io_bindable ? "not walkable"
		: info.io_stage1  ? "stage-1 tables"
				  : "stage-2 tables");
}

const struct arch_smmu_info *arch_smmu_info(void)
{
	return &info;
}

/* The event queue's interrupt: every record to stream_fault(). */
static void drain_events(void)
{
	uint32_t prod = rd32(EVENTQ_PROD);
	uint32_t cons = rd32(EVENTQ_CONS);

	if ((prod ^ cons) & Q_OVERFLOW) {
		/* The queue filled between two drains: events were lost. */
		info.events_lost++;
		kprintf("smmu: event queue overflowed (%lu times): events "
			"lost\n",
			(unsigned long)info.events_lost);
	}
	for (unsigned n = 0;
	     n < (1U << eventq_bits) && !smmu_q_empty(prod, cons, eventq_bits);
	     n++) {
		const uint64_t *rec =
		    &eventq[smmu_q_index(cons, eventq_bits) * SMMU_EVENT_WORDS];
		struct smmu_event ev;
		uint64_t fault[CAIRN_STREAM_FAULT_WORDS];

		from_device(rec, SMMU_EVENT_WORDS * 8);
		smmu_event_decode(rec, &ev);
		smmu_event_to_fault(&ev, fault);
		events++;
		stream_fault(ev.sid, fault);
		cons = smmu_q_next(cons, eventq_bits);
	}
	/* Consumed; the overflow (if any) acknowledged. */
	wr32(EVENTQ_CONS, cons | (prod & Q_OVERFLOW));
	stream_faults_drained();
}

static void eventq_interrupt(void)
{
	if (regs != NULL) {
		drain_events();
	}
}

static void gerror_interrupt(void)
{
	uint32_t g = rd32(GERROR);
	uint32_t active = g ^ rd32(GERRORN);

	if (active == 0) {
		return;
	}
	kprintf("smmu: global error 0x%x%s%s%s\n", active,
		(active & GERROR_CMDQ_ERR) ? ": command queue error" : "",
		(active & GERROR_EVENTQ_ABT) ? ": event queue write aborted "
					       "(events lost)"
					     : "",
		(active & GERROR_SFM) ? ": service failure mode" : "");
	if (active & GERROR_EVENTQ_ABT) {
		info.events_lost++; /* a record that did not fit (QEMU's way) */
	}
	/* Acknowledged by making GERRORN equal GERROR again. */
	wr32(GERRORN, g);
	if (active & (GERROR_SFM | GERROR_CMDQ_ERR)) {
		fail_closed("a global error");
	}
}

void arch_smmu_start_interrupts(const struct platform *p)
{
	if (regs == NULL || !info.enabled) {
		return;
	}
	/* The SMMU's wired interrupts are edge-triggered pulses. */
	if (p->smmu_eventq_intid != 0) {
		irq_kernel_claim(p->smmu_eventq_intid, true, eventq_interrupt);
	}
	if (p->smmu_gerror_intid != 0) {
		irq_kernel_claim(p->smmu_gerror_intid, true, gerror_interrupt);
	}
	kprintf("smmu: interrupts: eventq intid %u, gerror intid %u%s\n",
		p->smmu_eventq_intid, p->smmu_gerror_intid,
		p->smmu_eventq_intid == 0 ? " (no eventq interrupt: events "
					    "wait for the next drain)"
					  : "");
	/* Whatever arrived before the GIC listened. */
	drain_events();
	gerror_interrupt();
}

/*
 * The SMMU reads an STE 64 bits at a time, whenever it likes: while word 0
 * still says abort, the rest is ignored, so it goes first and word 0 last;
 * each of the SMMU's reads then sees an aborting entry or the whole new
 * one. CFGI_STE drops any copy it cached (and the CD cached through it).
 */
static void install_ste(uint32_t sid, const uint64_t ste[SMMU_STE_WORDS])
{
	uint64_t *entry = ste_of(sid);
	uint64_t cmd[1][SMMU_CMD_WORDS];

	ASSERT(smmu_ste_is_abort(entry));
	for (unsigned i = 1; i < SMMU_STE_WORDS; i++) {
		entry[i] = ste[i];
	}
	to_device(entry, SMMU_STE_WORDS * 8);
	__atomic_store_n(&entry[0], ste[0], __ATOMIC_RELAXED);
	to_device(entry, SMMU_STE_WORDS * 8);
	smmu_cmd_cfgi_ste(cmd[0], sid);
	submit(cmd, 1);
}

/* Word 0 alone turns it aborting; with the SMMU's copy and TLB entries
 * gone (CFGI_STE, then `flush`, one sync), the rest is cleared. */
static void remove_ste(uint32_t sid, const uint64_t flush[SMMU_CMD_WORDS])
{
	uint64_t ste[SMMU_STE_WORDS];
	uint64_t *entry = ste_of(sid);
	uint64_t cmd[2][SMMU_CMD_WORDS];

	smmu_ste_abort(ste);
	__atomic_store_n(&entry[0], ste[0], __ATOMIC_RELAXED);
	to_device(entry, 8);
	smmu_cmd_cfgi_ste(cmd[0], sid);
	cmd[1][0] = flush[0];
	cmd[1][1] = flush[1];
	submit(cmd, 2);
	for (unsigned i = 1; i < SMMU_STE_WORDS; i++) {
		entry[i] = 0;
	}
	to_device(entry, SMMU_STE_WORDS * 8);
}

void arch_smmu_bind(uint32_t sid, paddr_t root, vmid_t vmid)
{
	uint64_t ste[SMMU_STE_WORDS];

	smmu_ste_s2(ste, root, vmid, arch_s2_vtcr(), feat.oas_field);
	install_ste(sid, ste);
}

void arch_smmu_unbind(uint32_t sid, vmid_t vmid)
{
	uint64_t flush[SMMU_CMD_WORDS];

	smmu_cmd_tlbi_s12_vmall(flush, vmid);
	remove_ste(sid, flush);
}

void arch_smmu_flush_ipa(vmid_t vmid, ipaddr_t ipa)
{
	uint64_t cmd[1][SMMU_CMD_WORDS];

	smmu_cmd_tlbi_s2_ipa(cmd[0], vmid, ipa);
	submit(cmd, 1);
}

void arch_smmu_flush_vmid(vmid_t vmid)
{
	uint64_t cmd[1][SMMU_CMD_WORDS];

	smmu_cmd_tlbi_s12_vmall(cmd[0], vmid);
	submit(cmd, 1);
}

/* ---- IOSpaces: stage-2 tables as above, or stage 1 through a CD ---- */

/*
 * The IOSpace's CD, (re)written at every bind: the same words while other
 * streams use it (its root and ASID never change), and unused otherwise
 * (no STE points at it: every stream bound to a VMID's IOSpace was
 * unbound, its STE and the CD cached through it invalidated, before the
 * VMID changed hands). Word 0, which holds V, goes last.
 */
static paddr_t write_cd(paddr_t root, vmid_t vmid)
{
	uint64_t cd[SMMU_CD_WORDS];
	uint64_t *entry = &cdtab[vmid_value(vmid) * SMMU_CD_WORDS];

	smmu_cd(cd, root, vmid_value(vmid), S2_IPA_BITS, feat.oas_field);
	for (unsigned i = 1; i < SMMU_CD_WORDS; i++) {
		entry[i] = cd[i];
	}
	to_device(entry, SMMU_CD_WORDS * 8);
	__atomic_store_n(&entry[0], cd[0], __ATOMIC_RELAXED);
	to_device(entry, SMMU_CD_WORDS * 8);
	return kmem_pa(entry);
}

void arch_smmu_bind_io(uint32_t sid, paddr_t root, vmid_t vmid)
{
	uint64_t ste[SMMU_STE_WORDS];

	if (!info.io_stage1) {
		arch_smmu_bind(sid, root, vmid);
		return;
	}
	smmu_ste_s1(ste, write_cd(root, vmid));
	install_ste(sid, ste);
}

void arch_smmu_unbind_io(uint32_t sid, vmid_t vmid)
{
	uint64_t flush[SMMU_CMD_WORDS];

	if (!info.io_stage1) {
		arch_smmu_unbind(sid, vmid);
		return;
	}
	smmu_cmd_tlbi_nh_asid(flush, vmid_value(vmid));
	remove_ste(sid, flush);
}

void arch_smmu_io_flush_page(vmid_t vmid, ipaddr_t iova)
{
	uint64_t cmd[1][SMMU_CMD_WORDS];

	if (!info.io_stage1) {
		arch_smmu_flush_ipa(vmid, iova);
		return;
	}
	smmu_cmd_tlbi_nh_va(cmd[0], vmid_value(vmid), ipa_addr(iova));
	submit(cmd, 1);
}

void arch_smmu_io_flush_all(vmid_t vmid)
{
	uint64_t cmd[1][SMMU_CMD_WORDS];

	if (!info.io_stage1) {
		arch_smmu_flush_vmid(vmid);
		return;
	}
	smmu_cmd_tlbi_nh_asid(cmd[0], vmid_value(vmid));
	submit(cmd, 1);
}

void arch_smmu_io_set_leaf(s2_pte_t *e, int level, const struct s2_leaf *leaf)
{
	if (!info.io_stage1) {
		arch_s2_set_leaf(e, level, leaf);
		return;
	}
	*e = smmu_s1_pte(leaf->pa, level, (leaf->rights & CAIRN_RIGHT_WRITE),
			 leaf->device);
	dsb(ishst);
}
