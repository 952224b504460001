/* SPDX-License-Identifier: MIT */
/*
 * conlog_boot.c - the console log on the running machine: its rings from the
 * page allocator, and a console sink that keeps every line (timed by the TSC,
 * for the conlog record). drivers/conlog.c, the rings themselves, is built
 * into the host tests as well.
 */
#include "conlog.h"

#include "console.h"
#include "kernel.h"
#include "kerrno.h"
#include "kstring.h"
#include "memlayout.h"
#include "pmm.h"
#include "x86.h"

static size_t pages;	    /* what the rings took, 0 without them */
static uint64_t sink_ticks; /* TSC ticks spent keeping the console log */

static size_t log_pages(void)
{
	return (CONLOG_TEXT_BYTES + CONLOG_LINES * sizeof(uint64_t) + PAGE_SIZE - 1) / PAGE_SIZE;
}

static void conlog_sink(const char *s, size_t n)
{
	uint64_t t0 = rdtsc();

	conlog_write(s, n);
	sink_ticks += rdtsc() - t0;
}

int conlog_start(const char *fwlog, size_t n)
{
	uint64_t phys;
	char *text;
	int err;

	if (conlog_ready())
		return 0;
	phys = pmm_alloc_pages(log_pages(), PMM_OTHER);
	if (!phys) {
		kprintf("console: no %zu KiB for the console log; no scrollback and no `log`\n", log_pages() * 4);
		return -ENOMEM;
	}
	text = PHYS_TO_DIRECT(phys);
	conlog_setup(text, CONLOG_TEXT_BYTES, (uint64_t *)(text + CONLOG_TEXT_BYTES), CONLOG_LINES);
	conlog_write(fwlog, strnlen(fwlog, n));
	err = console_attach(conlog_sink, 1); /* then what the kernel said so far */
	if (err) {
		kprintf("console: no sink left for the console log (%d); no scrollback and no `log`\n", err);
		pmm_free_pages(phys, log_pages(), PMM_OTHER);
		conlog_setup(NULL, 0, NULL, 0);
		return err;
	}
	pages = log_pages();
	return 0;
}

size_t conlog_memory(void)
{
	return pages * PAGE_SIZE;
}

uint64_t conlog_sink_ticks(void)
{
	return sink_ticks;
}
