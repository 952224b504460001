/* SPDX-License-Identifier: MIT */
/*
 * output.c - what processes write to the console. With report=human the
 * bytes go to the screen and the UART as they are. With report=json the
 * console carries only records, so a program's output is cut into lines and
 * each becomes {"rec":"output"} (long lines in pieces), named by the process
 * that wrote it: the terminal's output hook (tty_hooks.output).
 */
#include "console.h"
#include "json.h"
#include "proc.h"
#include "record.h"

void proc_flush_output(struct proc *p)
{
	struct jrec r;

	if (!p->out_len)
		return;
	p->out[p->out_len] = 0;
	jrec_begin(&r, "output");
	jrec_u64(&r, "pid", (uint64_t)p->pid);
	jrec_str(&r, "name", p->name);
	jrec_str(&r, "text", p->out);
	report_emit(&r);
	p->out_len = 0;
}

static void json_output(struct proc *p, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n') {
			if (!p->out_len)
				p->out[p->out_len++] = 0; /* an empty line is still a line */
			proc_flush_output(p);
			continue;
		}
		if (s[i] == '\r')
			continue;
		p->out[p->out_len++] = s[i];
		if (p->out_len == sizeof(p->out) - 1)
			proc_flush_output(p);
	}
}

void proc_console_output(const char *s, size_t n, int raw)
{
	struct proc *p = proc_current();

	/*
	 * raw (OPOST or ONLCR off) cannot be honoured exactly: the UART sink
	 * always sends CR LF for LF. Terminals take an extra CR in stride.
	 */
	(void)raw;
	if (report_human() || !p)
		console_write(s, n);
	else
		json_output(p, s, n);
}
