/* SPDX-License-Identifier: MIT */
/* record.c - report= gating and record output (see record.h). */
#include "record.h"

#include "kernel.h"

int report_human(void)
{
	return !g_boot || g_boot->opts.report != REPORT_JSON;
}

int report_json(void)
{
	return g_boot && g_boot->opts.report != REPORT_HUMAN;
}

void report_emit(struct jrec *r)
{
	const char *line;
	char name[48];
	size_t i;

	if (!report_json())
		return;
	line = jrec_end(r);
	if (line) {
		kprintf("%s", line);
		return;
	}
	/* Name the record that did not fit: its "rec" value starts at offset 8. */
	for (i = 0; i + 1 < sizeof(name) && r->buf[8 + i] && r->buf[8 + i] != '"'; i++)
		name[i] = r->buf[8 + i];
	name[i] = 0;
	jrec_begin(r, "error");
	jrec_str(r, "msg", "record too long for its buffer; dropped");
	jrec_str(r, "dropped", name);
	kprintf("%s", jrec_end(r));
}
