/* SPDX-License-Identifier: MIT */
/*
 * monitor_input.c - what the monitor reads (see monitor.h): the line editor,
 * the command table and parser, and the number and name parsing. Pure: no
 * kernel state, so the host tests build it as it is
 * (tests/unit/test_monitor.c); core/report/monitor.c runs the commands.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "kprintf.h"
#include "kstring.h"
#include "monitor.h"
#include "options.h"

#define ASCII_BS 0x08
#define ASCII_LF 0x0a
#define ASCII_CR 0x0d
#define ASCII_CTRL_U 0x15
#define ASCII_ESC 0x1b
#define ASCII_DEL 0x7f
#define CSI_FINAL_MIN 0x40 /* ESC [ params (0x20..0x3f) then one final byte 0x40..0x7e */
#define CSI_FINAL_MAX 0x7e
#define VA_DIGITS_MAX 16
#define PID_DIGITS_MAX 9
#define HELP_NAME_COLUMN 20 /* "  NAME ARGS" is padded to this width */
#define BYTE_MASK 0xff
#define TOO_LONG_MSG 64

static const char erase[] = "\b \b";

const struct mon_cmd_info mon_cmds[MON_NCMDS] = {
	[MON_HELP] = { "help", "", "this list", 0, 0 },
	[MON_MEMMAP] = { "memmap", "", "the firmware memory map, as GetMemoryMap returned it", 0, 0 },
	[MON_KMAPS] = { "kmaps", "", "the kernel address space: table, maps lines, diagram", 0, 0 },
	[MON_PS] = { "ps", "", "the processes that ended: pid, name, outcome, syscalls, preemptions", 0, 0 },
	[MON_MAPS] = { "maps", "PID", "/proc/PID/maps of an ended process, as it was at exit", 1, 1 },
	[MON_PMAP] = { "pmap", "PID", "pmap -x PID of an ended process, as it was at exit", 1, 1 },
	[MON_WALK] = { "walk", "VA", "the page walk of address VA (0x hex) through the kernel's tables", 1, 1 },
	[MON_PMM] = { "pmm", "", "physical page allocator: free, used by purpose, free blocks", 0, 0 },
	[MON_HEAP] = { "heap", "", "kernel heap: bytes and pages in use, size classes", 0, 0 },
	[MON_CPU] = { "cpu", "", "CPUID features and CR0/CR3/CR4/EFER", 0, 0 },
	[MON_RUN] = { "run", "PATH [ARGS]",
		      "run a program: built-in (hello, /hello) or from the ESP (\\atlas\\bin\\x.elf, x)", 1,
		      MON_ARGS_MAX - 1 },
	[MON_TESTS] = { "tests", "[NAMES]", "run self-tests again: NAMES as tests= takes them (default: the boot's)", 0,
			MON_ARGS_MAX - 1 },
	[MON_SH] = { "sh", "[ARGS]", "busybox's shell (/bin/sh ARGS) on the console terminal; exit returns here", 0,
		     MON_ARGS_MAX - 1 },
	[MON_LOG] = { "log", "[TEXT]", "page through all the console showed (less keys; / searches; q quits)", 0, 1 },
	[MON_SCREEN] = { "screen", "", "draw the layout screen again (a key brings the console back)", 0, 0 },
	[MON_REBOOT] = { "reboot", "", "reset the machine", 0, 0 },
	[MON_SHUTDOWN] = { "shutdown", "", "power off", 0, 0 },
};

/* ---- line editor ----------------------------------------------------------- */

static void echo(struct mon_line *l, const char *s, size_t n)
{
	if (l->echo && n)
		l->echo(l->ctx, s, n);
}

void mon_line_init(struct mon_line *l, mon_echo_fn fn, void *ctx)
{
	memset(l, 0, sizeof(*l));
	l->echo = fn;
	l->ctx = ctx;
}

