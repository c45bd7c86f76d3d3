#include "objects/stream.h"

#include "arch.h"
#include "arch/smmu.h"
#include "assert.h"
#include "cap/cdt.h"
#include "cap/delete.h"
#include "kmem.h"
#include "objects/cnode.h"
#include "objects/irq.h"
#include "objects/notification.h"
#include "print.h"
#include "vmid.h"

struct stream {
	bool claimed; /* a StreamID cap to it exists */
	bool bound;
	bool io;	  /* to an IOSpace (arch_smmu_bind_io) */
	vmid_t vmid;	  /* the VSpace or IOSpace bound to... */
	uint64_t vspace;  /* ...and which one (its vmid_generation) */
	uint64_t binding; /* this binding's number: the cap that made it
			     records it (cap.binding) */
	/* The fault route: a copy of the notification cap, in a slot of the
	 * stream's own (CTE_OWNER_STREAM), or empty. */
	struct cte ntfn;
	uint32_t head, count; /* the queue of fault records */
	uint64_t dropped;     /* since the last GetFaults */
	uint64_t total;
	uint64_t queue[CAIRN_STREAM_FAULT_QUEUE][CAIRN_STREAM_FAULT_WORDS];
};

static struct stream streams[SMMU_STREAMS_MAX];
/* Which streams are claimed, so the walks over streams (every VSpace's
 * destruction; debug checks on every removal and system call) cost
 * nothing while none is, and little while few are. */
static uint64_t claimed[SMMU_STREAMS_MAX / 64];
static uint64_t bindings; /* binding numbers handed out: never reused */
static uint64_t unrouted; /* faults of streams nobody claimed */
static const struct platform *machine;

/*
 * Fault lines printed per burst (one drain of the SMMU's event queue); the
 * rest of the burst is summed up in one line at its end. A device can
 * fault far faster than a UART can say so: QEMU's retries a refused
 * transfer 4 bytes at a time, a fault each.
 */
#define BURST_LINES 4
static unsigned burst_printed;
static uint64_t burst_quiet;

static uint32_t sid_of(const struct cap *c)
{
	return (uint32_t)pa_addr(c->object);
}

/* The claimed stream after sid - 1 (from -1: the first), or
 * SMMU_STREAMS_MAX. */
static uint32_t next_claimed(int64_t sid)
{
	for (uint32_t s = (uint32_t)(sid + 1); s < SMMU_STREAMS_MAX;) {
		uint64_t bits = claimed[s / 64] >> (s % 64);
		if (bits != 0) {
			return s + (uint32_t)__builtin_ctzll(bits);
		}
		s = (s / 64 + 1) * 64;
	}
	return SMMU_STREAMS_MAX;
}

#define FOR_EACH_CLAIMED(sid)                                                  \
	for (uint32_t sid = next_claimed(-1); sid < SMMU_STREAMS_MAX;          \
	     sid = next_claimed(sid))

/* ---- SIDControl ---- */

enum { A_SID, A_ROOT, A_INDEX, A_DEPTH };

/* SIDControl.Get, decoded. */
struct get_op {
	uint32_t sid;
	struct cte *dest;
};

static enum cairn_error decode_get(struct invocation *inv, struct get_op *op)
{
	const struct arch_smmu_info *smmu = arch_smmu_info();
	const uint64_t *a = inv->args;
	enum cairn_error e = inv_need_args(inv, 4);

	if (e != CAIRN_OK) {
		return e;
	}
	if (!smmu->enabled) {
		return inv_refuse(inv, CAIRN_NOT_SUPPORTED, CAIRN_ARG_SID, 0,
				  0);
	}
	if (a[A_SID] >= smmu->streams) {
		return inv_refuse(inv, CAIRN_RANGE_ERROR, CAIRN_ARG_SID, 0,
				  smmu->streams - 1);
	}
	if (streams[a[A_SID]].claimed) {
		/* One cap tree per stream: delete it first. */
		return inv_refuse(inv, CAIRN_REVOKE_FIRST, CAIRN_ARG_SID,
				  a[A_SID], 0);
	}
	e = inv_lookup_dest(inv, a[A_ROOT], a[A_INDEX], a[A_DEPTH], &op->dest);
	op->sid = (uint32_t)a[A_SID];
	return e;
}

