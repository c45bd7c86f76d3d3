/* The Kinds server: answers every method; a granted cap is checked, then
 * deleted, so the live audit finds the server as the spec left it. */
#include "trio_gen.h"

#include <libcairn/invoke.h>
#include <string.h>

static int64_t impl_sum(int8_t a, uint16_t b, int32_t c, uint64_t d, bool neg)
{
	int64_t s = (int64_t)a + b + c + (int64_t)d;
	return neg ? -s : s;
}

static void impl_greet(const char *who, char *greeting, uint32_t *length)
{
	static const char hello[] = "hello, ";
	size_t n = strlen(who);

	memcpy(greeting, hello, sizeof(hello) - 1);
	memcpy(greeting + sizeof(hello) - 1, who, n + 1);
	*length = (uint32_t)(sizeof(hello) - 1 + n);
}

static bool impl_scale(uint32_t values[8], uint32_t factor)
{
	for (int i = 0; i < 8; i++) {
		values[i] *= factor;
	}
	return factor != 0;
}

static uint64_t impl_take(uint64_t object)
{
	if (object != TRIOSERVER_SLOT_RECV) {
		return 0;
	}
	struct cairn_result r =
	    cairn_cnode_delete(TRIOSERVER_SLOT_CNODE, object, 64);
	return r.error == CAIRN_OK ? 1 : 2;
}

static void impl_nothing(void)
{
}

static uint64_t impl_checksum(uint32_t bytes)
{
	return bytes; /* the dataport is the checker's business here */
}

static const struct Kinds_impl impl = {
    .sum = impl_sum,
    .greet = impl_greet,
    .scale = impl_scale,
    .take = impl_take,
    .nothing = impl_nothing,
    .checksum = impl_checksum,
};

int main(void)
{
	Kinds_serve(TRIOSERVER_SLOT_KINDS, TRIOSERVER_SLOT_KINDS_REPLY, &impl,
		    TRIOSERVER_SLOT_CNODE, TRIOSERVER_SLOT_RECV);
}
