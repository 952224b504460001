/* SPDX-License-Identifier: MIT */
/*
 * tests.c - bookkeeping for Atlas's self-tests: selection by tests=, the
 * TAP 14 stream (human output) and {"rec":"test"} records (JSON output).
 */
#include "kernel.h"
#include "kstring.h"
#include "record.h"

#define MAX_SELECTED 32

static unsigned n_run, n_failed;
static int tap_started;
/* The TAP stream being written: the boot's, or one `tests` command's (tests_stream_begin). */
static unsigned stream_run, stream_failed;
static unsigned char matched[MAX_SELECTED];
/* The first failures by name, for the layout screen's results panel. */
#define FAILED_KEPT 8
#define FAILED_NAME 48
static char failed_names[FAILED_KEPT][FAILED_NAME];

/* Call fn(index, word, len) for each comma-separated word of tests=. */
static int word_matches(const char *w, size_t len, const char *name)
{
	size_t n = strlen(name);

	if (len == n && !strncmp(w, name, n))
		return 1;
	/* "boot" selects "boot.higher_half". */
	return len < n && !strncmp(w, name, len) && name[len] == '.';
}

int test_selected(const char *name)
{
	const char *t = g_boot->opts.tests, *w = t;
	int hit = 0;
	unsigned idx = 0;

	if (!strcmp(t, "all"))
		return 1;
	if (!strcmp(t, "none"))
		return 0;
	for (const char *p = t;; p++) {
		if (*p == ',' || !*p) {
			if (word_matches(w, (size_t)(p - w), name)) {
				hit = 1;
				if (idx < MAX_SELECTED)
					matched[idx] = 1;
			}
			idx++;
			w = p + 1;
			if (!*p)
				break;
		}
	}
	return hit;
}

int test_named(const char *name)
{
	const char *t = g_boot->opts.tests, *w = t;
	size_t n = strlen(name);

	/* A word at least as specific as name: "mm.lifetimes" or "mm.lifetimes.oom", not "mm" or "all". */
	for (const char *p = t;; p++) {
		if (*p == ',' || !*p) {
			size_t len = (size_t)(p - w);

			if (len >= n && !strncmp(w, name, n) && (len == n || w[n] == '.'))
				return 1;
			w = p + 1;
			if (!*p)
				return 0;
		}
	}
}

void tests_forget_matches(void)
{
	memset(matched, 0, sizeof(matched));
}

/* One more test in the stream: the TAP header before the first (human report), then the counts. */
static void count_run(void)
{
	if (!tap_started && report_human()) {
		kprintf("TAP version 14\n");
		tap_started = 1;
	}
	n_run++;
	stream_run++;
}

void test_result(const char *name, int ok, const char *expect, const char *got)
{
	struct jrec r;

	count_run();
	stream_failed += !ok;
	if (!ok) {
		if (n_failed < FAILED_KEPT)
			ksnprintf(failed_names[n_failed], FAILED_NAME, "%s", name);
		n_failed++;
	}
	if (report_human()) {
		kprintf("%s %u - %s\n", ok ? "ok" : "not ok", stream_run, name);
		if (!ok)
			kprintf("  ---\n  expected: '%s'\n  got: '%s'\n  ...\n", expect, got);
	}
	jrec_begin(&r, "test");
	jrec_str(&r, "name", name);
	jrec_bool(&r, "ok", ok);
	jrec_str(&r, "expect", expect);
	jrec_str(&r, "got", got);
	report_emit(&r);
}

void test_skip(const char *name, const char *expect, const char *why)
{
	struct jrec r;

	count_run();
	if (report_human())
		kprintf("ok %u - %s # SKIP %s\n", stream_run, name, why);
	jrec_begin(&r, "test");
	jrec_str(&r, "name", name);
	jrec_bool(&r, "ok", 1);
	jrec_bool(&r, "skip", 1);
	jrec_str(&r, "expect", expect);
	jrec_str(&r, "got", why);
	report_emit(&r);
}

void test_check(const char *name, int ok, const char *expect, const char *fmt, ...)
{
	char got[160];
	va_list ap;

	if (!test_selected(name))
		return;
	va_start(ap, fmt);
	kvsnprintf(got, sizeof(got), fmt, ap);
	va_end(ap);
	test_result(name, ok, expect, got);
}

void tests_check_unmatched(void)
{
	const char *t = g_boot->opts.tests, *w = t;
	unsigned idx = 0;
	char name[64], why[96];

	if (!strcmp(t, "all") || !strcmp(t, "none"))
		return;
	for (const char *p = t;; p++) {
		if (*p == ',' || !*p) {
			if (idx < MAX_SELECTED && !matched[idx]) {
				size_t len = (size_t)(p - w) < sizeof(name) - 1 ? (size_t)(p - w) : sizeof(name) - 1;
				memcpy(name, w, len);
				name[len] = 0;
				ksnprintf(why, sizeof(why), "tests=%s names no test", name);
				test_result(name, 0, "a known test", why);
			}
			idx++;
			w = p + 1;
			if (!*p)
				break;
		}
	}
}

unsigned tests_summary(void)
{
	struct jrec r;

	if (report_human()) {
		if (!tap_started)
			kprintf("TAP version 14\n");
		kprintf("1..%u\n", n_run);
		kprintf("%u passed, %u failed\n", n_run - n_failed, n_failed);
	}
	jrec_begin(&r, "summary");
	jrec_u64(&r, "passed", n_run - n_failed);
	jrec_u64(&r, "failed", n_failed);
	report_emit(&r);
	return n_failed;
}

void tests_stream_begin(const char *why)
{
	stream_run = stream_failed = 0;
	if (report_human()) {
		kprintf("TAP version 14\n");
		kprintf("# %s\n", why);
	}
	tap_started = 1;
}

unsigned tests_stream_end(void)
{
	if (report_human()) {
		kprintf("1..%u\n", stream_run);
		kprintf("# %u passed, %u failed in this run; %u failed since boot\n", stream_run - stream_failed,
			stream_failed, n_failed);
	}
	return stream_failed;
}

unsigned tests_failed(void)
{
	return n_failed;
}

unsigned tests_run(void)
{
	return n_run;
}

const char *tests_failed_name(unsigned i)
{
	return i < n_failed && i < FAILED_KEPT ? failed_names[i] : NULL;
}
