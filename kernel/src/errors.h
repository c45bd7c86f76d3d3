/*
 * Kernel-internal result codes. The user-visible error ABI arrives with the
 * capability core; until then these name what went wrong inside the kernel.
 */
#pragma once

enum k_error {
	K_OK = 0,
	K_ERR_INVALID_ARGUMENT, /* a caller passed something malformed */
	K_ERR_RANGE,		/* a value lies outside what is allowed */
	K_ERR_ALIGNMENT,	/* an address or size is misaligned */
	K_ERR_NO_MEMORY,	/* a fixed-size table or pool is full */
	K_ERR_NOT_FOUND,	/* a required item does not exist */
	K_ERR_NOT_SUPPORTED,	/* valid, but this hardware cannot do it */
};

const char *k_error_name(enum k_error err);
