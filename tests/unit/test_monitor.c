/* SPDX-License-Identifier: MIT */
/*
 * test_monitor.c - host tests for the pure half of core/report/monitor.c: the line
 * editor, the command parser, help, and the number and name parsing.
 *
 * The editor's echo is collected in a buffer, so every test can check what
 * the terminal would show as well as the line that results.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "monitor.h"

#define ECHO_MAX 4096
#define ERASE "\b \b"
#define TOO_LONG "\nline too long (at most 128 characters); discarded\n"

struct term {
	char out[ECHO_MAX];
	size_t len;
};

static void cap_echo(void *ctx, const char *s, size_t n)
{
	struct term *t = ctx;

	assert_true(n > 0);
	assert_true(t->len + n < sizeof(t->out));
	memcpy(t->out + t->len, s, n);
	t->len += n;
	t->out[t->len] = 0;
}

/* Feed every byte of s[0..n); returns the result of the last one and counts each kind in *lines / *dropped. */
static enum mon_feed feed_n(struct mon_line *l, const char *s, size_t n, int *lines, int *dropped)
{
	enum mon_feed r = MON_FEED_MORE;

	for (size_t i = 0; i < n; i++) {
		r = mon_line_feed(l, (unsigned char)s[i]);
		if (r == MON_FEED_LINE && lines)
			++*lines;
		if (r == MON_FEED_DISCARDED && dropped)
			++*dropped;
	}
	return r;
}

static enum mon_feed feed(struct mon_line *l, const char *s)
{
	return feed_n(l, s, strlen(s), NULL, NULL);
}

/* Type keys then CR: the line must end there, give want, and the terminal must show shown. */
static void check_line(const char *keys, const char *want, const char *shown)
{
	struct mon_line l;
	struct term t = { { 0 }, 0 };

	mon_line_init(&l, cap_echo, &t);
	assert_int_equal(feed(&l, keys), MON_FEED_MORE);
	assert_int_equal(mon_line_feed(&l, '\r'), MON_FEED_LINE);
	assert_string_equal(l.buf, want);
	assert_string_equal(t.out, shown);
}

static void test_plain_line(void **state)
{
	(void)state;
	check_line("help", "help", "help\n");
	check_line("walk 0xffffffff80000000", "walk 0xffffffff80000000", "walk 0xffffffff80000000\n");
	check_line("", "", "\n");
	check_line("  ps\t", "  ps", "  ps\n"); /* a tab is a control byte: ignored */
}

static void test_backspace(void **state)
{
	(void)state;
	check_line("kmapq\x7fs", "kmaps", "kmapq" ERASE "s\n");
	check_line("kmapX\x7f\x7fs", "kmas", "kmapX" ERASE ERASE "s\n");
	check_line("ab\b\bps", "ps", "ab" ERASE ERASE "ps\n");
	/* Nothing to erase: nothing echoed. */
	check_line("\x7f\b\x7fps", "ps", "ps\n");
	check_line("p\x7f\x7f\x7fs", "s", "p" ERASE "s\n");
}

static void test_ctrl_u(void **state)
{
	(void)state;
	check_line("frob\x15help", "help", "frob" ERASE ERASE ERASE ERASE "help\n");
	check_line("\x15", "", "\n");
	check_line("ab\x15\x15x", "x", "ab" ERASE ERASE "x\n");
}

static void test_escape_sequences(void **state)
{
	(void)state;
	/* Arrow keys, CSI with parameters (Ctrl-Left), SS3 (application cursor keys), F5, Delete. */
	check_line("\x1b[Ap\x1b[1;5Ds\x1bOB", "ps", "ps\n");
	check_line("\x1b[15~\x1b[3~ps", "ps", "ps\n");
	/* ESC and one printable byte (Alt-x) go together; ESC ESC is still one escape. */
	check_line("\x1bxps", "ps", "ps\n");
	check_line("\x1b\x1b[Cps", "ps", "ps\n");
	/* A control byte cuts a sequence short and counts for itself. */
	check_line("pq\x1b\x7fs", "ps", "pq" ERASE "s\n");
	check_line("ab\x1b[1;\x15ps", "ps", "ab" ERASE ERASE "ps\n");
	/* Other control bytes and non-ASCII bytes: ignored. */
	check_line("\x01p\x07s\x03\x80\xc3\xa9\xff", "ps", "ps\n");
}

