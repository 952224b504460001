/* SPDX-License-Identifier: MIT */
/*
 * test_options.c - host tests for core/lib/options.c.
 *
 * Every parse goes through a heap copy of exactly len bytes, so ASan reports
 * any read past len. Every warning goes through cap_warn, which checks that it
 * is one printable line starting with the source.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "options.h"

#define MAX_MSGS 16
#define MSG_LEN 512

struct cap {
	const char *source;
	int n;
	char msg[MAX_MSGS][MSG_LEN];
};

static void cap_warn(void *ctx, const char *msg)
{
	struct cap *c = ctx;
	size_t len;

	assert_non_null(msg);
	len = strlen(msg);
	assert_true(len > 0);
	assert_true(len < 400); /* fits the parser's message buffer, so never cut */
	for (size_t i = 0; i < len; i++)
		assert_true(msg[i] >= 0x20 && msg[i] < 0x7f); /* one printable line */
	assert_int_equal(strncmp(msg, c->source, strlen(c->source)), 0);
	assert_int_equal(msg[strlen(c->source)], ':');
	if (c->n < MAX_MSGS)
		snprintf(c->msg[c->n], MSG_LEN, "%s", msg);
	c->n++;
}

/* Parse s[0..len) from an allocation of exactly len bytes. */
static int parse_src(struct options *o, const char *s, size_t len, const char *source, int skip, struct cap *c)
{
	char *buf = malloc(len ? len : 1);
	int r;

	assert_non_null(buf);
	memcpy(buf, s, len);
	memset(c, 0, sizeof(*c));
	c->source = source;
	r = options_parse(o, buf, len, source, skip, cap_warn, c);
	free(buf);
	assert_int_equal(r, c->n); /* the return value counts the callbacks */
	return r;
}

static int parse_len(struct options *o, const char *s, size_t len, struct cap *c)
{
	return parse_src(o, s, len, "atlas.cfg", 0, c);
}

static int parse(struct options *o, const char *s, struct cap *c)
{
	return parse_len(o, s, strlen(s), c);
}

/* For literals holding NUL bytes: the whole literal but its terminator. */
#define PARSE_LIT(o, lit, c) parse_len(o, lit, sizeof(lit) - 1, c)

static void assert_has(const char *msg, const char *needle)
{
	if (!strstr(msg, needle))
		fail_msg("message \"%s\" lacks \"%s\"", msg, needle);
}

static void assert_lacks(const char *msg, const char *needle)
{
	if (strstr(msg, needle))
		fail_msg("message \"%s\" has \"%s\"", msg, needle);
}

/* A state where every field differs from the default. */
static const char *const NONDEFAULT = "report=both serial=0x2f8 on_finish=halt tests=foo,bar log=debug";

static void set_nondefault(struct options *o)
{
	struct cap c;

	options_defaults(o);
	assert_int_equal(parse(o, NONDEFAULT, &c), 0);
	assert_int_equal(o->report, REPORT_BOTH);
	assert_int_equal(o->serial, SERIAL_PORT);
	assert_int_equal(o->serial_port, 0x2f8);
	assert_int_equal(o->on_finish, FINISH_HALT);
	assert_string_equal(o->tests, "foo,bar");
	assert_int_equal(o->log, LOG_DEBUG);
}

/*
 * Parse word from the non-default state: it must give exactly one warning
 * that names the word and the key (when there is one) and says what is
 * kept, and must leave every field unchanged.
 */
static void check_rejected(const char *word, size_t len, const char *shown, const char *key, const char *keeping)
{
	struct options o, before;
	struct cap c;

	set_nondefault(&o);
	before = o;
	assert_int_equal(parse_len(&o, word, len, &c), 1);
	assert_memory_equal(&o, &before, sizeof(o));
	assert_has(c.msg[0], shown);
	if (key) {
		char k[64];

		snprintf(k, sizeof(k), " %s ", key);
		assert_has(c.msg[0], k);
	}
	assert_has(c.msg[0], keeping);
}

static void check_bad_value(const char *word, const char *key, const char *keeping)
{
	char shown[300], keep[300];

	snprintf(shown, sizeof(shown), "bad value '%s' for %s (", word, key);
	snprintf(keep, sizeof(keep), "); keeping '%s'", keeping);
	check_rejected(word, strlen(word), shown, NULL, keep);
}

static void test_defaults(void **state)
{
	struct options o;
	char buf[16];

	(void)state;
	memset(&o, 0xa5, sizeof(o));
	options_defaults(&o);
	assert_int_equal(o.report, REPORT_HUMAN);
	assert_int_equal(o.serial, SERIAL_AUTO);
	assert_int_equal(o.on_finish, FINISH_SHUTDOWN);
	assert_int_equal(o.log, LOG_INFO);
	assert_string_equal(o.tests, "all");
	assert_string_equal(options_serial_str(&o, buf, sizeof(buf)), "auto");
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(options_report_name(REPORT_HUMAN), "human");
	assert_string_equal(options_report_name(REPORT_JSON), "json");
	assert_string_equal(options_report_name(REPORT_BOTH), "both");
	assert_non_null(options_report_name((enum report_mode)99));
	assert_string_equal(options_finish_name(FINISH_SHUTDOWN), "shutdown");
	assert_string_equal(options_finish_name(FINISH_REBOOT), "reboot");
	assert_string_equal(options_finish_name(FINISH_HALT), "halt");
	assert_string_equal(options_finish_name(FINISH_EXIT), "exit");
	assert_string_equal(options_finish_name(FINISH_MONITOR), "monitor");
	assert_non_null(options_finish_name((enum on_finish)99));
	assert_string_equal(options_log_name(LOG_INFO), "info");
	assert_string_equal(options_log_name(LOG_DEBUG), "debug");
	assert_non_null(options_log_name((enum log_level)99));
}

static void test_serial_str(void **state)
{
	struct options o;
	char buf[16], small[3];

	(void)state;
	options_defaults(&o);
	assert_ptr_equal(options_serial_str(&o, buf, sizeof(buf)), buf);
	assert_string_equal(buf, "auto");
	o.serial = SERIAL_OFF;
	assert_string_equal(options_serial_str(&o, buf, sizeof(buf)), "off");
	o.serial = SERIAL_PORT;
	o.serial_port = 0x3f8;
	assert_string_equal(options_serial_str(&o, buf, sizeof(buf)), "0x3f8");
	o.serial_port = 0xABCD;
	assert_string_equal(options_serial_str(&o, buf, sizeof(buf)), "0xabcd");
	o.serial_port = 0xffff;
	assert_string_equal(options_serial_str(&o, buf, sizeof(buf)), "0xffff");
	/* Too small: truncated and terminated, nothing written past the end (ASan). */
	assert_string_equal(options_serial_str(&o, small, sizeof(small)), "0x");
	o.serial = SERIAL_AUTO;
	assert_string_equal(options_serial_str(&o, small, sizeof(small)), "au");
	small[0] = 'z';
	options_serial_str(&o, small, 0);
	assert_int_equal(small[0], 'z');
}

