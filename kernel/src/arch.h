/*
 * The thin interface between portable kernel code and the architecture.
 * kernel/arch/<arch>/ implements it; nothing in kernel/src/ touches a system
 * register directly.
 */
#pragma once

#include "addr.h"
#include "boot/platform.h"
#include "errors.h"

struct cpu;

enum mmu_attr {
	MMU_CODE,   /* read-only, executable */
	MMU_RODATA, /* read-only, never executable */
	MMU_DATA,   /* read-write, never executable */
	MMU_DEVICE, /* Device-nGnRE, read-write, never executable */
};

/*
 * Maps [va, va + size) to pa in the kernel's EL2 tables. Only invalid entries
 * are filled; parts already mapped are left as they are, so a broad mapping
 * laid over finer earlier ones never rewrites a live entry. Fails without
 * changing anything if the table pool cannot hold the new tables.
 */
enum k_error arch_mmu_map(vaddr_t va, paddr_t pa, uint64_t size,
			  enum mmu_attr attr);

/* Turns on the EL2 MMU and caches on the calling CPU. */
void arch_mmu_enable(bool boot_cpu);

/* Tables in use and available, for the boot report. */
void arch_mmu_usage(size_t *used, size_t *total);

/*
 * Writes kernel data and BSS back to the point of coherency, so that a CPU
 * starting with its MMU and caches off reads what this CPU wrote.
 */
void arch_dcache_clean_kernel_data(void);

uint64_t arch_mpidr(void);
size_t arch_cpu_index(void);
uint64_t arch_counter(void);
uint64_t arch_counter_freq(void);

/* PSCI through the conduit the DTB names. */
void arch_psci_init(enum psci_conduit conduit);
int64_t arch_psci_version(void);
int64_t arch_psci_cpu_on(uint64_t mpidr, paddr_t entry, uint64_t context);
/* Returns only if the conduit is missing or firmware refused. */
void arch_psci_system_off(void);
void arch_psci_system_reset(void);

/* QEMU semihosting SYS_EXIT: QEMU ends with `status` as its exit status
 * (semihost.S; shutdown.h says what happens without semihosting). */
void arch_semihost_exit(uint64_t status);
extern char arch_semihost_trap[]; /* the HLT #0xf000 in it */

paddr_t arch_secondary_entry(void);

/* An interrupt is pending at this CPU (the kernel runs with them masked):
 * the question every preemption point asks (preempt.h). */
bool arch_irq_pending(void);

/* Zeroes n bytes of normal memory at p, the fastest way this CPU can. */
void arch_zero(void *p, size_t n);

__attribute__((noreturn)) void arch_idle_loop(void);

/* ---- Stage 2: the translation every VSpace (thread or guest) runs in ---- */

#define S2_IPA_BITS    39 /* walks start at level 1: one 4 KiB root table */
#define S2_LEVEL_FIRST 1
#define S2_LEVEL_LAST  3

typedef uint64_t s2_pte_t;

/* What a leaf maps: CAIRN_RIGHT_READ/WRITE/EXEC, device memory or not. */
struct s2_leaf {
	paddr_t pa;
	uint32_t rights;
	bool device;
	bool uncached; /* Normal non-cacheable (ignored for device) */
};

/* Programs VTCR_EL2 for the IPA size above. Once per CPU. */
void arch_s2_init(void);

/*
 * Walks root's tables for ipa down to at most max_level. Returns the entry
 * where the walk stopped (at max_level, or earlier at a leaf or an empty
 * entry) and sets *level to its level.
 */
s2_pte_t *arch_s2_walk(paddr_t root, ipaddr_t ipa, int max_level, int *level);

bool arch_s2_valid(s2_pte_t e);
/* A valid entry at `level` that points at a next-level table. */
bool arch_s2_is_table(s2_pte_t e, int level);
/* The IPA span one entry at `level` covers (a table maps that much). */
uint64_t arch_s2_level_span(int level);
void arch_s2_set_table(s2_pte_t *e, paddr_t table);
void arch_s2_set_leaf(s2_pte_t *e, int level, const struct s2_leaf *leaf);

