/* The checker: waits for Done, verifies the client's 1 MiB in the shared
 * dataport word by word, then prints the live audit (its granted
 * AuditControl) for the boot test to diff against the spec. */
#include "suite.h"
#include "trio_gen.h"

#include <libcairn/audit.h>
#include <libcairn/ipc.h>

#define AUDIT TRIOCHECKER_SLOT_GRANTS /* the manifest grants only this */

static int check_dataport(void)
{
	const volatile uint64_t *p = TRIOCHECKER_DATAPORT_SHARED;
	unsigned long bad = 0;

	for (uint64_t i = 0; i < TRIOCHECKER_DATAPORT_SHARED_SIZE / 8; i++) {
		if (p[i] != trio_pattern(i)) {
			if (bad++ == 0) {
				printf("  word %lu: 0x%lx, want 0x%lx\n", i,
				       p[i], trio_pattern(i));
			}
		}
	}
	return bad == 0;
}

int main(void)
{
	suite_report("done_event", Done_wait(TRIOCHECKER_SLOT_DONE) == 1);
	suite_report("dataport_1m_end_to_end", check_dataport());
	suite_report("audit_walk",
		     cairn_audit_print_jsonl(AUDIT, "audit: ") > 0);
	return suite_summary("triochecker");
}