static void test_report_values(void **state)
{
	struct options o;
	struct cap c;

	(void)state;
	options_defaults(&o);
	assert_int_equal(parse(&o, "report=json", &c), 0);
	assert_int_equal(o.report, REPORT_JSON);
	assert_int_equal(parse(&o, "report=both", &c), 0);
	assert_int_equal(o.report, REPORT_BOTH);
	assert_int_equal(parse(&o, "report=human", &c), 0);
	assert_int_equal(o.report, REPORT_HUMAN);
}

static void test_serial_values(void **state)
{
	static const struct {
		const char *word;
		enum serial_mode mode;
		uint16_t port;
		const char *str;
	} cases[] = {
		{ "serial=0x3f8", SERIAL_PORT, 0x3f8, "0x3f8" },
		{ "serial=off", SERIAL_OFF, 0, "off" },
		{ "serial=0x2F8", SERIAL_PORT, 0x2f8, "0x2f8" },
		{ "serial=auto", SERIAL_AUTO, 0, "auto" },
		{ "serial=0x1", SERIAL_PORT, 0x1, "0x1" },
		{ "serial=0xffff", SERIAL_PORT, 0xffff, "0xffff" },
		{ "serial=0xFfFf", SERIAL_PORT, 0xffff, "0xffff" },
		{ "serial=0x03f8", SERIAL_PORT, 0x3f8, "0x3f8" },
		{ "serial=0x0000000002e8", SERIAL_PORT, 0x2e8, "0x2e8" },
		{ "serial=0xAbC", SERIAL_PORT, 0xabc, "0xabc" },
	};
	struct options o;
	struct cap c;
	char buf[16];

	(void)state;
	options_defaults(&o);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(parse(&o, cases[i].word, &c), 0);
		assert_int_equal(o.serial, cases[i].mode);
		assert_int_equal(o.serial_port, cases[i].port); /* 0 for auto and off */
		assert_string_equal(options_serial_str(&o, buf, sizeof(buf)), cases[i].str);
	}
}

static void test_on_finish_values(void **state)
{
	struct options o;
	struct cap c;

	(void)state;
	options_defaults(&o);
	assert_int_equal(parse(&o, "on_finish=reboot", &c), 0);
	assert_int_equal(o.on_finish, FINISH_REBOOT);
	assert_int_equal(parse(&o, "on_finish=halt", &c), 0);
	assert_int_equal(o.on_finish, FINISH_HALT);
	assert_int_equal(parse(&o, "on_finish=exit", &c), 0);
	assert_int_equal(o.on_finish, FINISH_EXIT);
	assert_int_equal(parse(&o, "on_finish=monitor", &c), 0);
	assert_int_equal(o.on_finish, FINISH_MONITOR);
	assert_string_equal(options_finish_name(o.on_finish), "monitor");
	assert_int_equal(parse(&o, "on_finish=shutdown", &c), 0);
	assert_int_equal(o.on_finish, FINISH_SHUTDOWN);
}

static void test_log_values(void **state)
{
	struct options o;
	struct cap c;

	(void)state;
	options_defaults(&o);
	assert_int_equal(parse(&o, "log=debug", &c), 0);
	assert_int_equal(o.log, LOG_DEBUG);
	assert_int_equal(parse(&o, "log=info", &c), 0);
	assert_int_equal(o.log, LOG_INFO);
}

static void test_tests_values(void **state)
{
	struct options o;
	struct cap c;
	char word[6 + OPT_TESTS_MAX + 8];
	size_t i;

	(void)state;
	options_defaults(&o);
	assert_int_equal(parse(&o, "tests=none", &c), 0);
	assert_string_equal(o.tests, "none");
	assert_int_equal(parse(&o, "tests=boot", &c), 0);
	assert_string_equal(o.tests, "boot");
	assert_int_equal(parse(&o, "tests=a,B.c,d-e_f9,Z", &c), 0);
	assert_string_equal(o.tests, "a,B.c,d-e_f9,Z");
	assert_int_equal(parse(&o, "tests=x", &c), 0);
	assert_string_equal(o.tests, "x"); /* a shorter list leaves nothing of the longer one */
	assert_int_equal(o.tests[2], 0);
	assert_int_equal(parse(&o, "tests=all", &c), 0);
	assert_string_equal(o.tests, "all");

	/* The longest list that fits: OPT_TESTS_MAX - 1 characters plus the NUL. */
	memcpy(word, "tests=", 6);
	for (i = 0; i < OPT_TESTS_MAX - 1; i++)
		word[6 + i] = i % 4 == 3 ? ',' : 'a' + i % 26;
	word[6 + i] = 0;
	assert_int_equal(parse(&o, word, &c), 0);
	assert_int_equal(strlen(o.tests), OPT_TESTS_MAX - 1);
	assert_memory_equal(o.tests, word + 6, OPT_TESTS_MAX - 1);
	assert_int_equal(o.tests[OPT_TESTS_MAX - 1], 0);
}

