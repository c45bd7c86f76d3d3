/* The one place user level traps into the kernel (libcairn internal). */
#pragma once

#include <libcairn/ipc.h>

/*
 * x0 = cptr, x1 = info, x2..x7 = in[0..5] (NULL: zeros), x8 = number,
 * x9 = reply; on return x0..x7 go to *out (unless NULL).
 */
void cairn_trap(uint64_t number, uint64_t cptr, uint64_t reply, uint64_t info,
		const uint64_t *in, struct cairn_recv *out);