static void test_nul_and_high_bytes(void **state)
{
	static const char keys[] = "p\0s\0\r";
	struct mon_line l;
	struct term t = { { 0 }, 0 };
	int lines = 0;

	(void)state;
	mon_line_init(&l, cap_echo, &t);
	/* A NUL is one more ignored control byte (telnet sends CR NUL). */
	assert_int_equal(feed_n(&l, keys, sizeof(keys) - 1, &lines, NULL), MON_FEED_LINE);
	assert_int_equal(lines, 1);
	assert_string_equal(l.buf, "ps");
	/* Only the low 8 bits of what the UART gives count: 0x170 is 'p'. */
	assert_int_equal(mon_line_feed(&l, 0x170), MON_FEED_MORE);
	assert_int_equal(mon_line_feed(&l, '\r'), MON_FEED_LINE);
	assert_string_equal(l.buf, "p");
	assert_string_equal(t.out, "ps\np\n");
}

static void test_escape_then_enter(void **state)
{
	struct mon_line l;

	(void)state;
	mon_line_init(&l, NULL, NULL); /* no echo at all is fine too */
	assert_int_equal(feed(&l, "ps\x1b"), MON_FEED_MORE);
	assert_int_equal(mon_line_feed(&l, '\r'), MON_FEED_LINE);
	assert_string_equal(l.buf, "ps");
	assert_int_equal(feed(&l, "ab\x1b["), MON_FEED_MORE);
	assert_int_equal(mon_line_feed(&l, '\n'), MON_FEED_LINE);
	assert_string_equal(l.buf, "ab");
	/* The escape did not leak into the next line. */
	assert_int_equal(feed(&l, "A"), MON_FEED_MORE);
	assert_int_equal(mon_line_feed(&l, '\n'), MON_FEED_LINE);
	assert_string_equal(l.buf, "A");
}

static void test_line_ends(void **state)
{
	struct mon_line l;
	struct term t = { { 0 }, 0 };
	int lines = 0;
	static const char crlf[] = "ps\r\nhelp\rcpu\nheap\r\n\r\n";

	(void)state;
	mon_line_init(&l, cap_echo, &t);
	/* CR LF is one end; a lone CR or LF is one too; the last CR LF ends an empty line. */
	assert_int_equal(feed_n(&l, crlf, sizeof(crlf) - 1, &lines, NULL), MON_FEED_MORE);
	assert_int_equal(lines, 5);
	assert_string_equal(l.buf, "");
	assert_string_equal(t.out, "ps\nhelp\ncpu\nheap\n\n");
	/* LF CR is two ends. */
	lines = 0;
	assert_int_equal(feed_n(&l, "x\n\r", 3, &lines, NULL), MON_FEED_LINE);
	assert_int_equal(lines, 2);
	assert_string_equal(l.buf, "");
	/* Each line's text stays until the next byte. */
	assert_int_equal(feed(&l, "kmaps\r"), MON_FEED_LINE);
	assert_string_equal(l.buf, "kmaps");
	assert_int_equal(feed(&l, "p"), MON_FEED_MORE);
	assert_int_equal(l.len, 1);
	assert_int_equal(feed(&l, "s\r"), MON_FEED_LINE);
	assert_string_equal(l.buf, "ps");
}