static void test_cfg_file(void **state)
{
	static const char cfg[] = "# atlas.cfg for the lab machine\r\n"
				  "\r\n"
				  "report=json   # machine readable\r\n"
				  "\t serial=0x2f8\t\r\n"
				  "   # indented comment report=both\n"
				  "on_finish=reboot\ttests=boot,mm.paging\n"
				  "\n\n"
				  "log=debug #trailing comment with = signs log=info\r\n"
				  "#last line without newline serial=off";
	struct options o;
	struct cap c;

	(void)state;
	options_defaults(&o);
	assert_int_equal(parse(&o, cfg, &c), 0);
	assert_int_equal(o.report, REPORT_JSON);
	assert_int_equal(o.serial, SERIAL_PORT);
	assert_int_equal(o.serial_port, 0x2f8);
	assert_int_equal(o.on_finish, FINISH_REBOOT);
	assert_string_equal(o.tests, "boot,mm.paging");
	assert_int_equal(o.log, LOG_DEBUG);

	/* Only blanks and comments: nothing changes, no warnings. */
	options_defaults(&o);
	assert_int_equal(parse(&o, " \t\r\n# report=json\r\n#\n\t\n", &c), 0);
	assert_int_equal(o.report, REPORT_HUMAN);

	/* A comment ends at a bare CR too. */
	assert_int_equal(parse(&o, "# old mac line\rlog=debug", &c), 0);
	assert_int_equal(o.log, LOG_DEBUG);

	/* '#' inside a word is not a comment: the value is wrong, one warning. */
	options_defaults(&o);
	assert_int_equal(parse(&o, "report=json#comment log=debug", &c), 1);
	assert_has(c.msg[0], "'report=json#comment'");
	assert_int_equal(o.report, REPORT_HUMAN);
	assert_int_equal(o.log, LOG_DEBUG);

	/* A UTF-8 byte order mark at the start of the file is skipped. */
	options_defaults(&o);
	assert_int_equal(parse(&o, "\xef\xbb\xbfreport=json\n", &c), 0);
	assert_int_equal(o.report, REPORT_JSON);
	/* ... but not elsewhere. */
	assert_int_equal(parse(&o, "log=debug \xef\xbb\xbfreport=both", &c), 1);
	assert_has(c.msg[0], "'\\xef\\xbb\\xbfreport=both'");
	assert_int_equal(o.report, REPORT_JSON);
}

static void test_later_overrides(void **state)
{
	struct options o;
	struct cap c;

	(void)state;
	options_defaults(&o);
	assert_int_equal(parse(&o, "report=json log=debug report=both\nreport=human tests=a tests=b", &c), 0);
	assert_int_equal(o.report, REPORT_HUMAN);
	assert_int_equal(o.log, LOG_DEBUG);
	assert_string_equal(o.tests, "b");
	/* A bad later word does not undo a good earlier one. */
	assert_int_equal(parse(&o, "report=json report=xml", &c), 1);
	assert_int_equal(o.report, REPORT_JSON);
	assert_has(c.msg[0], "keeping 'json'");
}

static void test_layering(void **state)
{
	static const char cfg[] = "report=json\nserial=0x2f8\nlog=debug\ntests=boot,mm\n";
	static const char cmd[] = "fs0:\\EFI\\BOOT\\BOOTX64.EFI report=both serial=off";
	struct options o;
	struct cap c;
	char buf[16];

	(void)state;
	options_defaults(&o);
	assert_int_equal(parse_src(&o, cfg, strlen(cfg), "atlas.cfg", 0, &c), 0);
	assert_int_equal(parse_src(&o, cmd, strlen(cmd), "command line", 1, &c), 0);
	assert_int_equal(o.report, REPORT_BOTH);			      /* command line wins */
	assert_string_equal(options_serial_str(&o, buf, sizeof(buf)), "off"); /* command line wins */
	assert_int_equal(o.log, LOG_DEBUG);				      /* from atlas.cfg */
	assert_string_equal(o.tests, "boot,mm");			      /* from atlas.cfg */
	assert_int_equal(o.on_finish, FINISH_SHUTDOWN);			      /* default */

	/* A bad command-line value keeps the atlas.cfg one and says so. */
	options_defaults(&o);
	assert_int_equal(parse_src(&o, cfg, strlen(cfg), "atlas.cfg", 0, &c), 0);
	assert_int_equal(parse_src(&o, "x.efi report=xml", 16, "command line", 1, &c), 1);
	assert_string_equal(c.msg[0], "command line: bad value 'report=xml' for report (expected human|json|both); "
				      "keeping 'json'");
	assert_int_equal(o.report, REPORT_JSON);
}

static void test_skip_first_word(void **state)
{
	struct options o;
	struct cap c;
	const char *s;

	(void)state;
	/* With a program name: skipped silently. */
	options_defaults(&o);
	s = "fs0:\\EFI\\BOOT\\BOOTX64.EFI report=json";
	assert_int_equal(parse_src(&o, s, strlen(s), "command line", 1, &c), 0);
	assert_int_equal(o.report, REPORT_JSON);

	/* Only a program name. */
	options_defaults(&o);
	s = "  BOOTX64.EFI  ";
	assert_int_equal(parse_src(&o, s, strlen(s), "command line", 1, &c), 0);

	/* A quoted program name with a blank in it is still one word. */
	s = "\"fs0:\\My Tools\\atlas.efi\" log=debug";
	assert_int_equal(parse_src(&o, s, strlen(s), "command line", 1, &c), 0);
	assert_int_equal(o.log, LOG_DEBUG);

	/* Without a program name the first word is an option and is applied. */
	options_defaults(&o);
	s = "report=json log=debug";
	assert_int_equal(parse_src(&o, s, strlen(s), "command line", 1, &c), 0);
	assert_int_equal(o.report, REPORT_JSON);
	assert_int_equal(o.log, LOG_DEBUG);

	/* ... including a bad first option: it warns, it is not skipped. */
	options_defaults(&o);
	s = "report=xml";
	assert_int_equal(parse_src(&o, s, strlen(s), "command line", 1, &c), 1);
	assert_has(c.msg[0], "'report=xml'");

	/* Only the first word is skipped. */
	s = "BOOTX64.EFI stray report=json";
	assert_int_equal(parse_src(&o, s, strlen(s), "command line", 1, &c), 1);
	assert_has(c.msg[0], "'stray'");
	assert_lacks(c.msg[0], "BOOTX64");
	assert_int_equal(o.report, REPORT_JSON);

	/* skip_first_word off: the program name is a word without '='. */
	options_defaults(&o);
	s = "BOOTX64.EFI report=json";
	assert_int_equal(parse_src(&o, s, strlen(s), "command line", 0, &c), 1);
	assert_has(c.msg[0], "'BOOTX64.EFI'");
	assert_int_equal(o.report, REPORT_JSON);
}

