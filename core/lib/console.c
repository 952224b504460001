/* SPDX-License-Identifier: MIT */
/*
 * console.c - kprintf and friends: every line goes to each console sink in
 * the order they were attached (see console.h). kmain attaches the UART
 * first thing, the console log once the page allocator runs and the
 * framebuffer console once the framebuffer is mapped; the first
 * CONSOLE_EARLY_BYTES of output are kept for them meanwhile.
 */
#include "console.h"

#include "kernel.h"
#include "kerrno.h"
#include "kstring.h"

#define KPRINTF_BUF 1024

static console_sink_fn sinks[CONSOLE_SINKS];
static size_t nsinks;
static char early[CONSOLE_EARLY_BYTES];
static size_t early_len;

int console_attach(console_sink_fn sink, int replay)
{
	if (nsinks == CONSOLE_SINKS)
		return -ENOSPC;
	if (replay && early_len)
		sink(early, early_len);
	sinks[nsinks++] = sink;
	return 0;
}

void console_write(const char *s, size_t n)
{
	size_t room = sizeof(early) - early_len;

	/* Keep the start; what comes after a full buffer is lost to late sinks. */
	memcpy(early + early_len, s, n < room ? n : room);
	early_len += n < room ? n : room;
	for (size_t i = 0; i < nsinks; i++)
		sinks[i](s, n);
}

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
	console_write(buf, (size_t)n);
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