static void perform_get(const struct get_op *op)
{
	struct stream *s = &streams[op->sid];
	struct cap c = {.type = CAP_STREAM_ID,
			.rights = CAIRN_RIGHTS_ALL,
			.object = pa_init(op->sid)};

	/* An unclaimed stream holds nothing (stream_destroy). */
	ASSERT(!s->bound && cap_is_null(&s->ntfn.cap));
	*s = (struct stream){.claimed = true};
	claimed[op->sid / 64] |= 1ULL << (op->sid % 64);
	cdt_insert_root(op->dest, &c);
}

static void info(struct invocation *inv)
{
	const struct arch_smmu_info *smmu = arch_smmu_info();
	uint64_t *r = inv->reply;

	r[0] = (smmu->present ? CAIRN_SMMU_PRESENT : 0) |
	       (smmu->enabled ? CAIRN_SMMU_ENABLED : 0) |
	       (smmu->can_share ? CAIRN_SMMU_CAN_SHARE : 0) |
	       (smmu->stage1 ? CAIRN_SMMU_STAGE1 : 0) |
	       (smmu->stage2 ? CAIRN_SMMU_STAGE2 : 0) |
	       (smmu->coherent ? CAIRN_SMMU_COHERENT : 0) |
	       (smmu->io_bindable ? CAIRN_SMMU_IOSPACES : 0) |
	       (smmu->io_stage1 ? CAIRN_SMMU_IO_STAGE1 : 0);
	r[1] = smmu->enabled ? smmu->streams : 0;
	r[2] = smmu->sid_bits;
	r[3] = smmu->ias_bits;
	r[4] = smmu->oas_bits;
	r[5] = unrouted;
	r[6] = smmu->events_lost;
	inv->reply_len = CAIRN_SID_INFO_WORDS;
}

_Static_assert(CAIRN_PCIE_MAX_WINDOWS == PLAT_MAX_PCI_WINDOWS &&
		   CAIRN_PCIE_MAX_MAPS == PLAT_MAX_IOMMU_MAP,
	       "SIDControl.PCIe says all the platform parser can find");
_Static_assert(PCI_SPACE_IO == CAIRN_PCI_SPACE_IO &&
		   PCI_SPACE_MEM32 == CAIRN_PCI_SPACE_MEM32 &&
		   PCI_SPACE_MEM64 == CAIRN_PCI_SPACE_MEM64,
	       "one numbering of PCI spaces");
_Static_assert(CAIRN_PCIE_INFO_WORDS <= CAIRN_MSG_MAX_WORDS, "one reply");

void stream_init(const struct platform *p)
{
	machine = p;
}

static void pcie(struct invocation *inv)
{
	const struct platform *p = machine;
	uint64_t *r = inv->reply;

	for (unsigned i = 0; i < CAIRN_PCIE_INFO_WORDS; i++) {
		r[i] = 0;
	}
	inv->reply_len = CAIRN_PCIE_INFO_WORDS;
	if (p == NULL || !p->has_pcie) {
		return;
	}
	r[0] = pa_addr(p->ecam.base);
	r[1] = p->ecam.size;
	r[2] = p->bus_first;
	r[3] = p->bus_last;
	r[4] = p->pci_window_count;
	r[5] = p->iommu_map_count;
	uint64_t *w = &r[6];
	for (size_t i = 0; i < p->pci_window_count; i++) {
		const struct pci_window *win = &p->pci_window[i];
		w[0] = (uint64_t)win->space |
		       (win->prefetchable ? CAIRN_PCI_PREFETCHABLE : 0);
		w[1] = pa_addr(win->cpu_addr);
		w[2] = win->pci_addr;
		w[3] = win->size;
		w += CAIRN_PCIE_WINDOW_WORDS;
	}
	w = &r[6 + CAIRN_PCIE_MAX_WINDOWS * CAIRN_PCIE_WINDOW_WORDS];
	for (size_t i = 0; i < p->iommu_map_count; i++) {
		const struct iommu_map_entry *e = &p->iommu_map[i];
		w[0] = e->rid_base;
		w[1] = e->sid_base;
		w[2] = e->length;
		w[3] = p->has_smmu && e->iommu_phandle == p->smmu_phandle;
		w += CAIRN_PCIE_MAP_WORDS;
	}
}

