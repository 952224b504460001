/* SPDX-License-Identifier: MIT */
/*
 * console.c - kprintf and friends: every line goes to each console sink.
 * Today that is the UART; the framebuffer console joins later.
 */
#include "kernel.h"
#include "kstring.h"
#include "serial.h"

#define KPRINTF_BUF 1024

int kvprintf(const char *fmt, va_list ap)
{
	char buf[KPRINTF_BUF];
	int n = kvsnprintf(buf, sizeof(buf), fmt, ap);

	/* Longer lines are cut, and say so, rather than silently lost. */
	if (n >= (int)sizeof(buf)) {
		static const char cut[] = "...[cut]\n";
		n = sizeof(buf) - 1;
		memcpy(buf + n - (sizeof(cut) - 1), cut, sizeof(cut) - 1);
	}
	serial_write(buf, (size_t)n);
	return n;
}

int kprintf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvprintf(fmt, ap);
	va_end(ap);
	return n;
}

void kdebug(const char *fmt, ...)
{
	va_list ap;

	if (!g_boot || g_boot->opts.log != LOG_DEBUG)
		return;
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
}
