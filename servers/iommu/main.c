/*
 * The IOMMU server (docs/architecture.md, The IOMMU server): sets every
 * client's devices up at start (setup.c), then serves its clients'
 * IommuClient calls and, on its doorbell (bound to its TCB), the faults
 * of their streams: each reported on the console with client, device,
 * address, direction and kind, and counted. A client's bad request is
 * refused to that client alone, with an error naming what was wrong.
 */
#include "iommu_gen.h"

#include "console_client.h" /* needs the generated header first */
#include "iommu.h"

#include <libcairn/invoke.h>
#include <libcairn/syscall.h>
#include <stdio.h>
#include <string.h>

#define SIDC (IOMMU_SLOT_GRANTS + 0) /* SIDControl: our first grant */

struct iommu iommu;
static uint64_t caller_badge;

/* The client a call came from (its connection's badge), or NULL. */
static struct iommu_client *caller(unsigned *index)
{
	for (unsigned c = 0; c < iommu.clients; c++) {
		if (iommu.client[c].info->badge == caller_badge) {
			*index = c;
			return &iommu.client[c];
		}
	}
	return NULL;
}

void iommu_report_device(const struct iommu *s, unsigned c, unsigned k)
{
	const struct iommu_client *cl = &s->client[c];
	const struct iommu_device *d = &cl->dev[k];
	int present = d->error != IOMMU_ERR_NOT_PRESENT;
	uint64_t v[6] = {k | cl->info->mode << 8 | cl->effective << 16,
			 d->devfn | (uint64_t)present << 16,
			 d->sid,
			 s->p2m[c].mappings,
			 d->faults,
			 d->error};
	uint32_t status = 0;

	ConsoleIO_iommu(IOMMU_SLOT_CONSOLE, 1, cl->info->name, v, "", &status);
}

static uint32_t device(uint32_t index, uint32_t *bdf, uint32_t *ids,
		       uint32_t *sid, uint32_t *mode, uint64_t *bar_ipa,
		       uint64_t *bar_size, uint32_t *stream_slot,
		       uint32_t *vspace_slot, uint32_t *first_slot,
		       uint32_t *irq_slot)
{
	unsigned c = 0;
	struct iommu_client *cl = caller(&c);

	if (cl == NULL) {
		return IOMMU_ERR_UNKNOWN_CLIENT;
	}
	if (index >= cl->devices) {
		return IOMMU_ERR_NO_DEVICE;
	}
	const struct iommu_device *d = &cl->dev[index];
	*bdf = (uint32_t)iommu.pcie.bus_first << 8 | d->devfn;
	*ids = (uint32_t)d->id << 16 | d->vendor;
	*sid = d->sid;
	*mode = cl->effective;
	*bar_ipa = d->info->bar_ipa;
	*bar_size = d->bar_size;
	int share = cl->effective == IOMMU_MODE_SHARE_PT;
	*stream_slot = share ? d->info->client_stream : 0;
	*vspace_slot = d->info->client_vspace;
	*first_slot = cl->info->first_slot;
	*irq_slot = d->intid != 0 ? d->info->client_irq : 0;
	return d->error;
}

static uint32_t submit(uint32_t prod, uint32_t *done, uint32_t *detail)
{
	unsigned c = 0;
	struct iommu_client *cl = caller(&c);

	*done = 0;
	*detail = 0;
	if (cl == NULL) {
		return IOMMU_ERR_UNKNOWN_CLIENT;
	}
	if (cl->effective != IOMMU_MODE_SYNC_PT) {
		return IOMMU_ERR_MODE;
	}
	if (iommu.sync_error[c] != IOMMU_OK) {
		return iommu.sync_error[c];
	}
	uint32_t before = cl->mappings;
	uint32_t e = iommu_submit(&iommu, c, prod, done, detail);
	if (cl->mappings != before) {
		for (unsigned k = 0; k < cl->devices; k++) {
			iommu_report_device(&iommu, c, k);
		}
	}
	return e;
}

static const struct IommuClient_impl impl = {.device = device,
					     .submit = submit};

/* A fault line: on the console (tagged with our name) and to the
 * console's `iommu faults`. */
static void report_fault(const struct iommu_client *cl, const char *line)
{
	const uint64_t v[6] = {0};
	uint32_t status = 0;

	printf("%s\n", line);
	ConsoleIO_iommu(IOMMU_SLOT_CONSOLE, 2, cl->info->name, v, line,
			&status);
}

/*
 * Takes every fault queued on client c's streams: the first of each
 * burst said in full, the rest counted and summed up in one line (QEMU's
 * devices retry a refused transfer 4 bytes at a time: a page is 1 024
 * faults, most dropped by the kernel's queue of 16, and counted there).
 */