/* SIDControl.GetINTx, decoded. */
struct intx_op {
	const struct pci_intx_entry *route;
	struct cte *dest;
};

enum { X_DEVFN, X_PIN, X_DEST, X_ARGS = X_DEST + 3 };

/* The interrupt-map entry for root-bus devfn's pin, or NULL. */
static const struct pci_intx_entry *intx_route(uint64_t devfn, uint64_t pin)
{
	const struct platform *p = machine;

	for (size_t i = 0; p != NULL && p->has_pcie && i < p->intx_count; i++) {
		const struct pci_intx_entry *e = &p->intx[i];
		if (((devfn << 8) & p->intx_mask_hi) == e->addr_hi &&
		    (pin & p->intx_mask_pin) == e->pin) {
			return e;
		}
	}
	return NULL;
}

static enum cairn_error decode_get_intx(struct invocation *inv,
					struct intx_op *op)
{
	const uint64_t *a = inv->args;
	enum cairn_error e = inv_need_args(inv, X_ARGS);

	if (e != CAIRN_OK) {
		return e;
	}
	if (a[X_DEVFN] > 0xff) {
		return inv_refuse(inv, CAIRN_RANGE_ERROR, CAIRN_ARG_DEVFN, 0,
				  0xff);
	}
	if (a[X_PIN] < 1 || a[X_PIN] > 4) {
		return inv_refuse(inv, CAIRN_RANGE_ERROR, CAIRN_ARG_PIN, 1, 4);
	}
	op->route = intx_route(a[X_DEVFN], a[X_PIN]);
	if (op->route == NULL) {
		/* No interrupt-map, or none for this device and pin. */
		return inv_refuse(inv, CAIRN_NOT_SUPPORTED, CAIRN_ARG_PIN,
				  a[X_PIN], 0);
	}
	return irq_decode_claim(inv, op->route->intid, &a[X_DEST], &op->dest);
}

static enum cairn_error get_intx(struct invocation *inv)
{
	struct intx_op op;
	enum cairn_error e = decode_get_intx(inv, &op);

	if (e == CAIRN_OK) {
		irq_perform_claim(op.route->intid, op.route->edge, op.dest);
		inv->reply[0] = op.route->intid;
		inv->reply_len = 1;
	}
	return e;
}

enum cairn_error sid_control_invoke(struct invocation *inv)
{
	struct get_op op;
	enum cairn_error e;

	switch (inv->label) {
	case CAIRN_SID_CONTROL_GET:
		e = decode_get(inv, &op);
		if (e == CAIRN_OK) {
			perform_get(&op);
		}
		return e;
	case CAIRN_SID_CONTROL_INFO:
		info(inv);
		return CAIRN_OK;
	case CAIRN_SID_CONTROL_PCIE:
		pcie(inv);
		return CAIRN_OK;
	case CAIRN_SID_CONTROL_GET_INTX:
		return get_intx(inv);
	default:
		return inv_bad_label(inv);
	}
}

/* ---- StreamID ---- */

/* Stream sid aborts again; the binding's cap record goes stale. */
static void unbind(uint32_t sid)
{
	struct stream *s = &streams[sid];

	if (!s->bound) {
		return;
	}
	if (s->io) {
		arch_smmu_unbind_io(sid, s->vmid);
	} else {
		arch_smmu_unbind(sid, s->vmid);
	}
	vmid_stream_unbound(s->vmid);
	s->bound = false;
	s->binding = 0;
}