/*
 * The one way a valid entry leaves a stage-2 table: clears it and
 * invalidates every CPU TLB entry it made reachable (by IPA for a leaf at
 * ipa, the whole VMID for a table) before returning.
 */
void arch_s2_remove(s2_pte_t *e, int level, vmid_t vmid, ipaddr_t ipa);

/* Empties a table that no walk can reach any more (no invalidation). */
void arch_s2_clear_table(paddr_t table);

/* Clears an entry of a table no CPU walks (an IOSpace's: the SMMU's TLB
 * is the caller's to invalidate). */
void arch_s2_clear_entry(s2_pte_t *e);

/* The output address of a valid entry (table or leaf). */
uint64_t arch_s2_output(s2_pte_t e);

/* Decodes a valid leaf. */
void arch_s2_leaf(const s2_pte_t *e, struct s2_leaf *out);

/* Invalidates the TLB entries of one IPA, or all, of a VMID: for
 * arch_s2_remove and for a VMID changing hands, nothing else. */
void arch_s2_flush_ipa(vmid_t vmid, ipaddr_t ipa);
void arch_s2_flush_vmid(vmid_t vmid);

/* VTCR_EL2 as the CPUs use it: an SMMU sharing the tables copies it. */
uint64_t arch_s2_vtcr(void);

/* ---- The SMMUv3 (smmu.c): DMA through stage 2, or not at all ---- */

/* StreamIDs the kernel covers: a linear stream table of this many entries
 * (PCI bus 0 under an identity iommu-map; higher StreamIDs are out of
 * range for the SMMU, so their transactions abort with an event). */
#define SMMU_STREAMS_MAX 256

struct arch_smmu_info {
	bool present;	/* the DTB names an SMMUv3 */
	bool enabled;	/* translating, unbound streams aborting; false if
			   enabling failed or it failed later (fail closed:
			   then every transaction aborts) */
	bool can_share; /* its stage 2 walks the CPU's tables as they are */
	bool stage1, stage2, coherent;
	/* The tables IOSpaces hold, fixed at boot: stage-2 descriptors, or
	 * stage-1 ones on an SMMU whose stage 2 cannot walk them (then one
	 * context descriptor per IOSpace, its VMID number as the ASID). */
	bool io_stage1;
	bool io_bindable;  /* BindIOSpace works: the SMMU walks that format */
	unsigned sid_bits; /* the SMMU's */
	unsigned streams;  /* the StreamIDs the kernel covers: 0 to this - 1 */
	unsigned ias_bits, oas_bits;
	/* Times the SMMU could not write an event record (its queue
	 * overflowed, or a write aborted): faults went unrecorded. */
	uint64_t events_lost;
};

const struct arch_smmu_info *arch_smmu_info(void);

/* Probes the SMMU (one line), carves its stream table and queues from
 * free, and enables it with every stream aborting. Without one, or if
 * enabling fails, every DMA transaction aborts (GBPA) and info says so. */
void arch_smmu_init(const struct platform *p, struct memmap *free);
/* Its event queue and global-error interrupts, once the GIC is up. */
void arch_smmu_start_interrupts(const struct platform *p);

/*
 * Each returns with the SMMU done with it (the command queue synchronised):
 * a transaction that starts afterwards sees the new configuration.
 */
/* Stream sid translates through the stage-2 tables at root (VMID vmid),
 * set up as the CPU's (arch_s2_vtcr); it was aborting. */
void arch_smmu_bind(uint32_t sid, paddr_t root, vmid_t vmid);
/* Stream sid aborts again, and whatever the SMMU cached for vmid goes. */
void arch_smmu_unbind(uint32_t sid, vmid_t vmid);
/* Invalidates the SMMU's TLB entries of one IPA (a leaf), or all, of a
 * VMID: what arch_s2_flush_* does for the CPUs, for the streams. */
void arch_smmu_flush_ipa(vmid_t vmid, ipaddr_t ipa);
void arch_smmu_flush_vmid(vmid_t vmid);

