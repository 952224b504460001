/* SPDX-License-Identifier: MIT */
/*
 * fmt.c - kvsnprintf: printf-style formatting without floating point,
 * shared by the kernel, efi/ and the host tests.
 */
#include <stdint.h>

#include "kprintf.h"

void kbuf_putc(struct kbuf *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

void kbuf_write(struct kbuf *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		kbuf_putc(o, s[i]);
}

size_t kbuf_end(struct kbuf *o)
{
	if (o->size)
		o->buf[o->len < o->size ? o->len : o->size - 1] = '\0';
	return o->len;
}

static void pad(struct kbuf *o, char c, int n)
{
	while (n-- > 0)
		kbuf_putc(o, c);
}

enum { F_LEFT = 1, F_ZERO = 2, F_PLUS = 4, F_SPACE = 8, F_ALT = 16 };

static void put_num(struct kbuf *o, uint64_t v, int neg, unsigned base, int upper, int flags, int width, int prec)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24] = { 0 }; /* zeroed only to keep static analysers calm */
	int n = 0, len;
	const char *prefix = "";
	int plen;

	/* '0' is ignored with '-' and, for integers, with a precision (C11 7.21.6.1p6). */
	if ((flags & F_LEFT) || prec >= 0)
		flags &= ~F_ZERO;
	if (v == 0 && prec == 0) {
		n = 0;
	} else {
		do {
			tmp[n++] = digits[v % base];
			v /= base;
		} while (v);
	}
	if (neg)
		prefix = "-";
	else if (flags & F_PLUS)
		prefix = "+";
	else if (flags & F_SPACE)
		prefix = " ";
	if ((flags & F_ALT) && base == 16 && n && !(n == 1 && tmp[0] == '0'))
		prefix = upper ? "0X" : "0x";
	/* '#' with o: raise the precision just enough that the first digit is a 0. */
	if ((flags & F_ALT) && base == 8 && prec <= n && !(n == 1 && tmp[0] == '0'))
		prec = n + 1;
	plen = 0;
	while (prefix[plen])
		plen++;
	len = (prec > n ? prec : n) + plen;
	if (!(flags & (F_LEFT | F_ZERO)))
		pad(o, ' ', width - len);
	for (int i = 0; i < plen; i++)
		kbuf_putc(o, prefix[i]);
	if (flags & F_ZERO)
		pad(o, '0', width - len);
	pad(o, '0', prec - n);
	while (n)
		kbuf_putc(o, tmp[--n]);
	if (flags & F_LEFT)
		pad(o, ' ', width - len);
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct kbuf o = { buf, size, 0 };

	while (*fmt) {
		int flags = 0, width = 0, prec = -1, lng = 0;
		char c = *fmt++;

		if (c != '%') {
			kbuf_putc(&o, c);
			continue;
		}
		for (;; fmt++) {
			if (*fmt == '-')
				flags |= F_LEFT;
			else if (*fmt == '0')
				flags |= F_ZERO;
			else if (*fmt == '+')
				flags |= F_PLUS;
			else if (*fmt == ' ')
				flags |= F_SPACE;
			else if (*fmt == '#')
				flags |= F_ALT;
			else
				break;
		}
		if (*fmt == '*') {
			width = va_arg(ap, int);
			if (width < 0) {
				flags |= F_LEFT;
				width = -width;
			}
			fmt++;
		} else {
			while (*fmt >= '0' && *fmt <= '9')
				width = width * 10 + (*fmt++ - '0');
		}
		if (*fmt == '.') {
			fmt++;
			prec = 0;
			if (*fmt == '*') {
				prec = va_arg(ap, int);
				if (prec < 0)
					prec = -1;
				fmt++;
			} else {
				while (*fmt >= '0' && *fmt <= '9')
					prec = prec * 10 + (*fmt++ - '0');
			}
		}
		/* lng: -2 hh, -1 h, 0 int, 1 long, 2 long long; z, t, j are 64-bit here. */
		for (;; fmt++) {
			if (*fmt == 'l')
				lng++;
			else if (*fmt == 'h')
				lng--;
			else if (*fmt == 'z' || *fmt == 't' || *fmt == 'j')
				lng = 2;
			else
				break;
		}
		c = *fmt;
		if (!c)
			break;
		fmt++;
		switch (c) {
		case 'd':
		case 'i': {
			int64_t v;
			if (lng >= 1)
				v = lng == 1 ? (int64_t)va_arg(ap, long) : (int64_t)va_arg(ap, long long);
			else
				v = va_arg(ap, int);
			if (lng == -1)
				v = (short)v;
			else if (lng <= -2)
				v = (signed char)v;
			put_num(&o, v < 0 ? -(uint64_t)v : (uint64_t)v, v < 0, 10, 0, flags, width, prec);
			break;
		}
		case 'u':
		case 'x':
		case 'X':
		case 'o': {
			uint64_t v;
			if (lng >= 1)
				v = lng == 1 ? (uint64_t)va_arg(ap, unsigned long) :
					       (uint64_t)va_arg(ap, unsigned long long);
			else
				v = va_arg(ap, unsigned int);
			if (lng == -1)
				v = (unsigned short)v;
			else if (lng <= -2)
				v = (unsigned char)v;
			put_num(&o, v, 0,
				c == 'o' ? 8 :
				c == 'u' ? 10 :
					   16,
				c == 'X', flags & ~(F_PLUS | F_SPACE), width, prec);
			break;
		}
		case 'p':
			put_num(&o, (uint64_t)(uintptr_t)va_arg(ap, void *), 0, 16, 0, F_ALT | (flags & F_LEFT), width,
				prec);
			break;
		case 'c':
			if (!(flags & F_LEFT))
				pad(&o, ' ', width - 1);
			kbuf_putc(&o, (char)va_arg(ap, int));
			if (flags & F_LEFT)
				pad(&o, ' ', width - 1);
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			int n = 0;
			if (!s)
				s = "(null)";
			while (s[n] && (prec < 0 || n < prec))
				n++;
			if (!(flags & F_LEFT))
				pad(&o, ' ', width - n);
			for (int i = 0; i < n; i++)
				kbuf_putc(&o, s[i]);
			if (flags & F_LEFT)
				pad(&o, ' ', width - n);
			break;
		}
		case '%':
			kbuf_putc(&o, '%');
			break;
		default:
			/* Unknown conversion: show it rather than eat arguments silently. */
			kbuf_putc(&o, '%');
			kbuf_putc(&o, c);
			break;
		}
	}
	return (int)kbuf_end(&o);
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

void kbuf_printf(struct kbuf *o, const char *fmt, ...)
{
	size_t room = o->len < o->size ? o->size - o->len : 0;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(room ? o->buf + o->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)n;
}