static void test_quoted_values(void **state)
{
	struct options o;
	struct cap c;

	(void)state;
	options_defaults(&o);
	assert_int_equal(parse(&o, "report=\"json\" tests=\"a,b\" log=de\"bu\"g serial=\"0x\"3f8", &c), 0);
	assert_int_equal(o.report, REPORT_JSON);
	assert_string_equal(o.tests, "a,b");
	assert_int_equal(o.log, LOG_DEBUG);
	assert_int_equal(o.serial_port, 0x3f8);

	/* A quoted blank keeps the word whole: one warning, not two. */
	assert_int_equal(parse(&o, "report=\"json both\" on_finish=halt", &c), 1);
	assert_has(c.msg[0], "'report=\"json both\"'");
	assert_int_equal(o.report, REPORT_JSON);
	assert_int_equal(o.on_finish, FINISH_HALT);

	/* Quotes around nothing are still an empty value. */
	assert_int_equal(parse(&o, "tests=\"\"", &c), 1);
	assert_has(c.msg[0], "'tests=\"\"'");
	assert_string_equal(o.tests, "a,b");

	/* Blanks are not valid in a test name, quoted or not. */
	assert_int_equal(parse(&o, "tests=\"a, b\"", &c), 1);
	assert_string_equal(o.tests, "a,b");
}

static void test_unterminated_quote(void **state)
{
	struct options o, before;
	struct cap c;

	(void)state;
	set_nondefault(&o);
	before = o;
	assert_int_equal(parse(&o, "tests=\"a,b report=json", &c), 1);
	assert_memory_equal(&o, &before, sizeof(o));
	assert_has(c.msg[0], "unterminated quote");
	assert_has(c.msg[0], "of tests:");
	assert_has(c.msg[0], "'tests=\"a,b report=json'");
	assert_has(c.msg[0], "keeping 'foo,bar'");

	/* The quote stops at the end of the line; the next line still counts. */
	assert_int_equal(parse(&o, "report=\"json\r\nlog=info\n", &c), 1);
	assert_has(c.msg[0], "of report:");
	assert_has(c.msg[0], "'report=\"json'");
	assert_int_equal(o.report, REPORT_BOTH);
	assert_int_equal(o.log, LOG_INFO);

	/* Unterminated in an unknown key or a word without '=': one warning. */
	assert_int_equal(parse(&o, "colour=\"red", &c), 1);
	assert_has(c.msg[0], "'colour=\"red'");
	assert_int_equal(parse(&o, "\"just words", &c), 1);
	assert_has(c.msg[0], "'\"just words'");

	/* An unterminated first word is not taken for a program name. */
	assert_int_equal(parse_src(&o, "\"BOOT.EFI log=debug", 19, "command line", 1, &c), 1);
	assert_has(c.msg[0], "unterminated quote");
	assert_int_equal(o.log, LOG_INFO);
}

static void test_unknown_key(void **state)
{
	struct options o;
	struct cap c;

	(void)state;
	check_rejected("colour=red", 10, "unknown option 'colour=red'", NULL, "; ignored");
	options_defaults(&o);
	assert_int_equal(parse(&o, "colour=red", &c), 1);
	assert_string_equal(
		c.msg[0],
		"atlas.cfg: unknown option 'colour=red' "
		"(known: report, serial, on_finish, tests, log, ebs_stale, selftest, walk, bench, run, gop, screen, menu, "
		"menu_timeout, watchdog, initrd, init, aslr, hw); ignored");
	/* Keys are case-sensitive and exact. */
	check_rejected("REPORT=json", 11, "unknown option 'REPORT=json'", NULL, "ignored");
	check_rejected("reports=json", 12, "unknown option 'reports=json'", NULL, "ignored");
	check_rejected("repor=json", 10, "unknown option 'repor=json'", NULL, "ignored");
	check_rejected("=json", 5, "unknown option '=json'", NULL, "ignored");
	check_rejected("\"report\"=json", 13, "unknown option '\"report\"=json'", NULL, "ignored");
	check_rejected("on-finish=halt", 14, "unknown option 'on-finish=halt'", NULL, "ignored");
}

static void test_bad_values(void **state)
{
	(void)state;
	/* The state before each is NONDEFAULT. */
	check_bad_value("report=xml", "report", "both");
	check_bad_value("report=JSON", "report", "both");
	check_bad_value("report=jsonx", "report", "both");
	check_bad_value("report=jso", "report", "both");
	check_bad_value("report=json=both", "report", "both");
	check_bad_value("report=human,json", "report", "both");
	check_bad_value("serial=none", "serial", "0x2f8");
	check_bad_value("serial=AUTO", "serial", "0x2f8");
	check_bad_value("serial=Off", "serial", "0x2f8");
	check_bad_value("on_finish=poweroff", "on_finish", "halt");
	check_bad_value("on_finish=Reboot", "on_finish", "halt");
	check_bad_value("on_finish=halt!", "on_finish", "halt");
	check_bad_value("on_finish=Monitor", "on_finish", "halt");
	check_bad_value("on_finish=monitor,halt", "on_finish", "halt");
	check_bad_value("tests=all,", "tests", "foo,bar");
	check_bad_value("log=trace", "log", "debug");
	check_bad_value("log=DEBUG", "log", "debug");
	check_bad_value("log=debu", "log", "debug");
}

static void test_bad_values_say_what_is_accepted(void **state)
{
	struct options o;
	struct cap c;

	(void)state;
	options_defaults(&o);
	assert_int_equal(parse(&o, "report=x serial=x on_finish=x tests=, log=x", &c), 5);
	assert_has(c.msg[0], "human|json|both");
	assert_has(c.msg[1], "auto|off|0xPORT");
	assert_has(c.msg[2], "shutdown|reboot|halt|exit|monitor");
	assert_has(c.msg[3], "all|none|NAME");
	assert_has(c.msg[4], "info|debug");
	assert_has(c.msg[0], "keeping 'human'");
	assert_has(c.msg[1], "keeping 'auto'");
	assert_has(c.msg[2], "keeping 'shutdown'");
	assert_has(c.msg[3], "keeping 'all'");
	assert_has(c.msg[4], "keeping 'info'");
}

static void test_empty_values(void **state)
{
	(void)state;
	check_bad_value("report=", "report", "both");
	check_bad_value("serial=", "serial", "0x2f8");
	check_bad_value("on_finish=", "on_finish", "halt");
	check_bad_value("tests=", "tests", "foo,bar");
	check_bad_value("log=", "log", "debug");
}

static void test_no_equals(void **state)
{
	struct options o;
	struct cap c;

	(void)state;
	check_rejected("json", 4, "'json' is not key=value", NULL, "ignored");
	check_rejected("report", 6, "'report' is not key=value", NULL, "ignored");
	check_rejected("report:json", 11, "'report:json'", NULL, "ignored");
	/* A word without '=' in the middle does not stop the parse. */
	options_defaults(&o);
	assert_int_equal(parse(&o, "report=json debug log=debug", &c), 1);
	assert_has(c.msg[0], "'debug'");
	assert_has(c.msg[0], "known: report, serial");
	assert_int_equal(o.report, REPORT_JSON);
	assert_int_equal(o.log, LOG_DEBUG);
}