static void test_too_long(void **state)
{
	struct mon_line l;
	struct term t = { { 0 }, 0 };
	char keys[MON_LINE_MAX + 40], want[MON_LINE_MAX + 1];
	int lines = 0, dropped = 0;

	(void)state;
	/* Exactly MON_LINE_MAX characters: a line. */
	memset(keys, 'a', MON_LINE_MAX);
	keys[MON_LINE_MAX] = 0;
	memcpy(want, keys, sizeof(want));
	mon_line_init(&l, cap_echo, &t);
	assert_int_equal(feed(&l, keys), MON_FEED_MORE);
	assert_int_equal(mon_line_feed(&l, '\r'), MON_FEED_LINE);
	assert_string_equal(l.buf, want);

	/* One more: the editor says so at once, skips to the end, and the end drops the line. */
	t.len = 0;
	t.out[0] = 0;
	memset(keys, 'b', sizeof(keys));
	assert_int_equal(feed_n(&l, keys, MON_LINE_MAX, &lines, &dropped), MON_FEED_MORE);
	assert_int_equal(mon_line_feed(&l, 'c'), MON_FEED_MORE);
	assert_int_equal(t.len, MON_LINE_MAX + strlen(TOO_LONG));
	assert_string_equal(t.out + MON_LINE_MAX, TOO_LONG);
	/* Editing keys do not bring it back; nothing more is echoed. */
	assert_int_equal(feed(&l, "\x7f\x15xyz\x1b[A"), MON_FEED_MORE);
	assert_int_equal(t.len, MON_LINE_MAX + strlen(TOO_LONG));
	assert_int_equal(mon_line_feed(&l, '\r'), MON_FEED_DISCARDED);
	assert_int_equal(mon_line_feed(&l, '\n'), MON_FEED_MORE); /* its CR LF */
	assert_int_equal(t.len, MON_LINE_MAX + strlen(TOO_LONG));
	/* The next line is fine. */
	assert_int_equal(feed(&l, "ps\r"), MON_FEED_LINE);
	assert_string_equal(l.buf, "ps");

	/* A long paste: one drop, one message. */
	mon_line_init(&l, cap_echo, &t);
	t.len = 0;
	memset(keys, 'z', sizeof(keys));
	keys[sizeof(keys) - 1] = '\n';
	assert_int_equal(feed_n(&l, keys, sizeof(keys), &lines, &dropped), MON_FEED_DISCARDED);
	assert_int_equal(dropped, 1);
	assert_int_equal(lines, 0);
}

static void test_parse_commands(void **state)
{
	struct mon_words w;
	char msg[MON_MSG_MAX];

	(void)state;
	for (int i = 0; i < MON_NCMDS; i++) {
		char line[64];

		/* Each command with its fewest arguments. */
		snprintf(line, sizeof(line), "%s%s", mon_cmds[i].name, mon_cmds[i].min_args ? " 1" : "");
		assert_int_equal(mon_parse(line, &w, msg, sizeof(msg)), i);
		assert_string_equal(w.argv[0], mon_cmds[i].name);
	}
	assert_int_equal(mon_parse("  walk \t 0x1000  ", &w, msg, sizeof(msg)), MON_WALK);
	assert_int_equal(w.argc, 2);
	assert_string_equal(w.argv[1], "0x1000");
	assert_int_equal(mon_parse("run /hello a b  c", &w, msg, sizeof(msg)), MON_RUN);
	assert_int_equal(w.argc, 5);
	assert_string_equal(w.argv[4], "c");
	assert_int_equal(mon_parse("tests", &w, msg, sizeof(msg)), MON_TESTS);
	assert_int_equal(mon_parse("tests boot mm", &w, msg, sizeof(msg)), MON_TESTS);
	assert_int_equal(mon_parse("", &w, msg, sizeof(msg)), MON_PARSE_EMPTY);
	assert_int_equal(mon_parse(" \t ", &w, msg, sizeof(msg)), MON_PARSE_EMPTY);
}

