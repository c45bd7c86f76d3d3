#include <cairn/invocations.h>
#include <cairn/objects.h>
#include <libcairn/audit.h>
#include <libcairn/syscall.h>
#include <stdio.h>
#include <string.h>

/* One chunk of an AuditControl listing: its reply words, in order. */
static long audit_chunk(uint64_t audit, uint64_t label, uint64_t cursor,
			uint64_t *words, size_t max)
{
	struct cairn_msg msg = {.info = CAIRN_MSGINFO(label, 1),
				.mr = {cursor}};
	long e = cairn_call(audit, &msg);
	if (e != 0) {
		return -e;
	}
	/* Words past the sixth arrive in the IPC buffer. */
	const uint64_t *w = cairn_ipc_buffer->mr;
	unsigned n = CAIRN_MSGINFO_LENGTH(msg.info);
	for (unsigned i = 0; i < n && i < max; i++) {
		words[i] = i < CAIRN_MSG_REG_WORDS ? msg.mr[i] : w[i];
	}
	return 0;
}

long cairn_audit_threads(uint64_t audit, cairn_thread_fn fn, void *ctx)
{
	uint64_t cursor = 0;
	long count = 0;

	do {
		uint64_t words[CAIRN_THREADS_HEADER_WORDS +
			       CAIRN_THREAD_ENTRIES_PER_CALL *
				   CAIRN_THREAD_ENTRY_WORDS];
		long e = audit_chunk(audit, CAIRN_AUDIT_THREADS, cursor, words,
				     sizeof(words) / 8);
		if (e != 0) {
			return e;
		}
		cursor = words[0];
		for (uint64_t i = 0; i < words[1]; i++) {
			const uint64_t *x =
			    &words[CAIRN_THREADS_HEADER_WORDS +
				   i * CAIRN_THREAD_ENTRY_WORDS];
			struct cairn_thread_entry t = {.state = x[2],
						       .priority = x[3],
						       .cpu_ticks = x[4],
						       .ipc_calls = x[5],
						       .now = words[2],
						       .freq = words[3],
						       .irqs = words[4]};
			memcpy(t.name, x, 16);
			t.name[16] = '\0';
			t.cpus_online = words[5];
			memcpy(t.idle_ticks, &words[6], sizeof(t.idle_ticks));
			fn(&t, ctx);
			count++;
		}
	} while (cursor != 0);
	return count;
}

long cairn_audit_walk(uint64_t audit, cairn_audit_fn fn, void *ctx)
{
	uint64_t cursor = 0;
	long count = 0;

	do {
		uint64_t words[2 + CAIRN_AUDIT_ENTRIES_PER_CALL *
				       CAIRN_AUDIT_ENTRY_WORDS];
		long e = audit_chunk(audit, CAIRN_AUDIT_WALK, cursor, words,
				     sizeof(words) / 8);
		if (e != 0) {
			return e;
		}
		cursor = words[0];
		for (uint64_t i = 0; i < words[1]; i++) {
			const uint64_t *x =
			    &words[2 + i * CAIRN_AUDIT_ENTRY_WORDS];
			struct cairn_audit_entry ent = {.cptr = x[2],
							.depth = x[3],
							.type = x[4],
							.object = x[5],
							.rights = x[6],
							.badge = x[7]};
			memcpy(ent.holder, x, 16);
			ent.holder[16] = '\0';
			fn(&ent, ctx);
			count++;
		}
	} while (cursor != 0);
	return count;
}

const char *cairn_object_type_name(uint64_t type)
{
	switch (type) {
	case CAIRN_OBJ_UNTYPED:
		return "untyped";
	case CAIRN_OBJ_CNODE:
		return "cnode";
	case CAIRN_OBJ_ENDPOINT:
		return "endpoint";
	case CAIRN_OBJ_NOTIFICATION:
		return "notification";
	case CAIRN_OBJ_FRAME_4K:
		return "frame";
	case CAIRN_OBJ_FRAME_2M:
		return "frame_2m";
	case CAIRN_OBJ_VSPACE:
		return "vspace";
	case CAIRN_OBJ_PAGE_TABLE:
		return "page_table";
	case CAIRN_OBJ_TCB:
		return "tcb";
	case CAIRN_OBJ_REPLY:
		return "reply";
	case CAIRN_OBJ_VCPU:
		return "vcpu";
	case CAIRN_OBJ_IOSPACE:
		return "iospace";
	case CAIRN_OBJ_IO_PAGE_TABLE:
		return "io_page_table";
	case 32:
		return "irq_control";
	case 33:
		return "irq_handler";
	case 34:
		return "audit_control";
	case 35:
		return "power_control";
	case 36:
		return "sid_control";
	case 37:
		return "stream_id";
	default:
		return "unknown";
	}
}

void cairn_rights_string(uint64_t rights, char out[5])
{
	out[0] = (rights & CAIRN_RIGHT_READ) ? 'r' : '-';
	out[1] = (rights & CAIRN_RIGHT_WRITE) ? 'w' : '-';
	out[2] = (rights & CAIRN_RIGHT_GRANT) ? 'g' : '-';
	out[3] = (rights & CAIRN_RIGHT_EXEC) ? 'x' : '-';
	out[4] = '\0';
}

static void print_one(const struct cairn_audit_entry *e, void *ctx)
{
	const char *prefix = ctx;
	char rights[5];

	cairn_rights_string(e->rights, rights);
	printf("%s{\"holder\": \"%s\", \"cptr\": %lu, \"depth\": %lu, "
	       "\"type\": \"%s\", \"object\": \"%016lx\", \"rights\": \"%s\", "
	       "\"badge\": %lu}\n",
	       prefix, e->holder, e->cptr, e->depth,
	       cairn_object_type_name(e->type), e->object, rights, e->badge);
}

long cairn_audit_print_jsonl(uint64_t audit, const char *prefix)
{
	long n = cairn_audit_walk(audit, print_one, (void *)prefix);

	printf("%send %ld entries\n", prefix, n);
	return n;
}

long cairn_power_off(uint64_t power)
{
	struct cairn_msg msg = {.info = CAIRN_MSGINFO(CAIRN_POWER_OFF, 0)};
	return cairn_call(power, &msg);
}

long cairn_power_reset(uint64_t power)
{
	struct cairn_msg msg = {.info = CAIRN_MSGINFO(CAIRN_POWER_RESET, 0)};
	return cairn_call(power, &msg);
}
