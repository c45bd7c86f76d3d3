/*
 * The little of a C library the guest needs (libfdt's imports included)
 * and a printf-style formatter: %c %s %d %i %u %x %p with 0/- flags, a
 * width, a precision for %s (.N or .*) and the l, ll and z length
 * modifiers.
 */
#include "guest.h"
#include "suite.h"

void *memset(void *s, int c, size_t n)
{
	unsigned char *p = s;
	while (n--) {
		*p++ = (unsigned char)c;
	}
	return s;
}

void *memcpy(void *d, const void *s, size_t n)
{
	unsigned char *dp = d;
	const unsigned char *sp = s;
	while (n--) {
		*dp++ = *sp++;
	}
	return d;
}

void *memmove(void *d, const void *s, size_t n)
{
	unsigned char *dp = d;
	const unsigned char *sp = s;
	if (dp <= sp || dp >= sp + n) {
		return memcpy(d, s, n);
	}
	while (n--) {
		dp[n] = sp[n];
	}
	return d;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;
	for (size_t i = 0; i < n; i++) {
		if (x[i] != y[i]) {
			return x[i] - y[i];
		}
	}
	return 0;
}

void *memchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;
	for (size_t i = 0; i < n; i++) {
		if (p[i] == (unsigned char)c) {
			return (void *)(p + i);
		}
	}
	return NULL;
}

size_t strlen(const char *s)
{
	size_t n = 0;
	while (s[n]) {
		n++;
	}
	return n;
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;
	while (n < max && s[n]) {
		n++;
	}
	return n;
}

char *strrchr(const char *s, int c)
{
	const char *last = NULL;
	do {
		if (*s == (char)c) {
			last = s;
		}
	} while (*s++);
	return (char *)last;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (a[i] != b[i] || !a[i]) {
			return (unsigned char)a[i] - (unsigned char)b[i];
		}
	}
	return 0;
}

int strcmp(const char *a, const char *b)
{
	return strncmp(a, b, SIZE_MAX);
}

/* Decimal, or hexadecimal after 0x; the whole of s[0..n) must be a number. */
bool parse_u64(const char *s, size_t n, uint64_t *out)
{
	unsigned base = 10;
	uint64_t v = 0;
	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		n -= 2;
	}
	if (n == 0) {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		unsigned d;
		if (ch >= '0' && ch <= '9') {
			d = ch - '0';
		} else if (base == 16 && ch >= 'a' && ch <= 'f') {
			d = ch - 'a' + 10;
		} else if (base == 16 && ch >= 'A' && ch <= 'F') {
			d = ch - 'A' + 10;
		} else {
			return false;
		}
		v = v * base + d;
	}
	*out = v;
	return true;
}

struct out {
	char *buf;
	size_t size, len;
};

static void put(struct out *o, char ch)
{
	if (o->len + 1 < o->size) {
		o->buf[o->len] = ch;
	}
	o->len++;
}

struct spec {
	bool zero, left;
	unsigned width;
	int prec; /* -1: none */
	int longs;
};

static void put_padded(struct out *o, const char *s, size_t n,
		       const struct spec *sp)
{
	size_t pad = sp->width > n ? sp->width - n : 0;
	if (!sp->left) {
		while (pad--) {
			put(o, sp->zero ? '0' : ' ');
		}
	}
	for (size_t i = 0; i < n; i++) {
		put(o, s[i]);
	}
	if (sp->left) {
		while (pad--) {
			put(o, ' ');
		}
	}
}

static void put_number(struct out *o, uint64_t v, bool neg, unsigned base,
		       const struct spec *sp)
{
	char tmp[24];
	size_t n = sizeof(tmp);
	do {
		tmp[--n] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (neg) {
		if (sp->zero && sp->width) {
			put(o, '-');
			struct spec rest = *sp;
			rest.width = sp->width > 0 ? sp->width - 1 : 0;
			put_padded(o, tmp + n, sizeof(tmp) - n, &rest);
			return;
		}
		tmp[--n] = '-';
	}
	put_padded(o, tmp + n, sizeof(tmp) - n, sp);
}

static const char *parse_spec(const char *f, struct spec *sp, va_list *ap)
{
	memset(sp, 0, sizeof(*sp));
	sp->prec = -1;
	for (;; f++) {
		if (*f == '0') {
			sp->zero = true;
		} else if (*f == '-') {
			sp->left = true;
		} else {
			break;
		}
	}
	while (*f >= '0' && *f <= '9') {
		sp->width = sp->width * 10 + (unsigned)(*f++ - '0');
	}
	if (*f == '.' && f[1] == '*') {
		sp->prec = va_arg(*ap, int);
		f += 2;
	} else if (*f == '.') {
		for (sp->prec = 0, f++; *f >= '0' && *f <= '9'; f++) {
			sp->prec = sp->prec * 10 + (*f - '0');
		}
	}
	for (; *f == 'l' || *f == 'z'; f++) {
		sp->longs++;
	}
	return f;
}

static uint64_t arg_unsigned(va_list *ap, const struct spec *sp)
{
	return sp->longs ? va_arg(*ap, uint64_t) : va_arg(*ap, unsigned);
}

static int64_t arg_signed(va_list *ap, const struct spec *sp)
{
	return sp->longs ? va_arg(*ap, int64_t) : va_arg(*ap, int);
}

static void convert(struct out *o, char conv, va_list *ap,
		    const struct spec *sp)
{
	switch (conv) {
	case 'c': {
		char ch = (char)va_arg(*ap, int);
		put_padded(o, &ch, 1, sp);
		break;
	}
	case 's': {
		const char *s = va_arg(*ap, const char *);
		s = s ? s : "(null)";
		size_t n =
		    sp->prec >= 0 ? strnlen(s, (size_t)sp->prec) : strlen(s);
		put_padded(o, s, n, sp);
		break;
	}
	case 'd':
	case 'i': {
		int64_t v = arg_signed(ap, sp);
		put_number(o, v < 0 ? -(uint64_t)v : (uint64_t)v, v < 0, 10,
			   sp);
		break;
	}
	case 'u':
		put_number(o, arg_unsigned(ap, sp), false, 10, sp);
		break;
	case 'x':
		put_number(o, arg_unsigned(ap, sp), false, 16, sp);
		break;
	case 'p':
		put(o, '0');
		put(o, 'x');
		put_number(o, (uintptr_t)va_arg(*ap, void *), false, 16, sp);
		break;
	default:
		put(o, '%');
		put(o, conv);
		break;
	}
}

int vformat(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = {buf, size, 0};
	va_list args;
	va_copy(args, ap);
	for (const char *f = fmt; *f; f++) {
		if (*f != '%') {
			put(&o, *f);
			continue;
		}
		if (f[1] == '%') {
			put(&o, '%');
			f++;
			continue;
		}
		struct spec sp;
		f = parse_spec(f + 1, &sp, &args);
		if (!*f) {
			break;
		}
		convert(&o, *f, &args, &sp);
	}
	va_end(args);
	if (size) {
		buf[o.len < size ? o.len : size - 1] = '\0';
	}
	return (int)o.len;
}

int format(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vformat(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

/* libfdt from Debian is built with the stack protector. */
uintptr_t __stack_chk_guard = 0x2f8c1d5a6be34097ull;

__attribute__((noreturn)) void __stack_chk_fail(void);

void __stack_chk_fail(void)
{
	suite_fatal("stack protector: a libfdt stack frame was overwritten");
}
