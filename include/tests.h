/* SPDX-License-Identifier: MIT */
/*
 * tests.h - Atlas's self-tests: selection by tests=, the TAP 14 stream and
 * {"rec":"test"} records (core/selftest/tests.c), the check suites that run
 * at every boot and from the monitor's `tests`, and selftest='s deliberate
 * faults.
 */
#ifndef ATLAS_TESTS_H
#define ATLAS_TESTS_H

#include "options.h"

/* 1 when tests= selects name ("all", exact name, or its dotted prefix). */
int test_selected(const char *name);
/*
 * 1 when a word of tests= is name or a dotted part of it ("mm.lifetimes",
 * "mm.lifetimes.oom"): long tests that neither "all" nor a shorter prefix
 * ("mm") selects.
 */
int test_named(const char *name);
/* Record one result: a TAP line and a {"rec":"test"} record. */
void test_result(const char *name, int ok, const char *expect, const char *got);
/*
 * Record a test that could not run: TAP's "ok N - name # SKIP why" and a
 * {"rec":"test"} record with "skip": true and why as "got". It is not a
 * failure; the reason must say what is missing.
 */
void test_skip(const char *name, const char *expect, const char *why);
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

/*
 * The suites. boot_checks (core/selftest/bootcheck.c): facts about the
 * hand-off, read from the machine; nregions is what memmap_load() returned.
 * mm_checks (core/selftest/mmcheck.c): the kernel address space, heap, page
 * allocator, kernel stacks and CPU features.
 */
void boot_checks(long nregions);
void mm_checks(void);

/*
 * The W^X check over every page table the kernel keeps: its own and the
 * UEFI runtime services' (efirt_count_wx). Returns the pages both writable
 * and executable, and the first in *first: 0 means W^X holds.
 */
unsigned long mm_wx_violations(uint64_t *first);

/* core/selftest/selftest.c: cause the fault selftest= names (does not return unless NONE). */
void selftest_run(enum selftest t);

#endif