/* Inside an escape sequence: 1 when byte c belongs to it (and was swallowed), 0 when it is a byte of its own. */
static int in_escape(struct mon_line *l, int c)
{
	switch (l->esc) {
	case MON_ESC_START:
		if (c == '[') {
			l->esc = MON_ESC_CSI;
			return 1;
		}
		if (c == 'O') {
			l->esc = MON_ESC_SS3;
			return 1;
		}
		if (c == ASCII_ESC)
			return 1; /* ESC ESC: still one escape */
		l->esc = MON_ESC_NONE;
		return c >= ' ' && c < ASCII_DEL; /* ESC x (Alt-x): swallowed; a control byte counts */
	case MON_ESC_CSI:
		if (c >= ' ' && c < CSI_FINAL_MIN)
			return 1; /* parameter and intermediate bytes */
		l->esc = MON_ESC_NONE;
		return c >= CSI_FINAL_MIN && c <= CSI_FINAL_MAX;
	case MON_ESC_SS3:
		l->esc = MON_ESC_NONE;
		return c >= ' ' && c < ASCII_DEL;
	default:
		return 0;
	}
}

static void erase_chars(struct mon_line *l, size_t n)
{
	for (; n && l->len; n--) {
		l->len--;
		echo(l, erase, sizeof(erase) - 1);
	}
}

enum mon_feed mon_line_feed(struct mon_line *l, int byte)
{
	int c = byte & BYTE_MASK;
	int after_cr = l->after_cr;

	if (l->complete) {
		l->len = 0;
		l->complete = 0;
	}
	l->after_cr = 0;
	if (l->esc != MON_ESC_NONE && in_escape(l, c))
		return MON_FEED_MORE;
	if (c == ASCII_CR || c == ASCII_LF) {
		int dropped = l->discarding;

		if (c == ASCII_LF && after_cr)
			return MON_FEED_MORE; /* the LF of a CR LF */
		l->after_cr = c == ASCII_CR;
		l->discarding = 0;
		l->complete = 1;
		l->buf[dropped ? 0 : l->len] = 0;
		if (dropped) {
			l->len = 0;
			return MON_FEED_DISCARDED;
		}
		echo(l, "\n", 1);
		return MON_FEED_LINE;
	}
	if (l->discarding)
		return MON_FEED_MORE;
	if (c == ASCII_ESC) {
		l->esc = MON_ESC_START;
	} else if (c == ASCII_BS || c == ASCII_DEL) {
		erase_chars(l, 1);
	} else if (c == ASCII_CTRL_U) {
		erase_chars(l, l->len);
	} else if (c >= ' ' && c < ASCII_DEL) {
		if (l->len == MON_LINE_MAX) {
			char msg[TOO_LONG_MSG];
			int n = ksnprintf(msg, sizeof(msg), "\nline too long (at most %d characters); discarded\n",
					  MON_LINE_MAX);

			l->discarding = 1;
			echo(l, msg, (size_t)n < sizeof(msg) ? (size_t)n : sizeof(msg) - 1);
			return MON_FEED_MORE;
		}
		l->buf[l->len++] = (char)c;
		echo(l, &l->buf[l->len - 1], 1);
	}
	/* Any other control byte, and anything >= 0x80, is ignored. */
	return MON_FEED_MORE;
}

/* ---- commands -------------------------------------------------------------- */

static int is_space(char c)
{
	return c == ' ' || c == '\t';
}

int mon_parse(const char *line, struct mon_words *w, char *msg, size_t size)
{
	const struct mon_cmd_info *ci;
	size_t i = 0;
	int n;

	w->argc = 0;
	kstrlcpy(w->buf, line, sizeof(w->buf));
	for (;;) {
		while (is_space(w->buf[i]))
			w->buf[i++] = 0;
		if (!w->buf[i])
			break;
		if (w->argc == MON_ARGS_MAX) {
			ksnprintf(msg, size, "%s: too many words (at most %d)", w->argv[0], MON_ARGS_MAX);
			return MON_PARSE_BAD;
		}
		w->argv[w->argc++] = &w->buf[i];
		while (w->buf[i] && !is_space(w->buf[i]))
			i++;
	}
	if (!w->argc)
		return MON_PARSE_EMPTY;
	for (n = 0; n < MON_NCMDS && strcmp(mon_cmds[n].name, w->argv[0]); n++)
		;
	if (n == MON_NCMDS) {
		for (n = 0; n < MON_HW_NCMDS && strcmp(mon_hw_cmds[n].name, w->argv[0]); n++)
			;
		n = n < MON_HW_NCMDS ? MON_NCMDS + n : -1;
	}
	if (n < 0) {
		ksnprintf(msg, size, "unknown command '%s' (help lists the commands)", w->argv[0]);
		return MON_PARSE_BAD;
	}
	ci = n < MON_NCMDS ? &mon_cmds[n] : &mon_hw_cmds[n - MON_NCMDS];
	if (w->argc - 1 < ci->min_args || w->argc - 1 > ci->max_args) {
		const char *why = ci->max_args == 0	     ? "takes no arguments" :
				  w->argc - 1 < ci->min_args ? "missing arguments" :
							       "too many arguments";

		ksnprintf(msg, size, "%s: %s (usage: %s%s%s)", ci->name, why, ci->name, ci->args[0] ? " " : "",
			  ci->args);
		return MON_PARSE_BAD;
	}
	return n;
}