static void test_bad_ports(void **state)
{
	static const char *const bad[] = {
		"serial=0x",	     "serial=0x0",	   "serial=0x0000",	 "serial=0x10000",
		"serial=0x1ffff",    "serial=0xffffffff",  "serial=0x100000000", "serial=0x1000000000000000003f8",
		"serial=1016",	     "serial=3f8",	   "serial=0X3f8",	 "serial=x3f8",
		"serial=0x3f8g",     "serial=0xg",	   "serial=0x-1",	 "serial=0x+1",
		"serial=-0x1",	     "serial=0x3f8,0x2f8", "serial=0x3f8h",	 "serial=00x3f8",
		"serial=\"0x3f 8\"", "serial=auto2",	   "serial=0",		 "serial=0x\"\"",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		check_bad_value(bad[i], "serial", "0x2f8");
	}
}

static void test_tests_too_long(void **state)
{
	struct options o, before;
	struct cap c;
	char word[6 + OPT_TESTS_MAX + 1];
	size_t i;

	(void)state;
	/* OPT_TESTS_MAX characters: one too many for the NUL. */
	memcpy(word, "tests=", 6);
	for (i = 0; i < OPT_TESTS_MAX; i++)
		word[6 + i] = i % 2 ? ',' : 't';
	word[6 + i] = 0;
	set_nondefault(&o);
	before = o;
	assert_int_equal(parse(&o, word, &c), 1);
	assert_memory_equal(&o, &before, sizeof(o));
	assert_has(c.msg[0], "bad value 'tests=t,t,t");
	assert_has(c.msg[0], "...'");
	assert_has(c.msg[0], "longer than 255 characters");
	assert_has(c.msg[0], "keeping 'foo,bar'");

	/* The same list quoted: the quotes do not count, it still does not fit. */
	{
		char q[sizeof(word) + 2];

		snprintf(q, sizeof(q), "tests=\"%s\"", word + 6);
		assert_int_equal(parse(&o, q, &c), 1);
		assert_memory_equal(&o, &before, sizeof(o));
		/* ... and one character less does fit, quotes or not. */
		q[strlen(q) - 2] = '"';
		q[strlen(q) - 1] = 0;
		assert_int_equal(parse(&o, q, &c), 0);
		assert_int_equal(strlen(o.tests), OPT_TESTS_MAX - 1);
	}

	/* A long current value is shortened in "keeping '...'". */
	assert_int_equal(parse(&o, "tests=,", &c), 1);
	assert_has(c.msg[0], "keeping 't,t,t,");
	assert_has(c.msg[0], "...'");

	/* The longest message there is still fits whole: it ends with the kept value. */
	assert_int_equal(parse_src(&o, word, strlen(word), "command line", 1, &c), 1);
	assert_has(c.msg[0], "longer than 255 characters");
	assert_int_equal(strcmp(c.msg[0] + strlen(c.msg[0]) - 4, "...'"), 0);
}

static void test_bad_test_names(void **state)
{
	static const char *const bad[] = {
		"tests=a,,b", "tests=,a",   "tests=a,",	   "tests=,",	     "tests=a;b",     "tests=a/b",
		"tests=a*",   "tests=all?", "tests=a\\b",  "tests=\"a, b\"", "tests=\"a b\"", "tests=a:b",
		"tests=a=b",  "tests=a|b",  "tests=a\x7f", "tests=a\x01",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct options o, before;
		struct cap c;

		set_nondefault(&o);
		before = o;
		assert_int_equal(parse(&o, bad[i], &c), 1);
		assert_has(c.msg[0], "for tests (expected all|none|NAME");
		assert_memory_equal(&o, &before, sizeof(o));
		assert_has(c.msg[0], "keeping 'foo,bar'");
	}
	/* Control bytes in the word are escaped in the message. */
	{
		struct options o;
		struct cap c;

		set_nondefault(&o);
		assert_int_equal(parse(&o, "tests=a\x01", &c), 1);
		assert_has(c.msg[0], "'tests=a\\x01'");
	}
}

static void test_non_ascii(void **state)
{
	(void)state;
	check_rejected("report=js\xc3\xb6n", 12, "bad value 'report=js\\xc3\\xb6n' for report", NULL, "keeping 'both'");
	check_rejected("tests=caf\xc3\xa9", 11, "bad value 'tests=caf\\xc3\\xa9' for tests", NULL, "keeping 'foo,bar'");
	check_rejected("r\xe9port=json", 11, "unknown option 'r\\xe9port=json'", NULL, "ignored");
	check_rejected("\xff\xfe", 2, "'\\xff\\xfe' is not key=value", NULL, "ignored");
	check_rejected("serial=0x3f8\xa0", 13, "bad value 'serial=0x3f8\\xa0'", NULL, "keeping '0x2f8'");
}

static void test_embedded_nul(void **state)
{
	struct options o;
	struct cap c;

	(void)state;
	/* A NUL is a byte of the word, not its end, and the parse goes on after it. */
	options_defaults(&o);
	assert_int_equal(PARSE_LIT(&o, "report=js\0on log=debug", &c), 1);
	assert_has(c.msg[0], "bad value 'report=js\\x00on' for report");
	assert_int_equal(o.report, REPORT_HUMAN);
	assert_int_equal(o.log, LOG_DEBUG);

	options_defaults(&o);
	assert_int_equal(PARSE_LIT(&o, "report=json\0", &c), 1);
	assert_has(c.msg[0], "'report=json\\x00'");
	assert_int_equal(o.report, REPORT_HUMAN);

	assert_int_equal(PARSE_LIT(&o, "report=json\0log=debug", &c), 1);
	assert_int_equal(o.report, REPORT_HUMAN);
	assert_int_equal(o.log, LOG_INFO);

	check_rejected("\0", 1, "'\\x00' is not key=value", NULL, "ignored");
	check_rejected("rep\0rt=json", 11, "unknown option 'rep\\x00rt=json'", NULL, "ignored");
	check_rejected("serial=0x3\0f8", 13, "bad value 'serial=0x3\\x00f8'", NULL, "keeping '0x2f8'");
	check_rejected("tests=a\0b", 9, "bad value 'tests=a\\x00b'", NULL, "keeping 'foo,bar'");
}

