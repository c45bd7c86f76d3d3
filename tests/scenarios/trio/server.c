/* The Kinds server: answers every method; a granted cap is checked, then
 * deleted, so the live audit finds the server as the spec left it. */
#include "trio_gen.h"

#include "kinds.h" /* needs the generated header first */

#include <libcairn/invoke.h>
#include <string.h>

static uint64_t impl_take(uint64_t object)
{
	if (object != TRIOSERVER_SLOT_RECV) {
		return 0;
	}
	struct cairn_result r =
	    cairn_cnode_delete(TRIOSERVER_SLOT_CNODE, object, 64);
	return r.error == CAIRN_OK ? 1 : 2;
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