static void check_bad(const char *line, const char *want)
{
	struct mon_words w;
	char msg[MON_MSG_MAX];

	memset(msg, 0, sizeof(msg));
	assert_int_equal(mon_parse(line, &w, msg, sizeof(msg)), MON_PARSE_BAD);
	assert_string_equal(msg, want);
}

static void test_parse_errors(void **state)
{
	char line[MON_LINE_MAX + 1], want[MON_MSG_MAX];

	(void)state;
	check_bad("frobnicate", "unknown command 'frobnicate' (help lists the commands)");
	check_bad("kmap", "unknown command 'kmap' (help lists the commands)");
	check_bad("HELP", "unknown command 'HELP' (help lists the commands)");
	check_bad("kmaps now", "kmaps: takes no arguments (usage: kmaps)");
	check_bad("maps", "maps: missing arguments (usage: maps PID)");
	check_bad("pmap 1 2", "pmap: too many arguments (usage: pmap PID)");
	check_bad("walk", "walk: missing arguments (usage: walk VA)");
	check_bad("run", "run: missing arguments (usage: run PATH [ARGS])");
	check_bad("run a b c d e f g h i j k l m n o p", "run: too many words (at most 16)");
	check_bad("tests a b c d e f g h i j k l m n o p q", "tests: too many words (at most 16)");
	/* The longest line there is still fits the answer whole. */
	memset(line, 'q', MON_LINE_MAX);
	line[MON_LINE_MAX] = 0;
	snprintf(want, sizeof(want), "unknown command '%s' (help lists the commands)", line);
	check_bad(line, want);
}

static void test_help(void **state)
{
	char buf[4096], small[32];
	size_t need = mon_help(NULL, 0);

	(void)state;
	assert_true(need > 0 && need < sizeof(buf));
	assert_int_equal(mon_help(buf, sizeof(buf)), need);
	assert_int_equal(strlen(buf), need);
	for (int i = 0; i < MON_NCMDS; i++) {
		char head[64];

		snprintf(head, sizeof(head), "\n  %s%s%s ", mon_cmds[i].name, mon_cmds[i].args[0] ? " " : "",
			 mon_cmds[i].args);
		if (!strstr(buf, head))
			fail_msg("help lacks \"%s\"", head);
		assert_non_null(strstr(buf, mon_cmds[i].what));
	}
	assert_non_null(strstr(buf, "\n  run PATH [ARGS]    run a program"));
	/* snprintf-like: cut and terminated, the same length returned. */
	memset(small, 'x', sizeof(small));
	assert_int_equal(mon_help(small, sizeof(small)), need);
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_memory_equal(small, buf, sizeof(small) - 1);
}

/* The hardware commands (core/monitor_hw.c): found after mon_cmds, counted, listed before reboot. */
static void test_hw_commands(void **state)
{
	struct mon_words w;
	char msg[MON_MSG_MAX], buf[4096];
	const char *reboot, *last_hw;

	(void)state;
	for (int i = 0; i < MON_HW_NCMDS; i++) {
		char line[64];

		snprintf(line, sizeof(line), "%s%s", mon_hw_cmds[i].name, mon_hw_cmds[i].min_args ? " 0x1000" : "");
		assert_int_equal(mon_parse(line, &w, msg, sizeof(msg)), MON_NCMDS + i);
	}
	assert_int_equal(mon_parse("iomem", &w, msg, sizeof(msg)), MON_NCMDS + MON_HW_IOMEM);
	assert_int_equal(mon_parse("lspci -v 00:1f.2", &w, msg, sizeof(msg)), MON_NCMDS + MON_HW_LSPCI);
	assert_int_equal(mon_parse("xp! 0xfee00000 16", &w, msg, sizeof(msg)), MON_NCMDS + MON_HW_XPF);
	assert_int_equal(mon_parse("xp", &w, msg, sizeof(msg)), MON_PARSE_BAD);
	assert_string_equal(msg, "xp: missing arguments (usage: xp PADDR [LEN])");
	assert_int_equal(mon_parse("iomem now", &w, msg, sizeof(msg)), MON_PARSE_BAD);
	assert_string_equal(msg, "iomem: takes no arguments (usage: iomem)");
	assert_int_equal(mon_parse("xq 0x1", &w, msg, sizeof(msg)), MON_PARSE_BAD);
	mon_help(buf, sizeof(buf));
	reboot = strstr(buf, "\n  reboot ");
	last_hw = strstr(buf, "\n  xp! PADDR [LEN] ");
	assert_non_null(reboot);
	assert_non_null(last_hw);
	assert_true(last_hw < reboot);
	assert_non_null(strstr(buf, "\n  screen "));
	assert_true(strstr(buf, "\n  screen ") < strstr(buf, "\n  iomem "));
}

