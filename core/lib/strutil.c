/* SPDX-License-Identifier: MIT */
/*
 * strutil.c - string helpers of Atlas's own, on top of the C names
 * (core/lib/string.c in the kernel and efi/, the C library on the host).
 */
#include "kstring.h"

size_t kstrlcpy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);
	if (size) {
		size_t n = len < size - 1 ? len : size - 1;
		memcpy(dst, src, n);
		dst[n] = 0;
	}
	return len;
}

int hex_digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