/*
 * IOSpaces (sync-pt): the same, in the IOSpaces' format (io_stage1). The
 * bind writes the IOSpace's context descriptor first in stage-1 format;
 * the flushes are TLBI_NH_VA / TLBI_NH_ASID there (the ASID is vmid's
 * number), TLBI_S2_IPA / TLBI_S12_VMALL otherwise.
 */
void arch_smmu_bind_io(uint32_t sid, paddr_t root, vmid_t vmid);
void arch_smmu_unbind_io(uint32_t sid, vmid_t vmid);
void arch_smmu_io_flush_page(vmid_t vmid, ipaddr_t iova);
void arch_smmu_io_flush_all(vmid_t vmid);
/* A leaf of an IOSpace in its format: rights READ/WRITE, never exec. */
void arch_smmu_io_set_leaf(s2_pte_t *e, int level, const struct s2_leaf *leaf);

/* ---- Interrupts (GICv3) and the EL2 physical timer ---- */

#define GIC_SPURIOUS 1023

/* Distributor, this CPU's redistributor and CPU interface; enables ppi. */
void arch_gic_init(const struct platform *p, uint32_t ppi);
uint32_t arch_gic_irq_limit(void);
/* Group 1, default priority, level or edge, SPIs routed to this CPU. */
void arch_gic_configure(uint32_t intid, bool edge);
void arch_gic_set_enabled(uint32_t intid, bool on);
bool arch_gic_enabled(uint32_t intid);
uint32_t arch_gic_ack(void);
/* Priority drop (EOImode 1): the interrupt stays active. */
void arch_gic_eoi(uint32_t intid);
/* Deactivation: the interrupt may be signalled again. */
void arch_gic_deactivate(uint32_t intid);
/* Sleeps until an interrupt is pending (taken or not). */
void arch_wait_for_interrupt(void);

/* The EL2 physical timer fires when the system counter reaches when. */
void arch_timer_arm_at(uint64_t when);

/* ---- Threads ---- */

struct tcb;

/* The thread this CPU runs (or last ran), or NULL. */
struct tcb *arch_current_thread(void);

/* This CPU runs no thread (it idles). */
void arch_current_clear(void);

/* t is being destroyed: drop every per-CPU reference to it. */
void arch_forget_thread(struct tcb *t);

/* Whose FP/SIMD state this CPU's registers hold, or NULL (a per-CPU
 * reference that arch_forget_thread clears). */
struct tcb *arch_fp_owner(void);

/* Enters t at EL0 in its VSpace: sets it current on this CPU. */
__attribute__((noreturn)) void arch_run_thread(struct tcb *t);

/* ---- Guests (vcpu.c, vmexit.c, vgic.c) ---- */

struct vcpu;

/* A VCPU's registers (enum cairn_vcpu_reg) as after reset. */
void arch_vcpu_reset(uint64_t *regs);
/* A TCB's registers become a guest's (entered at EL1h) or a native
 * thread's (EL0) again. */
void arch_thread_set_guest(struct tcb *t, bool guest);
/* The live EL1 (and vGIC) state of v, if this CPU holds it, goes back to
 * memory (read or rewritten there next). */
void arch_vcpu_sync(struct vcpu *v);
/* Entering a guest of v: its EL1 and vGIC state is loaded if it is not.
 * Entering a native thread: a guest's state stays loaded under the
 * natives' view of the few registers EL0 observes, or is switched out
 * whole while the natives' own virtual timer may fire (vcpu.c). */
void arch_vcpu_enter(struct vcpu *v);
void arch_vcpu_leave(void);
/* Nothing runs: the natives' EL1 state is loaded if their virtual timer
 * may fire, so a native thread waiting for it wakes. */
void arch_vcpu_idle(void);

/* The vGIC: list registers and a queue per VCPU (words of struct vcpu). */
#define VGIC_MAX_LRS	    16
#define VGIC_QUEUE	    64
#define ARCH_VCPU_GIC_WORDS 112
/* The virtual CPU interface and its maintenance interrupt; vtimer_ppi is
 * the EL1 virtual timer's INTID (a guest's while its state is loaded). */