/* The invoked cap carries right, else ILLEGAL_OPERATION naming it. */
static enum cairn_error need_right(struct invocation *inv, uint32_t right)
{
	if ((inv->slot->cap.rights & right) == 0) {
		return inv_refuse(inv, CAIRN_ILLEGAL_OPERATION,
				  CAIRN_ARG_INVOKED, right, 0);
	}
	return CAIRN_OK;
}

/* StreamID.BindVSpace or BindIOSpace, decoded. */
struct bind_op {
	uint32_t sid;
	struct cap *invoked; /* records the binding */
	bool io;
	paddr_t root;
	vmid_t vmid;
};

static enum cairn_error decode_bind(struct invocation *inv, bool io,
				    struct bind_op *op)
{
	uint64_t arg = io ? CAIRN_ARG_IOSPACE : CAIRN_ARG_VSPACE;
	const struct arch_smmu_info *smmu = arch_smmu_info();
	struct cte *vs;
	enum cairn_error e = inv_need_args(inv, 1);

	op->invoked = &inv->slot->cap;
	op->sid = sid_of(op->invoked);
	op->io = io;
	if (e == CAIRN_OK) {
		e = need_right(inv, CAIRN_STREAM_RIGHT_BIND);
	}
	if (e == CAIRN_OK) {
		e = inv_lookup_typed(inv, arg, inv->args[0],
				     io ? CAP_IOSPACE : CAP_VSPACE, &vs);
	}
	if (e != CAIRN_OK) {
		return e;
	}
	if (io ? !smmu->io_bindable : !smmu->can_share) {
		/* It cannot walk these tables (or it failed): never a
		 * silent success. */
		return inv_refuse(inv, CAIRN_NOT_SUPPORTED, arg, 0, 0);
	}
	if (streams[op->sid].bound) {
		e = need_right(inv, CAIRN_STREAM_RIGHT_REBIND);
	}
	op->root = vs->cap.object;
	op->vmid = cap_vmid(&vs->cap);
	return e;
}

static void perform_bind(const struct bind_op *op)
{
	struct stream *s = &streams[op->sid];

	unbind(op->sid); /* through abort: never two configurations mixed */
	if (op->io) {
		arch_smmu_bind_io(op->sid, op->root, op->vmid);
	} else {
		arch_smmu_bind(op->sid, op->root, op->vmid);
	}
	vmid_stream_bound(op->vmid);
	s->bound = true;
	s->io = op->io;
	s->vmid = op->vmid;
	s->vspace = vmid_generation(op->vmid);
	s->binding = ++bindings;
	op->invoked->binding = s->binding;
}

/* Drops the stream's notification cap on purpose (not a loss). */
static void release_route(struct stream *s)
{
	s->ntfn.owner = CTE_OWNER_CNODE;
	cte_perform_delete(&s->ntfn);
}

static void signal_route(struct stream *s)
{
	if (cap_is_null(&s->ntfn.cap)) {
		return; /* queued until someone reads them */
	}
	ASSERT(s->ntfn.cap.type == CAP_NOTIFICATION &&
	       s->ntfn.owner == CTE_OWNER_STREAM);
	KTAG_CHECK_CAP(&s->ntfn.cap, "the notification a stream signals");
	notification_signal(kmem_ptr(s->ntfn.cap.object), s->ntfn.cap.badge);
}

/* StreamID.SetFaultNotification, decoded: the copy the stream will hold
 * (a null cap for 0: no route). */
struct route_op {
	struct stream *s;
	struct cte *ntfn;
	struct cap copy;
};

static enum cairn_error decode_route(struct invocation *inv,
				     struct route_op *op)
{
	enum cairn_error e = inv_need_args(inv, 1);

	op->s = &streams[sid_of(&inv->slot->cap)];
	op->ntfn = NULL;
	if (e == CAIRN_OK) {
		e = need_right(inv, CAIRN_STREAM_RIGHT_FAULTS);
	}
	if (e != CAIRN_OK || inv->args[0] == 0) {
		return e;
	}
	e = inv_lookup_typed(inv, CAIRN_ARG_NOTIFICATION, inv->args[0],
			     CAP_NOTIFICATION, &op->ntfn);
	if (e != CAIRN_OK) {
		return e;
	}
	if (!(op->ntfn->cap.rights & CAIRN_RIGHT_WRITE)) {
		return inv_refuse(inv, CAIRN_INVALID_CAPABILITY,
				  CAIRN_ARG_NOTIFICATION, 0, 0);
	}
	return cnode_derive(&op->ntfn->cap, CAIRN_RIGHTS_ALL, false, 0,
			    &op->copy, &inv->err);
}