/* A 10 KB word of prefix then fill bytes, then an optional suffix. */
static char *big_word(const char *prefix, char fill, const char *suffix, size_t *len)
{
	size_t n = 10 * 1024, p = strlen(prefix), s = strlen(suffix);
	char *w = malloc(n);

	assert_non_null(w);
	memcpy(w, prefix, p);
	memset(w + p, fill, n - p - s);
	memcpy(w + n - s, suffix, s);
	*len = n;
	return w;
}

static void test_huge_words(void **state)
{
	struct options o;
	struct cap c;
	size_t len;
	char *w;

	(void)state;
	w = big_word("tests=", 'a', "", &len);
	check_rejected(w, len, "bad value 'tests=aaaaaaaa", NULL, "keeping 'foo,bar'");
	check_rejected(w, len, "aaa...' for tests (longer than 255 characters", NULL, "keeping");
	free(w);

	w = big_word("report=", 'j', "", &len);
	check_rejected(w, len, "bad value 'report=jjj", NULL, "...' for report (");
	free(w);

	/* 0x0000...03f8 is too long to be a port, however many zeros. */
	w = big_word("serial=0x", '0', "3f8", &len);
	check_rejected(w, len, "bad value 'serial=0x000", NULL, "keeping '0x2f8'");
	free(w);

	w = big_word("", 'k', "=json", &len);
	check_rejected(w, len, "unknown option 'kkkk", NULL, "...' (known:");
	free(w);

	w = big_word("", 'z', "", &len);
	check_rejected(w, len, "'zzzz", NULL, "...' is not key=value");
	free(w);

	w = big_word("report=\"", 'q', "", &len);
	check_rejected(w, len, "unterminated quote in value of report: 'report=\"qqq", NULL, "...'; keeping 'both'");
	free(w);

	/* Non-ASCII bytes grow four times when escaped; still cut, still one line. */
	w = big_word("tests=", '\xff', "", &len);
	check_rejected(w, len, "bad value 'tests=\\xff\\xff", NULL, "...' for tests");
	free(w);

	/* Short words whose escapes are what makes them too long (ASan checks the cut). */
	for (size_t n = 1; n <= 40; n++) {
		char b[48] = "tests=";

		memset(b + 6, '\x80', n);
		check_rejected(b, 6 + n, "bad value 'tests=\\x80", NULL, "keeping 'foo,bar'");
	}

	/* Words after a huge one are still parsed. */
	{
		char *t = malloc(10 * 1024 + 16);

		assert_non_null(t);
		memcpy(t, "tests=", 6);
		memset(t + 6, 'b', 10 * 1024);
		memcpy(t + 6 + 10 * 1024, " log=debug", 10);
		options_defaults(&o);
		assert_int_equal(parse_len(&o, t, 10 * 1024 + 16, &c), 1);
		assert_string_equal(o.tests, "all");
		assert_int_equal(o.log, LOG_DEBUG);
		free(t);
	}
}

static void test_len_limits(void **state)
{
	static const char s[] = "report=json log=debug";
	struct options o;
	struct cap c;

	(void)state;
	/* len ends after the first word: the second is not seen. */
	options_defaults(&o);
	assert_int_equal(parse_len(&o, s, 11, &c), 0);
	assert_int_equal(o.report, REPORT_JSON);
	assert_int_equal(o.log, LOG_INFO);

	/* len ends inside a word: the word is what len covers. */
	options_defaults(&o);
	assert_int_equal(parse_len(&o, s, 9, &c), 1);
	assert_has(c.msg[0], "'report=js'");
	assert_lacks(c.msg[0], "report=json");
	assert_int_equal(o.report, REPORT_HUMAN);
	assert_int_equal(parse_len(&o, s, 7, &c), 1); /* "report=": empty */
	assert_has(c.msg[0], "bad value 'report='");
	assert_int_equal(parse_len(&o, s, 20, &c), 1); /* "log=debu" */
	assert_has(c.msg[0], "'log=debu'");
	assert_int_equal(o.log, LOG_INFO);

	/* len ends inside a quote, a comment, a serial port. */
	assert_int_equal(parse_len(&o, "tests=\"a,b\"", 10, &c), 1);
	assert_has(c.msg[0], "unterminated quote");
	assert_string_equal(o.tests, "all");
	assert_int_equal(parse_len(&o, "# x\nlog=debug", 5, &c), 1);
	assert_has(c.msg[0], "'l' is not key=value");
	assert_int_equal(parse_len(&o, "serial=0x3f8", 10, &c), 0);
	assert_int_equal(o.serial_port, 0x3);
	assert_int_equal(parse_len(&o, "\xef\xbb\xbf", 2, &c), 1); /* half a BOM is just bytes */

	/* Nothing at all. */
	options_defaults(&o);
	assert_int_equal(parse_len(&o, s, 0, &c), 0);
	assert_int_equal(o.report, REPORT_HUMAN);
	assert_int_equal(options_parse(&o, NULL, 0, "atlas.cfg", 1, cap_warn, &c), 0);
}

static void test_warn_null_and_count(void **state)
{
	struct options o;
	struct cap c;
	const char *s = "a b=c report=xml log=debug serial=0x0 tests=\"x tests=y";

	(void)state;
	options_defaults(&o);
	assert_int_equal(parse(&o, s, &c), 5);
	assert_has(c.msg[0], "'a'");
	assert_has(c.msg[1], "'b=c'");
	assert_has(c.msg[2], "'report=xml'");
	assert_has(c.msg[3], "'serial=0x0'");
	assert_has(c.msg[4], "unterminated quote");
	assert_int_equal(o.log, LOG_DEBUG);

	/* No callback: still counted, nothing called. */
	options_defaults(&o);
	assert_int_equal(options_parse(&o, s, strlen(s), "atlas.cfg", 0, NULL, NULL), 5);
	assert_int_equal(o.log, LOG_DEBUG);
}

/* ebs_stale: a lab-bench count 0..OPT_EBS_STALE_MAX; anything else keeps the old value. */
static void test_ebs_stale(void **state)
{
	struct options o;
	struct cap c;
	static const char *const bad[] = { "ebs_stale=",    "ebs_stale=-1", "ebs_stale=17", "ebs_stale=100",
					   "ebs_stale=0x3", "ebs_stale=+1", "ebs_stale=1a" };

	(void)state;
	options_defaults(&o);
	assert_int_equal(o.ebs_stale, 0);
	assert_int_equal(parse(&o, "ebs_stale=3", &c), 0);
	assert_int_equal(o.ebs_stale, 3);
	assert_int_equal(parse(&o, "ebs_stale=16", &c), 0);
	assert_int_equal(o.ebs_stale, 16);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(&o, bad[i], &c), 1);
		assert_has(c.msg[0], bad[i]);
		assert_has(c.msg[0], "keeping '16'");
		assert_int_equal(o.ebs_stale, 16);
	}
}

