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

/* An output piece's text, escaped, stays under this (the rest of the record fits in the other ~200 bytes). */
#define OUTPUT_ESCAPED_MAX (JREC_MAX - 200)
/* Below this many bytes a piece fits whatever they are (6 characters each at worst). */
#define OUTPUT_SAFE (OUTPUT_ESCAPED_MAX / 6)

/* One {"rec":"output"} with p's pending text, which may hold any bytes (NULs too). */
static void output_line(struct proc *p)
{
	struct jrec r;

	jrec_begin(&r, "output");
	jrec_u64(&r, "pid", (uint64_t)p->pid);
	jrec_str(&r, "name", p->name);
	jrec_strn(&r, "text", p->out, p->out_len);
	report_emit(&r);
	p->out_len = 0;
}

void proc_flush_output(struct proc *p)
{
	if (p->out_len)
		output_line(p);
}

static void json_output(struct proc *p, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n') {
			output_line(p); /* an empty line is still a line */
			continue;
		}
		if (s[i] == '\r')
			continue;
		p->out[p->out_len++] = s[i];
		/* A piece must fit a record escaped: binary bytes take 6 characters each. */
		if (p->out_len == sizeof(p->out) - 1 ||
		    (p->out_len >= OUTPUT_SAFE && jrec_strn_size(p->out, p->out_len) > OUTPUT_ESCAPED_MAX))
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
