/* SPDX-License-Identifier: MIT */
/*
 * kstring.h - the C string and memory functions Atlas provides itself
 * (core/lib/string.c; host test builds, ATLAS_HOST, have the C library's),
 * and Atlas's own helpers (core/lib/strutil.c, built everywhere).
 */
#ifndef ATLAS_KSTRING_H
#define ATLAS_KSTRING_H

#include <stddef.h>

#ifdef ATLAS_HOST
#include <string.h>
#else
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
#endif

/* Copy at most size-1 bytes of src and terminate; returns strlen(src). */
size_t kstrlcpy(char *dst, const char *src, size_t size);

/* The value of hex digit c (0-9, a-f, A-F): 0..15, or -1 for any other character. */
int hex_digit_value(char c);

#endif
