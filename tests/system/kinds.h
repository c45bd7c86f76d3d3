/*
 * The Kinds procedure (rpctest.idl) from both sides, shared by every suite
 * that drives it: the server's methods without the cap and dataport ones
 * (each suite has its own), and client checks of each parameter kind.
 * Include after the generated header that declares Kinds.
 */
#pragma once

#include <libcairn/ipc.h>
#include <stdbool.h>
#include <string.h>

static inline int64_t impl_sum(int8_t a, uint16_t b, int32_t c, uint64_t d,
			       bool neg)
{
	int64_t s = (int64_t)a + b + c + (int64_t)d;
	return neg ? -s : s;
}

static inline void impl_greet(const char *who, char *greeting, uint32_t *length)
{
	static const char hello[] = "hello, ";
	size_t n = strlen(who);

	memcpy(greeting, hello, sizeof(hello) - 1);
	memcpy(greeting + sizeof(hello) - 1, who, n);
	greeting[sizeof(hello) - 1 + n] = '\0';
	*length = (uint32_t)(sizeof(hello) - 1 + n);
}

static inline bool impl_scale(uint32_t values[8], uint32_t factor)
{
	for (int i = 0; i < 8; i++) {
		values[i] *= factor;
	}
	return factor != 0;
}

static inline void impl_nothing(void)
{
}

static inline int test_scalars(uint64_t ep)
{
	int64_t r = 0;
	long e = Kinds_sum(ep, -5, 60000, -70000, 1UL << 40, false, &r);
	int ok = e == 0 && r == -5 + 60000 - 70000 + (int64_t)(1UL << 40);
	e = Kinds_sum(ep, 1, 2, 3, 4, true, &r);
	return ok && e == 0 && r == -10;
}

static inline int test_strings(uint64_t ep)
{
	char greeting[41] = {0};
	uint32_t len = 0;
	long e = Kinds_greet(ep, "cairn", greeting, &len);
	int ok = e == 0 && len == 12 && strcmp(greeting, "hello, cairn") == 0;
	/* 21 bytes do not fit string<20>: the stub refuses before sending. */
	e = Kinds_greet(ep, "abcdefghijklmnopqrstu", greeting, &len);
	return ok && e == IDL_ERR_TOO_LONG;
}

static inline int test_inout_array(uint64_t ep)
{
	uint32_t v[8] = {1, 2, 3, 4, 5, 6, 7, 0xffff};
	bool ok_ret = false;
	long e = Kinds_scale(ep, v, 3, &ok_ret);
	int ok = e == 0 && ok_ret;
	for (int i = 0; i < 7; i++) {
		ok &= v[i] == (uint32_t)(3 * (i + 1));
	}
	return ok && v[7] == 3 * 0xffff;
}

static inline int test_unknown_label(uint64_t ep)
{
	struct cairn_msg m = {.info = CAIRN_MSGINFO(99, 0)};
	long e = cairn_call(ep, &m);
	return e == 0 && CAIRN_MSGINFO_LABEL(m.info) == IDL_LABEL_NO_METHOD &&
	       Kinds_nothing(ep) == 0;
}