static void test_selftest_bench_walk(void **state)
{
	struct options o;
	struct cap c;
	static const char *const bad_walk[] = { "walk=",
						"walk=0x",
						"walk=1234",
						"walk=0x12,",
						"walk=,0x12",
						"walk=0x12,,0x13",
						"walk=0xg",
						"walk=0x12345678123456789",
						"walk=0x1,0x2,0x3,0x4,0x5,0x6,0x7,0x8,0x9" };

	(void)state;
	options_defaults(&o);
	assert_int_equal(o.selftest, SELFTEST_NONE);
	assert_int_equal(o.bench, 0);
	assert_int_equal(o.nwalk, 0);
	assert_int_equal(parse(&o, "selftest=kstack bench=on walk=0xffffffff80000000,0x0,0xFFFF800000001000", &c), 0);
	assert_int_equal(o.selftest, SELFTEST_KSTACK);
	assert_string_equal(options_selftest_name(o.selftest), "kstack");
	assert_int_equal(o.bench, 1);
	assert_int_equal(o.nwalk, 3);
	assert_true(o.walk[0] == 0xffffffff80000000ULL && o.walk[1] == 0 && o.walk[2] == 0xffff800000001000ULL);
	assert_int_equal(parse(&o, "selftest=null selftest=rodata bench=off", &c), 0);
	assert_int_equal(o.selftest, SELFTEST_RODATA);
	assert_int_equal(o.bench, 0);
	assert_int_equal(parse(&o, "selftest=boom", &c), 1);
	assert_has(c.msg[0], "selftest=boom");
	assert_int_equal(o.selftest, SELFTEST_RODATA);
	assert_int_equal(parse(&o, "bench=yes", &c), 1);
	for (size_t i = 0; i < sizeof(bad_walk) / sizeof(bad_walk[0]); i++) {
		assert_int_equal(parse(&o, bad_walk[i], &c), 1);
		assert_has(c.msg[0], "walk");
		assert_int_equal(o.nwalk, 3);
		assert_true(o.walk[2] == 0xffff800000001000ULL);
	}
	assert_int_equal(parse(&o, "walk=0x1,0x2,0x3,0x4,0x5,0x6,0x7,0x8", &c), 0);
	assert_int_equal(o.nwalk, 8);
}

static void test_run_option(void **state)
{
	struct options o;
	struct cap c;
	static const char *const bad[] = {
		"run=",		  "run=hello.elf", "run=\"\\a.elf;\"", "run=\"\\a.elf;;\\b.elf\"", "run=\"\\a.elf; x\"",
		"run=\\a\x01.elf"
	};

	(void)state;
	options_defaults(&o);
	assert_int_equal(o.run[0], 0);
	assert_int_equal(parse(&o, "run=\"\\atlas\\x.elf one two;/other.elf\"", &c), 0);
	assert_string_equal(o.run, "\\atlas\\x.elf one two;/other.elf");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(&o, bad[i], &c), 1);
		assert_has(c.msg[0], "run");
		assert_string_equal(o.run, "\\atlas\\x.elf one two;/other.elf");
	}
}

static void test_gop_option(void **state)
{
	struct options o;
	struct cap c;
	char buf[32];
	static const char *const bad[] = {
		"gop=",		 "gop=Auto",	   "gop=1920",		"gop=1920x",	"gop=x1080",
		"gop=1920X1080", "gop=0x600",	   "gop=800x0",		"gop=0800x600", "gop=65536x1",
		"gop=-800x600",	 "gop=800x600x32", "gop=99999999999x1",
	};

	(void)state;
	options_defaults(&o);
	assert_int_equal(o.gop, GOP_AUTO);
	assert_string_equal(options_gop_str(&o, buf, sizeof(buf)), "auto");
	assert_int_equal(parse(&o, "gop=off", &c), 0);
	assert_int_equal(o.gop, GOP_OFF);
	assert_string_equal(options_gop_str(&o, buf, sizeof(buf)), "off");
	assert_int_equal(parse(&o, "gop=list", &c), 0);
	assert_int_equal(o.gop, GOP_LIST);
	assert_string_equal(options_gop_str(&o, buf, sizeof(buf)), "list");
	assert_int_equal(parse(&o, "gop=1366x768", &c), 0);
	assert_int_equal(o.gop, GOP_SIZE);
	assert_int_equal(o.gop_width, 1366);
	assert_int_equal(o.gop_height, 768);
	assert_string_equal(options_gop_str(&o, buf, sizeof(buf)), "1366x768");
	assert_int_equal(parse(&o, "gop=65535x1", &c), 0);
	assert_int_equal(o.gop_width, 65535);
	assert_int_equal(o.gop_height, 1);
	assert_int_equal(parse(&o, "gop=\"1920x1080\"", &c), 0);
	assert_int_equal(o.gop_width, 1920);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(&o, bad[i], &c), 1);
		assert_has(c.msg[0], " for gop (expected auto|off|list|WxH");
		assert_has(c.msg[0], "keeping '1920x1080'");
		assert_int_equal(o.gop, GOP_SIZE);
		assert_int_equal(o.gop_width, 1920);
		assert_int_equal(o.gop_height, 1080);
	}
	/* A later word wins, and a named value forgets the size. */
	assert_int_equal(parse(&o, "gop=800x600 gop=auto", &c), 0);
	assert_int_equal(o.gop, GOP_AUTO);
	assert_int_equal(o.gop_width, 0);
	assert_int_equal(o.gop_height, 0);
	o.gop = (enum gop_select)99;
	assert_string_equal(options_gop_str(&o, buf, sizeof(buf)), "?");
}

static void test_screen_option(void **state)
{
	struct options o;
	struct cap c;

	(void)state;
	options_defaults(&o);
	assert_int_equal(o.screen, SCREEN_LAYOUT);
	assert_int_equal(parse(&o, "screen=console", &c), 0);
	assert_int_equal(o.screen, SCREEN_CONSOLE);
	assert_int_equal(parse(&o, "screen=layout", &c), 0);
	assert_int_equal(o.screen, SCREEN_LAYOUT);
	assert_int_equal(parse(&o, "screen=pictures", &c), 1);
	assert_has(c.msg[0], " for screen (expected layout|console");
	assert_int_equal(o.screen, SCREEN_LAYOUT);
}