static void test_parse_bdf(void **state)
{
	uint16_t seg = 9;
	uint8_t bus = 9, dev = 9, fn = 9;

	(void)state;
	assert_int_equal(mon_parse_bdf("00:1f.2", &seg, &bus, &dev, &fn), 0);
	assert_int_equal(seg, 0);
	assert_int_equal(bus, 0);
	assert_int_equal(dev, 0x1f);
	assert_int_equal(fn, 2);
	assert_int_equal(mon_parse_bdf("0001:ff:00.7", &seg, &bus, &dev, &fn), 0);
	assert_int_equal(seg, 1);
	assert_int_equal(bus, 0xff);
	assert_int_equal(fn, 7);
	assert_int_equal(mon_parse_bdf("00:20.0", &seg, &bus, &dev, &fn), -1); /* device 32 */
	assert_int_equal(mon_parse_bdf("00:1f.8", &seg, &bus, &dev, &fn), -1);
	assert_int_equal(mon_parse_bdf("100:00.0", &seg, &bus, &dev, &fn), -1);
	assert_int_equal(mon_parse_bdf("00.1f:2", &seg, &bus, &dev, &fn), -1);
	assert_int_equal(mon_parse_bdf("00:1f", &seg, &bus, &dev, &fn), -1);
	assert_int_equal(mon_parse_bdf("00:1f.", &seg, &bus, &dev, &fn), -1);
	assert_int_equal(mon_parse_bdf("", &seg, &bus, &dev, &fn), -1);
	assert_int_equal(mon_parse_bdf("zz:00.0", &seg, &bus, &dev, &fn), -1);
	assert_int_equal(mon_parse_bdf("12345:00:00.0", &seg, &bus, &dev, &fn), -1);
}

static void test_parse_va(void **state)
{
	static const char *const bad[] = { "",	   "0x",   "x10",  "10",   "zzz",  "0xg",  "0x12345678123456789",
					   "-0x1", "0x1 ", " 0x1", "0x+1", "00x1", "0x1.", "0b1" };
	uint64_t va = 7;

	(void)state;
	assert_int_equal(mon_parse_va("0xffffffff80000000", &va), 0);
	assert_true(va == 0xffffffff80000000ULL);
	assert_int_equal(mon_parse_va("0x0", &va), 0);
	assert_true(va == 0);
	assert_int_equal(mon_parse_va("0XAbCdEf", &va), 0);
	assert_true(va == 0xabcdef);
	assert_int_equal(mon_parse_va("0x0000000000000001", &va), 0);
	assert_true(va == 1);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		va = 7;
		if (mon_parse_va(bad[i], &va) != -1)
			fail_msg("'%s' parsed as an address", bad[i]);
		assert_true(va == 7);
	}
}

static void test_parse_pid(void **state)
{
	static const char *const bad[] = {
		"", "-1", "+1", "1a", "0x1", " 1", "1 ", "1000000000", "99999999999999999999"
	};
	int pid = -5;

	(void)state;
	assert_int_equal(mon_parse_pid("42", &pid), 0);
	assert_int_equal(pid, 42);
	assert_int_equal(mon_parse_pid("0", &pid), 0);
	assert_int_equal(pid, 0);
	assert_int_equal(mon_parse_pid("007", &pid), 0);
	assert_int_equal(pid, 7);
	assert_int_equal(mon_parse_pid("999999999", &pid), 0);
	assert_int_equal(pid, 999999999);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		pid = -5;
		if (mon_parse_pid(bad[i], &pid) != -1)
			fail_msg("'%s' parsed as a pid", bad[i]);
		assert_int_equal(pid, -5);
	}
}

