/* The client: every parameter kind through the generated stubs, a granted
 * cap, then 1 MiB into the dataport and the Done event for the checker. */
#include "suite.h"
#include "trio_gen.h"

#include "kinds.h" /* needs the generated header first */

#include <libcairn/ipc.h>
#include <string.h>

#define EP TRIOCLIENT_SLOT_KINDS

static int test_granted_cap(void)
{
	uint64_t ret = 0;

	/* Our own Done cap travels (the connection grants) and the server
	 * deletes its copy: 1. Ours stays, as the next test shows. */
	return Kinds_take(EP, TRIOCLIENT_SLOT_DONE, &ret) == 0 && ret == 1;
}

static void fill_dataport(void)
{
	volatile uint64_t *p = TRIOCLIENT_DATAPORT_SHARED;

	for (uint64_t i = 0; i < TRIOCLIENT_DATAPORT_SHARED_SIZE / 8; i++) {
		p[i] = trio_pattern(i);
	}
}

int main(void)
{
	suite_report("scalars_and_return", test_scalars(EP));
	suite_report("strings_in_and_out", test_strings(EP));
	suite_report("inout_array", test_inout_array(EP));
	suite_report("granted_cap", test_granted_cap());
	suite_report("unknown_label_and_void", test_unknown_label(EP));
	suite_report("dataport_size_is_1m",
		     TRIOCLIENT_DATAPORT_SHARED_SIZE == (1UL << 20));
	fill_dataport();
	Done_emit(TRIOCLIENT_SLOT_DONE);
	return suite_summary("trioclient");
}
