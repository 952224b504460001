/* SPDX-License-Identifier: MIT */
/*
 * report.h - what the kernel tells its reader: human tables, JSON-lines
 * records and the TAP 14 test stream, as report= selects.
 */
#ifndef ATLAS_REPORT_H
#define ATLAS_REPORT_H

#include "json.h"

/* report=human|both: tables and TAP. */
int report_human(void);
/* report=json|both: JSON-lines records. */
int report_json(void);
/*
 * Print a finished record when JSON is on. A record too long for its buffer
 * becomes {"rec":"error",...} naming it, never a torn line.
 */
void report_emit(struct jrec *r);

/* Self-tests (core/tests.c). */
/* 1 when tests= selects name ("all", exact name, or its dotted prefix). */
int test_selected(const char *name);
/* Record one result: a TAP line and a {"rec":"test"} record. */
void test_result(const char *name, int ok, const char *expect, const char *got);
/*
 * If tests= selects name, record a result whose "got" is formatted from fmt
 * (the observed value, in words). Does nothing for unselected tests.
 */
void test_check(const char *name, int ok, const char *expect, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Forget which tests= names matched, before running a new selection (the monitor's `tests`). */
void tests_forget_matches(void);
/* Warn about names in tests= that matched nothing (each counts as failed). */
void tests_check_unmatched(void);
/*
 * A TAP stream of its own for a later run of tests (the monitor's `tests`):
 * begin prints "TAP version 14" and "# why", and the results that follow are
 * numbered from 1; end prints the plan "1..N" and a "# N passed, M failed"
 * comment, and returns M. The counts since boot (tests_failed) go on.
 */
void tests_stream_begin(const char *why);
unsigned tests_stream_end(void);
/* TAP plan and {"rec":"summary"}; returns the number failed. */
unsigned tests_summary(void);
unsigned tests_failed(void);
/* Tests run so far (passed + failed). */
unsigned tests_run(void);
/* The name of the i-th failed test, for the first few; NULL past them. */
const char *tests_failed_name(unsigned i);

/* core/finish.c: end the run as on_finish says. exit_code: 0x10/0x11/0x12. */
void finish(unsigned exit_code) __attribute__((noreturn));

#define EXIT_PASSED 0x10
#define EXIT_FAILED 0x11
#define EXIT_PANIC 0x12

#endif
