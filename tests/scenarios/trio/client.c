/* The client: every parameter kind through the generated stubs, a granted
 * cap, then 1 MiB into the dataport and the Done event for the checker. */
#include "suite.h"
#include "trio_gen.h"

#include <libcairn/ipc.h>
#include <string.h>

#define EP TRIOCLIENT_SLOT_KINDS

static int test_scalars(void)
{
	int64_t r = 0;
	long e = Kinds_sum(EP, -5, 60000, -70000, 1UL << 40, false, &r);
	int ok = e == 0 && r == -5 + 60000 - 70000 + (int64_t)(1UL << 40);

	e = Kinds_sum(EP, 1, 2, 3, 4, true, &r);
	return ok && e == 0 && r == -10;
}

static int test_strings(void)
{
	char greeting[41] = {0};
	uint32_t len = 0;
	long e = Kinds_greet(EP, "trio", greeting, &len);
	int ok = e == 0 && len == 11 && strcmp(greeting, "hello, trio") == 0;

	e = Kinds_greet(EP, "abcdefghijklmnopqrstu", greeting, &len);
	return ok && e == IDL_ERR_TOO_LONG;
}

static int test_inout_array(void)
{
	uint32_t v[8] = {1, 2, 3, 4, 5, 6, 7, 0xffff};
	bool ret = false;
	int ok = Kinds_scale(EP, v, 3, &ret) == 0 && ret;

	for (int i = 0; i < 7; i++) {
		ok &= v[i] == (uint32_t)(3 * (i + 1));
	}
	return ok && v[7] == 3 * 0xffff;
}

static int test_granted_cap(void)
{
	uint64_t ret = 0;

	/* Our own Done cap travels (the connection grants) and the server
	 * deletes its copy: 1. Ours stays, as the next test shows. */
	return Kinds_take(EP, TRIOCLIENT_SLOT_DONE, &ret) == 0 && ret == 1;
}

static int test_unknown_label_and_void(void)
{
	struct cairn_msg m = {.info = CAIRN_MSGINFO(99, 0)};
	long e = cairn_call(EP, &m);

	return e == 0 && CAIRN_MSGINFO_LABEL(m.info) == IDL_LABEL_NO_METHOD &&
	       Kinds_nothing(EP) == 0;
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
	suite_report("scalars_and_return", test_scalars());
	suite_report("strings_in_and_out", test_strings());
	suite_report("inout_array", test_inout_array());
	suite_report("granted_cap", test_granted_cap());
	suite_report("unknown_label_and_void", test_unknown_label_and_void());
	suite_report("dataport_size_is_1m",
		     TRIOCLIENT_DATAPORT_SHARED_SIZE == (1UL << 20));
	fill_dataport();
	Done_emit(TRIOCLIENT_SLOT_DONE);
	return suite_summary("trioclient");
}