static void perform_route(const struct route_op *op)
{
	release_route(op->s);
	if (op->ntfn == NULL) {
		return;
	}
	cdt_insert_child(op->ntfn, &op->s->ntfn, &op->copy);
	op->s->ntfn.owner = CTE_OWNER_STREAM;
	if (op->s->count != 0) {
		signal_route(op->s); /* faults waiting from before */
	}
}

/* StreamID.GetFaults: takes up to CAIRN_STREAM_FAULTS_PER_CALL records. */
static void take_faults(struct invocation *inv)
{
	struct stream *s = &streams[sid_of(&inv->slot->cap)];
	uint64_t *r = inv->reply;
	uint32_t n = 0;

	while (n < CAIRN_STREAM_FAULTS_PER_CALL && s->count != 0) {
		for (unsigned w = 0; w < CAIRN_STREAM_FAULT_WORDS; w++) {
			r[3 + n * CAIRN_STREAM_FAULT_WORDS + w] =
			    s->queue[s->head][w];
		}
		s->head = (s->head + 1) % CAIRN_STREAM_FAULT_QUEUE;
		s->count--;
		n++;
	}
	r[0] = n;
	r[1] = s->dropped;
	r[2] = s->total;
	s->dropped = 0;
	inv->reply_len = 3 + n * CAIRN_STREAM_FAULT_WORDS;
}

enum cairn_error stream_invoke(struct invocation *inv)
{
	struct bind_op bind;
	struct route_op route;
	enum cairn_error e;

	ASSERT(streams[sid_of(&inv->slot->cap)].claimed);
	switch (inv->label) {
	case CAIRN_STREAM_BIND_VSPACE:
	case CAIRN_STREAM_BIND_IOSPACE:
		e = decode_bind(inv, inv->label == CAIRN_STREAM_BIND_IOSPACE,
				&bind);
		if (e == CAIRN_OK) {
			perform_bind(&bind);
		}
		return e;
	case CAIRN_STREAM_UNBIND:
		e = need_right(inv, CAIRN_STREAM_RIGHT_REBIND);
		if (e == CAIRN_OK) {
			unbind(sid_of(&inv->slot->cap));
		}
		return e;
	case CAIRN_STREAM_SET_FAULT_NOTIFICATION:
		e = decode_route(inv, &route);
		if (e == CAIRN_OK) {
			perform_route(&route);
		}
		return e;
	case CAIRN_STREAM_GET_FAULTS:
		e = need_right(inv, CAIRN_STREAM_RIGHT_FAULTS);
		if (e == CAIRN_OK) {
			take_faults(inv);
		}
		return e;
	default:
		return inv_bad_label(inv);
	}
}

/* ---- Lifetime ---- */

void stream_cap_gone(struct cte *slot)
{
	uint32_t sid = sid_of(&slot->cap);

	if (slot->cap.binding != 0 && sid < SMMU_STREAMS_MAX &&
	    streams[sid].bound && streams[sid].binding == slot->cap.binding) {
		unbind(sid);
	}
}

void stream_destroy(uint32_t sid)
{
	struct stream *s = &streams[sid];

	ASSERT(sid < SMMU_STREAMS_MAX && s->claimed);
	unbind(sid);
	release_route(s);
	s->claimed = false;
	s->count = 0;
	claimed[sid / 64] &= ~(1ULL << (sid % 64));
}

void stream_derive(struct cap *out)
{
	out->binding = 0;
}