static void test_watchdog_option(void **state)
{
	struct options o;
	struct cap c;
	static const char *const bad[] = {
		"watchdog=",
		"watchdog=0",
		"watchdog=-1",
		"watchdog=010",
		"watchdog=1s",
		"watchdog=600001",
		"watchdog=99999999999999999999",
		"watchdog=Off",
		"watchdog=0x10",
	};

	(void)state;
	options_defaults(&o);
	assert_int_equal(o.watchdog_ms, OPT_WATCHDOG_DEFAULT_MS);
	assert_int_equal(parse(&o, "watchdog=off", &c), 0);
	assert_int_equal(o.watchdog_ms, 0);
	assert_int_equal(parse(&o, "watchdog=600000", &c), 0);
	assert_int_equal(o.watchdog_ms, 600000);
	assert_int_equal(parse(&o, "watchdog=25", &c), 0);
	assert_int_equal(o.watchdog_ms, 25);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(&o, bad[i], &c), 1);
		assert_has(c.msg[0], " for watchdog (expected off|milliseconds 1..600000); keeping '25'");
		assert_int_equal(o.watchdog_ms, 25);
	}
}

/* init="/PATH ARG...", init= (none: what the menu's Shell line writes for "none"), aslr=on|off. */
static void test_init_and_aslr(void **state)
{
	struct options o;
	struct cap c;

	(void)state;
	options_defaults(&o);
	assert_string_equal(o.init, "");
	assert_int_equal(o.aslr, 0);
	assert_int_equal(parse(&o, "init=\"/bin/sh /test/run.sh\" aslr=on", &c), 0);
	assert_string_equal(o.init, "/bin/sh /test/run.sh");
	assert_int_equal(o.aslr, 1);
	assert_int_equal(parse(&o, "init=", &c), 0);
	assert_string_equal(o.init, "");
	assert_int_equal(parse(&o, "init=/bin/sh aslr=off", &c), 0);
	assert_string_equal(o.init, "/bin/sh");
	assert_int_equal(o.aslr, 0);
	assert_int_equal(parse(&o, "init=bin/sh", &c), 1);
	assert_has(c.msg[0], "bad value 'init=bin/sh' for init (");
	assert_string_equal(o.init, "/bin/sh");
	assert_int_equal(parse(&o, "aslr=yes", &c), 1);
	assert_has(c.msg[0], "for aslr (expected on|off)");
}

static void test_menu_options(void **state)
{
	struct options o;
	struct cap c;
	static const char *const bad_timeout[] = {
		"menu_timeout=",
		"menu_timeout=-1",
		"menu_timeout=+5",
		"menu_timeout=05",
		"menu_timeout=5s",
		"menu_timeout=3601",
		"menu_timeout=99999999999999999999",
		"menu_timeout=0x10",
	};
	static const char *const bad_menu[] = { "menu=", "menu=yes", "menu=ON", "menu=1", "menu=on,off" };

	(void)state;
	options_defaults(&o);
	assert_int_equal(o.menu, 0);
	assert_int_equal(o.menu_timeout, OPT_MENU_TIMEOUT_DEFAULT);
	assert_int_equal(parse(&o, "menu=on menu_timeout=0", &c), 0);
	assert_int_equal(o.menu, 1);
	assert_int_equal(o.menu_timeout, 0);
	assert_int_equal(parse(&o, "menu_timeout=3600", &c), 0);
	assert_int_equal(o.menu_timeout, 3600);
	assert_int_equal(parse(&o, "menu_timeout=\"12\" menu=off", &c), 0);
	assert_int_equal(o.menu, 0);
	assert_int_equal(o.menu_timeout, 12);
	for (size_t i = 0; i < sizeof(bad_timeout) / sizeof(bad_timeout[0]); i++) {
		assert_int_equal(parse(&o, bad_timeout[i], &c), 1);
		assert_has(c.msg[0], " for menu_timeout (expected seconds 0..3600 (0: wait for a key)); keeping '12'");
		assert_int_equal(o.menu_timeout, 12);
	}
	assert_int_equal(parse(&o, "menu=on", &c), 0);
	for (size_t i = 0; i < sizeof(bad_menu) / sizeof(bad_menu[0]); i++) {
		assert_int_equal(parse(&o, bad_menu[i], &c), 1);
		assert_has(c.msg[0], " for menu (expected on|off); keeping 'on'");
		assert_int_equal(o.menu, 1);
	}
	/* The menu's own words come last and win, as efi/menu.c relies on. */
	options_defaults(&o);
	assert_int_equal(parse(&o, "tests=all report=human", &c), 0);
	assert_int_equal(parse_src(&o, "tests=boot report=json gop=1024x768 on_finish=exit", 50, "menu", 0, &c), 0);
	assert_string_equal(o.tests, "boot");
	assert_int_equal(o.report, REPORT_JSON);
	assert_int_equal(o.gop, GOP_SIZE);
	assert_int_equal(o.gop_width, 1024);
	assert_int_equal(o.on_finish, FINISH_EXIT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_gop_option),
		cmocka_unit_test(test_screen_option),
		cmocka_unit_test(test_init_and_aslr),
		cmocka_unit_test(test_menu_options),
		cmocka_unit_test(test_watchdog_option),
		cmocka_unit_test(test_ebs_stale),
		cmocka_unit_test(test_selftest_bench_walk),
		cmocka_unit_test(test_run_option),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_serial_str),
		cmocka_unit_test(test_report_values),
		cmocka_unit_test(test_serial_values),
		cmocka_unit_test(test_on_finish_values),
		cmocka_unit_test(test_log_values),
		cmocka_unit_test(test_tests_values),
		cmocka_unit_test(test_cfg_file),
		cmocka_unit_test(test_later_overrides),
		cmocka_unit_test(test_layering),
		cmocka_unit_test(test_skip_first_word),
		cmocka_unit_test(test_quoted_values),
		cmocka_unit_test(test_unterminated_quote),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_bad_values_say_what_is_accepted),
		cmocka_unit_test(test_empty_values),
		cmocka_unit_test(test_no_equals),
		cmocka_unit_test(test_bad_ports),
		cmocka_unit_test(test_tests_too_long),
		cmocka_unit_test(test_bad_test_names),
		cmocka_unit_test(test_non_ascii),
		cmocka_unit_test(test_embedded_nul),
		cmocka_unit_test(test_huge_words),
		cmocka_unit_test(test_len_limits),
		cmocka_unit_test(test_warn_null_and_count),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
