/* SPDX-License-Identifier: MIT */
/*
 * record.h - what the kernel's output carries, as report= chooses: human
 * text (tables, TAP), JSON-lines records (include/json.h), or both. Every
 * layer may say something; the reports of core/report/ say the most.
 * core/lib/record.c.
 */
#ifndef ATLAS_RECORD_H
#define ATLAS_RECORD_H

#include "json.h"

/* report=human|both: tables and TAP. 1 before boot_info is known. */
int report_human(void);
/* report=json|both: JSON-lines records. */
int report_json(void);
/*
 * Print a finished record when JSON is on. A record too long for its buffer
 * becomes {"rec":"error",...} naming it, never a torn line.
 */
void report_emit(struct jrec *r);

#endif