void stream_space_destroyed(vmid_t vmid)
{
	FOR_EACH_CLAIMED(sid)
	{
		const struct stream *s = &streams[sid];
		if (s->bound && vmid_value(s->vmid) == vmid_value(vmid)) {
			/* Bound means its space lives: this one. */
			ASSERT(s->vspace == vmid_generation(vmid));
			unbind(sid);
		}
	}
	ASSERT(vmid_streams(vmid) == 0);
}

/* One line per fault, the first few of a burst. */
static void report(uint32_t sid, const uint64_t *f, const char *route)
{
	if (burst_printed == BURST_LINES) {
		burst_quiet++;
		return;
	}
	burst_printed++;
	kprintf("smmu: stream 0x%x: %s (event 0x%x), %s at 0x%lx%s; %s\n", sid,
		smmu_event_name(CAIRN_STREAM_FAULT_KIND(f[0])),
		CAIRN_STREAM_FAULT_KIND(f[0]),
		(f[0] & CAIRN_STREAM_FAULT_READ) ? "read" : "write",
		(unsigned long)f[1],
		(f[0] & CAIRN_STREAM_FAULT_STAGE2) ? " (stage 2)" : "", route);
}

void stream_fault(uint32_t sid, const uint64_t fault[CAIRN_STREAM_FAULT_WORDS])
{
	struct stream *s = sid < SMMU_STREAMS_MAX ? &streams[sid] : NULL;

	if (s == NULL || !s->claimed) {
		unrouted++;
		report(sid, fault, "no StreamID cap: counted");
		return;
	}
	s->total++;
	if (s->count == CAIRN_STREAM_FAULT_QUEUE) {
		/* Full: the holder is slow. Counted, reported at its next
		 * GetFaults, never lost silently. */
		s->dropped++;
		report(sid, fault, "its fault queue is full: dropped");
	} else {
		uint32_t tail = (s->head + s->count) % CAIRN_STREAM_FAULT_QUEUE;
		for (unsigned w = 0; w < CAIRN_STREAM_FAULT_WORDS; w++) {
			s->queue[tail][w] = fault[w];
		}
		s->count++;
		report(sid, fault,
		       cap_is_null(&s->ntfn.cap)
			   ? "queued, no fault route"
			   : "queued for its fault route");
	}
	signal_route(s);
}

void stream_faults_drained(void)
{
	if (burst_quiet != 0) {
		kprintf(
		    "smmu: %lu more faults in that burst, not printed (each "
		    "queued, dropped or counted as the ones above)\n",
		    (unsigned long)burst_quiet);
	}
	burst_printed = 0;
	burst_quiet = 0;
}

unsigned stream_count_bound(vmid_t vmid)
{
	unsigned n = 0;

	FOR_EACH_CLAIMED(sid)
	{
		n += streams[sid].bound &&
		     vmid_value(streams[sid].vmid) == vmid_value(vmid);
	}
	return n;
}

void stream_check_refs(void)
{
#ifdef CAIRN_DEBUG
	unsigned bound = 0;

	FOR_EACH_CLAIMED(sid)
	{
		const struct stream *s = &streams[sid];
		ASSERT(s->claimed); /* the set names the streams with a cap */
		if (!cap_is_null(&s->ntfn.cap)) {
			ASSERT(s->ntfn.cap.type == CAP_NOTIFICATION &&
			       s->ntfn.owner == CTE_OWNER_STREAM);
			KTAG_CHECK_CAP(&s->ntfn.cap,
				       "the notification a stream holds");
		}
		if (s->bound) {
			/* Unbound before its space goes (map_space_destroy).
			 */
			ASSERT(vmid_generation(s->vmid) == s->vspace);
			ASSERT(vmid_is_io(s->vmid) == s->io);
			KTAG_CHECK_TYPE(vmid_owner(s->vmid),
					s->io ? CAP_IOSPACE : CAP_VSPACE,
					"the VSpace or IOSpace a stream is "
					"bound to");
			ASSERT(vmid_streams(s->vmid) ==
			       stream_count_bound(s->vmid));
			bound++;
		}
	}
	/* Each bound VMID's count is right and they add up: every other
	 * VMID counts none. */
	ASSERT(vmid_streams_total() == bound);
#endif
}
