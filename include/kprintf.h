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

/*
 * Text built piece by piece into buf[0..size), as snprintf writes it: never
 * past size, terminated by kbuf_end, and len counts every byte asked for, so
 * a first pass with size 0 measures what a second one needs.
 */
struct kbuf {
	char *buf;
	size_t size;
	size_t len;
};
void kbuf_putc(struct kbuf *b, char c);
void kbuf_write(struct kbuf *b, const char *s, size_t n);
void kbuf_printf(struct kbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Terminate the text (when size > 0); returns the length the whole of it needs. */
size_t kbuf_end(struct kbuf *b);

/* Print to every console (serial, later the framebuffer). Returns bytes written. */
int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
