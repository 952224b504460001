/* SPDX-License-Identifier: MIT */
/*
 * kprintf.h - formatted output for the kernel and efi/.
 *
 * Conversions: %d %i %u %x %X %o %c %s %p %%, with flags '-' '0' '+' ' ' '#',
 * width and precision (also '*'), and length modifiers hh h l ll z t j.
 * No floating point (the kernel is built without SSE).
 */
#ifndef ATLAS_KPRINTF_H
#define ATLAS_KPRINTF_H

#include <stdarg.h>
#include <stddef.h>

/*
 * Format into buf[0..size) and always terminate when size > 0. Returns the
 * length the full output would have had (like C99 vsnprintf).
 */
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap) __attribute__((format(printf, 3, 0)));
int ksnprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Print to every console (serial, later the framebuffer). Returns bytes written. */
int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