void arch_vgic_init(uint32_t vtimer_ppi);
void arch_vgic_reset(struct vcpu *v);
/* Room for one more pending virtual interrupt (and a virtual interface). */
bool arch_vgic_can_inject(struct vcpu *v);
/* Where intid is in v: CAIRN_VIRQ_PENDING and/or CAIRN_VIRQ_ACTIVE. */
uint64_t arch_vgic_irq_state(struct vcpu *v, uint32_t intid);
/* A virtual interrupt waits for v: in a list register or its queue. */
bool arch_vgic_has_pending(struct vcpu *v);
/* Makes intid pending in v (once: an interrupt already pending stays one). */
/* The interrupts v's guest EOIed whose VMM asked to hear of it
 * (CAIRN_VIRQ_EOI_EXIT): up to max of them into out, taken; their count. */
unsigned arch_vgic_take_eoi_exits(struct vcpu *v, uint64_t *out, unsigned max);
bool arch_vgic_eoi_exits_pending(struct vcpu *v);
void arch_vgic_inject(struct vcpu *v, uint32_t intid, uint8_t priority,
		      bool group1, bool eoi_exit);
/* Switching v's virtual CPU interface state out of and into the CPU. */
void arch_vgic_save(struct vcpu *v);
/* No guest's vGIC state is live in this CPU's interface (ICH_HCR_EL2 0). */
bool arch_vgic_interface_off(void);
void arch_vgic_load(struct vcpu *v);
/* v's virtual timer fired while loaded: its virtual PPI is made pending. */
void arch_vgic_timer_fired(struct vcpu *v);
/* The maintenance interrupt: refill the loaded VCPU's list registers. */
uint32_t arch_vgic_maintenance_intid(void);
void arch_vgic_maintenance(void);

/* Before the kernel changes how interrupt intid reaches native threads
 * (enabled or not, active or not): if it is the virtual timer's PPI, the
 * natives' EL1 state (their timer's) is loaded first, so the change is
 * theirs and not a guest's whose timer holds the PPI. */
void arch_irq_for_natives(uint32_t intid);

/* The virtual timer's PPI arrived: true if it was a guest's (the EL1
 * state loaded here is a VCPU's), whose timer is then masked and whose
 * virtual PPI 27 made pending; the guest's EOI unmasks it. */
bool arch_guest_timer_fired(void);
/* A trapped system-register access the kernel answers itself (an ID
 * register, or a hidden feature's: an undefined instruction); false if it
 * is the VMM's. */
bool arch_guest_sysreg(struct tcb *t, uint64_t esr);
/* The guest takes an undefined-instruction exception at its EL1. */
void arch_guest_undef(struct tcb *t);
/* The guest takes a synchronous external abort at its EL1 for the access
 * that exited (an instruction fetch or a data access, at address far;
 * exit_esr gives a data abort's direction). */
void arch_guest_abort(struct tcb *t, bool instruction, uint64_t far,
		      uint64_t exit_esr);
/* Something would wake a guest from WFI now: a virtual interrupt pending
 * for it, or its own timer due and unmasked. */
bool arch_vcpu_wake_pending(struct vcpu *v);
/* When v's own virtual timer fires, on the physical counter; false if it
 * cannot (disabled, masked, or beyond the counter's range). */
bool arch_vcpu_timer_deadline(const struct vcpu *v, uint64_t *when);
/* A guest's trap to EL2 (not an FP/SIMD claim): decode, deliver. */
__attribute__((noreturn)) void arch_vm_exit(struct tcb *t, uint64_t esr);
/* If t is a guest whose EOIs its VMM must hear of, that exit now
 * (CAIRN_FAULT_VM_EOI; does not return); else returns. */
void arch_vm_eoi_exit(struct tcb *t);

/* The name of an ESR exception class, for fault and panic reports. */
const char *esr_class_name(unsigned ec);

/* Lets EL0 read the counters and use FP/SIMD. Once per CPU. */
void arch_user_init(void);

/* Register state a new native thread starts with (EL0, AArch64). */
void arch_thread_init_regs(struct tcb *t, uint64_t pc, uint64_t sp,
			   uint64_t arg0);