static void drain_faults(unsigned c)
{
	struct iommu_client *cl = &iommu.client[c];
	struct cairn_stream_faults f;
	char line[160];

	for (unsigned k = 0; k < cl->devices; k++) {
		struct iommu_device *d = &cl->dev[k];
		uint64_t before = d->faults;
		if (d->sid == PCI_NO_SID || d->error == IOMMU_ERR_NOT_PRESENT) {
			continue;
		}
		do {
			if (cairn_stream_get_faults(d->info->stream, &f)
				.error != CAIRN_OK) {
				break;
			}
			for (uint64_t i = 0; i < f.count; i++) {
				iommu_fault_line(line, sizeof(line), cl, d,
						 f.record[i]);
				if (d->faults == before + 1) {
					report_fault(cl, line);
				}
			}
			d->faults += f.dropped;
			cl->faults += f.dropped;
		} while (f.count == CAIRN_STREAM_FAULTS_PER_CALL);
		if (d->faults > before + 1) {
			printf("%s: %lu more DMA faults on device %02x.%x "
			       "(%lu in all)\n",
			       cl->info->name,
			       (unsigned long)(d->faults - before - 1),
			       d->devfn >> 3, d->devfn & 7,
			       (unsigned long)d->faults);
		}
		if (d->faults != before) {
			iommu_report_device(&iommu, c, k);
		}
	}
}

/*
 * Whether the SMMU could not record some events since we last looked
 * (SIDControl.Info word 6): said once per new loss, since the counts
 * above then fall short of what the devices did.
 */
static void check_lost_events(void)
{
	static uint64_t seen;
	uint64_t info[CAIRN_SID_INFO_WORDS];

	if (cairn_sid_control_info(SIDC, info).error != CAIRN_OK ||
	    info[6] == seen) {
		return;
	}
	printf("warning: the SMMU's event queue was full %lu time%s so far: "
	       "DMA faults went unrecorded, so the counts fall short\n",
	       (unsigned long)info[6], info[6] == 1 ? "" : "s");
	seen = info[6];
}

/* Each method takes one word (its index or prod): a message cut short or
 * padded is refused with IOMMU_ERR_BATCH rather than read past its end. */
static int well_formed(const struct cairn_recv *in, struct cairn_msg *out)
{
	uint64_t label = CAIRN_MSGINFO_LABEL(in->info);

	if (label < IommuClient_device_LABEL ||
	    label > IommuClient_submit_LABEL ||
	    CAIRN_MSGINFO_LENGTH(in->info) == 1) {
		return 1; /* an unknown label is the generated code's */
	}
	out->mr[0] = IOMMU_ERR_BATCH;
	out->info = CAIRN_MSGINFO(label, 1);
	return 0;
}

static int start(void)
{
	const struct iommu_info *info = (const void *)IOMMU_INFO_IPA;
	int n = iommu_clients_init(iommu.client, info);

	CONSOLE_CLIENT_INIT(IOMMU, CONSOLE);
	if (n < 0) {
		printf("error: the info page at %#lx is not one (magic, "
		       "version or counts): serving nobody\n",
		       IOMMU_INFO_IPA);
		return -1;
	}
	iommu.info = info;
	iommu.clients = (unsigned)n;
	/* Faults arrive on the doorbell, which wakes our Recv (label 0). */
	if (cairn_tcb_bind_notification(IOMMU_SLOT_SELF,
					IOMMU_SLOT_CLIENTS_DOORBELL)
		.error != CAIRN_OK) {
		printf("error: cannot bind the doorbell: faults go unseen\n");
	}
	return iommu_setup(&iommu);
}

int main(void)
{
	struct cairn_recv in;
	struct cairn_msg out;

	if (start() != 0) {
		printf("error: nothing to serve\n");
	}
	cairn_recv(IOMMU_SLOT_CLIENTS, IOMMU_SLOT_CLIENTS_REPLY, &in);
	for (;;) {
		if (CAIRN_MSGINFO_LABEL(in.info) == 0) {
			for (unsigned c = 0; c < iommu.clients; c++) {
				if (in.badge & IOMMU_FAULT_BADGE(c)) {
					drain_faults(c);
				}
			}
			check_lost_events();
			cairn_recv(IOMMU_SLOT_CLIENTS, IOMMU_SLOT_CLIENTS_REPLY,
				   &in);
			continue;
		}
		caller_badge = in.badge;
		if (!well_formed(&in, &out)) {
			cairn_reply_recv(IOMMU_SLOT_CLIENTS,
					 IOMMU_SLOT_CLIENTS_REPLY, &out, &in);
			continue;
		}
		IommuClient_handle(&impl, &in, &out, 0);
		cairn_reply_recv(IOMMU_SLOT_CLIENTS, IOMMU_SLOT_CLIENTS_REPLY,
				 &out, &in);
	}
}
