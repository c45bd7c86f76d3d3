#include "format.h"

#include <stdbool.h>
#include <stdint.h>

struct spec {
	bool zero_pad;
	bool left;
	unsigned width;
	int length; /* 0: int, 1: long, 2: long long, 3: size_t */
};

struct out {
	format_sink sink;
	void *ctx;
	size_t count;
};

static void emit(struct out *o, char c)
{
	o->sink(o->ctx, c);
	o->count++;
}

static void emit_padded(struct out *o, const char *s, size_t len,
			const struct spec *sp, bool numeric_neg)
{
	size_t pad = sp->width > len ? sp->width - len : 0;
	char fill = sp->zero_pad && !sp->left ? '0' : ' ';

	if (numeric_neg && fill == '0') {
		emit(o, *s++);
		len--;
	}
	for (; !sp->left && pad > 0; pad--) {
		emit(o, fill);
	}
	for (size_t i = 0; i < len; i++) {
		emit(o, s[i]);
	}
	for (; pad > 0; pad--) {
		emit(o, ' ');
	}
}

static void emit_number(struct out *o, uint64_t v, bool neg, unsigned base,
			bool upper, const struct spec *sp)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char buf[24];
	size_t i = sizeof(buf);

	do {
		buf[--i] = digits[v % base];
		v /= base;
	} while (v != 0);
	if (neg) {
		buf[--i] = '-';
	}
	emit_padded(o, &buf[i], sizeof(buf) - i, sp, neg);
}

static uint64_t arg_unsigned(va_list *ap, int length)
{
	switch (length) {
	case 1:
		return va_arg(*ap, unsigned long);
	case 2:
		return va_arg(*ap, unsigned long long);
	case 3:
		return va_arg(*ap, size_t);
	default:
		return va_arg(*ap, unsigned int);
	}
}

static int64_t arg_signed(va_list *ap, int length)
{
	switch (length) {
	case 1:
		return va_arg(*ap, long);
	case 2:
		return va_arg(*ap, long long);
	case 3:
		return (int64_t)va_arg(*ap, size_t);
	default:
		return va_arg(*ap, int);
	}
}

static const char *parse_spec(const char *p, struct spec *sp)
{
	*sp = (struct spec){0};
	for (;; p++) {
		if (*p == '0') {
			sp->zero_pad = true;
		} else if (*p == '-') {
			sp->left = true;
		} else {
			break;
		}
	}
	while (*p >= '0' && *p <= '9') {
		sp->width = sp->width * 10 + (unsigned)(*p++ - '0');
	}
	if (*p == 'z') {
		sp->length = 3;
		p++;
	}
	while (*p == 'l' && sp->length < 2) {
		sp->length++;
		p++;
	}
	return p;
}

static void convert(struct out *o, char c, const struct spec *sp, va_list *ap)
{
	switch (c) {
	case 'c': {
		char ch = (char)va_arg(*ap, int);
		emit_padded(o, &ch, 1, sp, false);
		break;
	}
	case 's': {
		const char *s = va_arg(*ap, const char *);
		size_t len = 0;
		if (s == NULL) {
			s = "(null)";
		}
		while (s[len] != '\0') {
			len++;
		}
		emit_padded(o, s, len, sp, false);
		break;
	}
	case 'd':
	case 'i': {
		int64_t v = arg_signed(ap, sp->length);
		uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
		emit_number(o, mag, v < 0, 10, false, sp);
		break;
	}
	case 'u':
		emit_number(o, arg_unsigned(ap, sp->length), false, 10, false,
			    sp);
		break;
	case 'x':
	case 'X':
		emit_number(o, arg_unsigned(ap, sp->length), false, 16,
			    c == 'X', sp);
		break;
	case 'p': {
		struct spec p = {.zero_pad = true, .width = 16};
		emit(o, '0');
		emit(o, 'x');
		emit_number(o, (uintptr_t)va_arg(*ap, void *), false, 16, false,
			    &p);
		break;
	}
	case '%':
		emit(o, '%');
		break;
	default:
		emit(o, '%');
		if (c != '\0') {
			emit(o, c);
		}
		break;
	}
}

size_t format_v(format_sink sink, void *ctx, const char *fmt, va_list ap)
{
	struct out o = {sink, ctx, 0};
	va_list args;

	va_copy(args, ap);
	for (const char *p = fmt; *p != '\0'; p++) {
		if (*p != '%') {
			emit(&o, *p);
			continue;
		}
		struct spec sp;
		p = parse_spec(p + 1, &sp);
		convert(&o, *p, &sp, &args);
		if (*p == '\0') {
			break;
		}
	}
	va_end(args);
	return o.count;
}

struct buf_ctx {
	char *buf;
	size_t size;
	size_t used;
};

static void buf_sink(void *ctx, char c)
{
	struct buf_ctx *b = ctx;

	if (b->used + 1 < b->size) {
		b->buf[b->used++] = c;
	}
}

size_t format_vbuf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct buf_ctx b = {buf, size, 0};
	size_t n = format_v(buf_sink, &b, fmt, ap);

	if (size > 0) {
		buf[b.used] = '\0';
	}
	return n;
}

size_t format_buf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	size_t n = format_vbuf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
