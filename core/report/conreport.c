/* SPDX-License-Identifier: MIT */
/*
 * conreport.c - what the console log (scrollback, `log`) holds and costs:
 * one human line and {"rec":"conlog"} (docs/records.md).
 */
#include "conlog.h"
#include "json.h"
#include "kernel.h"
#include "record.h"
#include "tsc.h"

#define KIB 1024
#define NS_PER_US 1000

void conlog_report(void)
{
	uint64_t first = conlog_first(), end = conlog_end(), ns = tsc_to_ns(conlog_sink_ticks());
	struct jrec r;

	if (report_human()) {
		if (!conlog_ready())
			kprintf("Console log: none (no memory for it at boot)\n");
		else
			kprintf("Console log: %llu lines (%llu-%llu), %llu bytes written, in %zu KiB (%zu KiB of text, "
				"%zu lines); keeping it took %llu us\n",
				(unsigned long long)(end - first), (unsigned long long)first, (unsigned long long)end,
				(unsigned long long)conlog_bytes_written(), conlog_memory() / KIB,
				conlog_text_cap() / KIB, conlog_lines_cap(), (unsigned long long)(ns / NS_PER_US));
	}
	jrec_begin(&r, "conlog");
	jrec_u64(&r, "first", first);
	jrec_u64(&r, "end", end);
	jrec_u64(&r, "bytes", conlog_bytes_written());
	jrec_u64(&r, "memory", conlog_memory());
	jrec_u64(&r, "cap_bytes", conlog_text_cap());
	jrec_u64(&r, "cap_lines", conlog_lines_cap());
	jrec_u64(&r, "write_ns", ns);
	report_emit(&r);
}
