/* SPDX-License-Identifier: MIT */
/*
 * string.c - memory and string primitives for the kernel and efi/, which
 * have no C library. gcc may emit calls to memcpy/memset/memmove/memcmp on
 * its own, so these carry the standard names. The host tests use their C
 * library's instead (include/kstring.h), and core/lib/strutil.c for
 * Atlas's own helpers.
 */
#include <stdint.h>

#include "kstring.h"

/*
 * memcpy and memset are the hot ones (page zeroing, heap poisoning): rep
 * movsb / rep stosb, which every x86-64 since Ivy Bridge runs fast (ERMS) and
 * which QEMU's TCG executes as one helper call instead of a byte loop.
 */
void *memcpy(void *dst, const void *src, size_t n)
{
	void *d = dst;
	size_t q = n / 8, b = n % 8;

	/* Quadwords for the bulk: QEMU's TCG runs rep movsq several times faster than rep movsb. */
	__asm__ volatile("rep movsq" : "+D"(d), "+S"(src), "+c"(q) : : "memory");
	__asm__ volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(b) : : "memory");
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;
	if (d < s) {
		while (n--)
			*d++ = *s++;
	} else {
		while (n--)
			d[n] = s[n];
	}
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	void *d = dst;
	size_t q = n / 8, b = n % 8;
	uint64_t pattern = 0x0101010101010101ULL * (uint8_t)c;

	__asm__ volatile("rep stosq" : "+D"(d), "+c"(q) : "a"(pattern) : "memory");
	__asm__ volatile("rep stosb" : "+D"(d), "+c"(b) : "a"(pattern) : "memory");
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;
	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;
	while (n < max && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			return 0;
	}
	return 0;
}