size_t mon_help(char *buf, size_t size)
{
	struct kbuf b = { buf, size, 0 };

	kbuf_printf(&b, "Commands (backspace erases, Ctrl-U clears the line):\n");
	/* The hardware commands go before reboot and shutdown, which end the list. */
	for (int i = 0; i < MON_NCMDS + MON_HW_NCMDS; i++) {
		int hw = i >= MON_REBOOT && i < MON_REBOOT + MON_HW_NCMDS;
		const struct mon_cmd_info *c = hw ? &mon_hw_cmds[i - MON_REBOOT] :
						    &mon_cmds[i < MON_REBOOT ? i : i - MON_HW_NCMDS];
		char head[HELP_NAME_COLUMN + 1];

		ksnprintf(head, sizeof(head), "%s%s%s", c->name, c->args[0] ? " " : "", c->args);
		kbuf_printf(&b, "  %-*s %s\n", HELP_NAME_COLUMN - 2, head, c->what);
	}
	return kbuf_end(&b);
}

int mon_parse_va(const char *s, uint64_t *va)
{
	uint64_t v = 0;
	size_t n;

	if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		return -1;
	for (n = 0; s[2 + n]; n++) {
		int d = hex_digit_value(s[2 + n]);

		if (d < 0 || n == VA_DIGITS_MAX)
			return -1;
		v = v << 4 | (uint64_t)d;
	}
	if (!n)
		return -1;
	*va = v;
	return 0;
}

int mon_parse_pid(const char *s, int *pid)
{
	int v = 0;
	size_t n;

	for (n = 0; s[n]; n++) {
		if (s[n] < '0' || s[n] > '9' || n == PID_DIGITS_MAX)
			return -1;
		v = v * 10 + (s[n] - '0');
	}
	if (!n)
		return -1;
	*pid = v;
	return 0;
}

int mon_test_selection(const char *const *words, int n, char *out, size_t size, char *msg, size_t msg_size)
{
	char opt[sizeof("tests=") + OPT_TESTS_MAX];
	struct options scratch;
	struct kbuf b = { out, size, 0 };
	size_t used;

	if (n < 1 || !size) {
		ksnprintf(msg, msg_size, "tests: no names given");
		return -1;
	}
	for (int i = 0; i < n; i++)
		kbuf_printf(&b, "%s%s", i ? "," : "", words[i]);
	used = kbuf_end(&b);
	if (used >= size || used >= OPT_TESTS_MAX) {
		ksnprintf(msg, msg_size, "tests: the selection is too long");
		return -1;
	}
	/* The tests= option's own parser decides what a selection is. */
	options_defaults(&scratch);
	ksnprintf(opt, sizeof(opt), "tests=%s", out);
	if (options_parse(&scratch, opt, strlen(opt), "monitor", 0, NULL, NULL) != 0) {
		ksnprintf(
			msg, msg_size,
			"tests: '%s' is not a selection (expected all, none or NAME,... with NAME of A-Z a-z 0-9 _ . -)",
			out);
		return -1;
	}
	return 0;
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

int mon_same_path(const char *want, const char *have)
{
	for (;; want++, have++) {
		char a = *want == '/' ? '\\' : lower(*want), b = *have == '/' ? '\\' : lower(*have);

		if (a != b)
			return 0;
		if (!a)
			return 1;
	}
}

char *mon_prog_name(const char *path, char *name, size_t size)
{
	static const char ext[] = ".elf";
	const char *base = path;
	size_t n;

	for (const char *c = path; *c; c++)
		if (*c == '\\' || *c == '/')
			base = c + 1;
	kstrlcpy(name, base, size);
	n = strlen(name);
	if (n > sizeof(ext) - 1 && !strcmp(name + n - (sizeof(ext) - 1), ext))
		name[n - (sizeof(ext) - 1)] = 0;
	return name;
}