static void test_test_selection(void **state)
{
	const char *one[] = { "boot" }, *two[] = { "boot", "mm.heap" }, *mixed[] = { "boot,mm", "user.hello" };
	const char *bad[] = { "a;b" }, *empty_word[] = { "a,", "b" };
	char out[OPT_TESTS_MAX], msg[MON_MSG_MAX], small[8];

	(void)state;
	assert_int_equal(mon_test_selection(one, 1, out, sizeof(out), msg, sizeof(msg)), 0);
	assert_string_equal(out, "boot");
	assert_int_equal(mon_test_selection(two, 2, out, sizeof(out), msg, sizeof(msg)), 0);
	assert_string_equal(out, "boot,mm.heap");
	assert_int_equal(mon_test_selection(mixed, 2, out, sizeof(out), msg, sizeof(msg)), 0);
	assert_string_equal(out, "boot,mm,user.hello");
	assert_int_equal(mon_test_selection(bad, 1, out, sizeof(out), msg, sizeof(msg)), -1);
	assert_string_equal(msg, "tests: 'a;b' is not a selection (expected all, none or NAME,... with NAME of "
				 "A-Z a-z 0-9 _ . -)");
	assert_int_equal(mon_test_selection(empty_word, 2, out, sizeof(out), msg, sizeof(msg)), -1);
	assert_non_null(strstr(msg, "'a,,b' is not a selection"));
	assert_int_equal(mon_test_selection(two, 2, small, sizeof(small), msg, sizeof(msg)), -1);
	assert_string_equal(msg, "tests: the selection is too long");
	assert_int_equal(mon_test_selection(one, 0, out, sizeof(out), msg, sizeof(msg)), -1);
}

static void test_paths(void **state)
{
	char name[32];

	(void)state;
	assert_true(mon_same_path("\\atlas\\bin\\x.elf", "\\atlas\\bin\\x.elf"));
	assert_true(mon_same_path("/atlas/bin/x.elf", "\\atlas\\bin\\x.elf"));
	assert_true(mon_same_path("/ATLAS/Bin/X.ELF", "\\atlas\\bin\\x.elf"));
	assert_false(mon_same_path("/atlas/bin/x", "\\atlas\\bin\\x.elf"));
	assert_false(mon_same_path("x.elf", "\\atlas\\bin\\x.elf"));
	assert_false(mon_same_path("", "\\x.elf"));
	assert_string_equal(mon_prog_name("\\atlas\\bin\\hello.elf", name, sizeof(name)), "hello");
	assert_string_equal(mon_prog_name("/extra/args_echo.elf", name, sizeof(name)), "args_echo");
	assert_string_equal(mon_prog_name("\\tool", name, sizeof(name)), "tool");
	assert_string_equal(mon_prog_name("\\x\\.elf", name, sizeof(name)), ".elf"); /* nothing left but the suffix */
	assert_string_equal(mon_prog_name("plain.elf", name, sizeof(name)), "plain");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_line),
		cmocka_unit_test(test_backspace),
		cmocka_unit_test(test_ctrl_u),
		cmocka_unit_test(test_escape_sequences),
		cmocka_unit_test(test_escape_then_enter),
		cmocka_unit_test(test_nul_and_high_bytes),
		cmocka_unit_test(test_line_ends),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_parse_commands),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_parse_va),
		cmocka_unit_test(test_parse_pid),
		cmocka_unit_test(test_test_selection),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_hw_commands),
		cmocka_unit_test(test_parse_bdf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
