/* SPDX-License-Identifier: MIT */
/*
 * console.c - kprintf and friends: every line goes to each console sink,
 * the UART first, then the framebuffer console.
 *
 * The framebuffer console can only start once core/main.c has mapped the
 * framebuffer (g_fb_virt) and the PMM can give it a back buffer. Until then
 * the text is kept in a small buffer; the first write after the mapping
 * starts fbcon and replays it, so the screen shows the kernel's output from
 * its first line. Without a framebuffer (g_boot->fb.base == 0: gop=off, no
 * GOP, BltOnly) nothing is kept.
 *
 * The console log (drivers/conlog.c: scrollback and the monitor's `log`)
 * starts once the page allocator can give it its rings
 * (console_log_start); it and the screen both begin with what the firmware
 * stage printed (boot_info's fwlog), so nothing of the run is missing from
 * either. Serial printed that text itself before ExitBootServices.
 */
#include "conlog.h"
#include "fbcon.h"
#include "kernel.h"
#include "kstring.h"
#include "memlayout.h"
#include "pmm.h"
#include "serial.h"
#include "x86.h"

#define KPRINTF_BUF 1024
#define EARLY_BUF 8192 /* console output kept for the screen until fbcon starts */

extern uint64_t g_fb_virt; /* core/main.c */

enum fb_sink_state { FB_WAITING, FB_STARTING, FB_ON, FB_ABSENT };

static enum fb_sink_state fb_state;
static uint64_t log_ticks; /* TSC ticks spent keeping the console log */
static char early[EARLY_BUF];
static size_t early_len;

/* Start fbcon once the framebuffer is mapped; what fbcon_init prints meanwhile joins the early text. */
static void fb_attach(void)
{
	if (fb_state != FB_WAITING)
		return;
	if (g_boot && !g_boot->fb.base) {
		fb_state = FB_ABSENT;
		return;
	}
	if (!g_fb_virt)
		return;
	fb_state = FB_STARTING;
	fb_state = fbcon_init() ? FB_ABSENT : FB_ON;
	if (fb_state == FB_ON) {
		fbcon_write(g_boot->fwlog, strnlen(g_boot->fwlog, sizeof(g_boot->fwlog)));
		fbcon_write(early, early_len);
	}
	early_len = 0;
}

static size_t log_pages(void)
{
	return (CONLOG_TEXT_BYTES + CONLOG_LINES * sizeof(uint64_t) + PAGE_SIZE - 1) / PAGE_SIZE;
}

void console_log_start(void)
{
	uint64_t phys;
	char *text;

	if (conlog_ready() || !g_boot)
		return;
	phys = pmm_alloc_pages(log_pages(), PMM_OTHER);
	if (!phys) {
		kprintf("console: no %zu KiB for the console log; no scrollback and no `log`\n", log_pages() * 4);
		return;
	}
	text = PHYS_TO_DIRECT(phys);
	conlog_setup(text, CONLOG_TEXT_BYTES, (uint64_t *)(text + CONLOG_TEXT_BYTES), CONLOG_LINES);
	conlog_write(g_boot->fwlog, strnlen(g_boot->fwlog, sizeof(g_boot->fwlog)));
	conlog_write(early, early_len);
}

size_t console_log_bytes(void)
{
	return conlog_ready() ? log_pages() * PAGE_SIZE : 0;
}

static void fb_sink(const char *s, size_t n)
{
	size_t room = sizeof(early) - early_len;

	switch (fb_state) {
	case FB_ON:
		fbcon_write(s, n);
		break;
	case FB_WAITING:
	case FB_STARTING:
		memcpy(early + early_len, s, n < room ? n : room); /* keep the start; the rest is lost to the screen */
		early_len += n < room ? n : room;
		break;
	default:
		break;
	}
}

void console_write(const char *s, size_t n)
{
	fb_attach();
	serial_write(s, n);
	if (conlog_ready()) {
		uint64_t t0 = rdtsc();

		conlog_write(s, n);
		log_ticks += rdtsc() - t0;
	}
	fb_sink(s, n);
}

uint64_t console_log_ticks(void)
{
	return log_ticks;
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
