/* SPDX-License-Identifier: MIT */
/*
 * monitor.h - the serial command monitor that on_finish=monitor starts once
 * the run is over: a prompt "atlas> " on the UART, a line editor, and
 * commands that print through the existing reports (help lists them).
 *
 * Two files: core/report/monitor_input.c, the line editor and the command
 * parser, is pure (no kernel state; the host tests build it);
 * core/report/monitor.c, the commands and the record of ended processes, is
 * the kernel's.
 */
#ifndef ATLAS_MONITOR_H
#define ATLAS_MONITOR_H

#include <stddef.h>
#include <stdint.h>

#include "options.h"

#define MON_PROMPT "atlas> "
#define MON_LINE_MAX 128 /* characters in one command line */
#define MON_ARGS_MAX 16	 /* words in one command line, the command's name included */
#define MON_MSG_MAX 256	 /* one answer to a bad line */
#define MON_PS_MAX 32	 /* ended processes kept for ps, maps PID and pmap PID */

/* ---- line editor (pure) ---------------------------------------------------- */

/* Where the editor's echo goes: the typed characters, "\b \b" erasures, its messages. */
typedef void (*mon_echo_fn)(void *ctx, const char *s, size_t n);

/* Where an escape sequence (arrow keys: ESC [ A, ESC O A) has got to. */
enum mon_esc { MON_ESC_NONE, MON_ESC_START, MON_ESC_CSI, MON_ESC_SS3 };

/* What feeding one byte gave. */
enum mon_feed {
	MON_FEED_MORE,	    /* the line goes on */
	MON_FEED_LINE,	    /* CR or LF ended it: the text is in buf, NUL-terminated, until the next byte */
	MON_FEED_DISCARDED, /* the line ended, but it had grown past MON_LINE_MAX and was dropped */
};

struct mon_line {
	char buf[MON_LINE_MAX + 1];
	size_t len;
	enum mon_esc esc;
	int discarding; /* the line outgrew MON_LINE_MAX: skip to its end */
	int after_cr;	/* a CR ended the last line: an LF right after it belongs to it */
	int complete;	/* the last byte ended a line: the next one starts a new line */
	mon_echo_fn echo;
	void *ctx;
};

/* Start an empty line whose echo goes to echo(ctx, ...) (echo may be NULL). */
void mon_line_init(struct mon_line *l, mon_echo_fn echo, void *ctx);

/*
 * Feed one received byte. Printable ASCII is kept and echoed; backspace and
 * DEL erase the last character ("\b \b"); Ctrl-U erases the line; CR or LF
 * (CR LF counts once) ends it with an echoed "\n". Escape sequences (CSI and
 * SS3: arrow and function keys), other control bytes and bytes >= 0x80 are
 * ignored. A character beyond MON_LINE_MAX drops the line: the editor says so
 * at once and skips the rest of it, and its end gives MON_FEED_DISCARDED.
 */
enum mon_feed mon_line_feed(struct mon_line *l, int byte);

/* ---- commands (pure) ------------------------------------------------------- */

enum mon_cmd_id {
	MON_HELP,
	MON_MEMMAP,
	MON_KMAPS,
	MON_PS,
	MON_MAPS,
	MON_PMAP,
	MON_WALK,
	MON_PMM,
	MON_HEAP,
	MON_CPU,
	MON_RUN,
	MON_TESTS,
	MON_SH,
	MON_LOG,
	MON_SCREEN,
	MON_REBOOT,
	MON_SHUTDOWN,
	MON_NCMDS
};

/* One command: its name, its arguments as help shows them, what it does, how many words it takes. */
struct mon_cmd_info {
	const char *name;
	const char *args; /* "" when none */
	const char *what;
	int min_args, max_args; /* words after the name */
};

/* The commands, indexed by enum mon_cmd_id. */
extern const struct mon_cmd_info mon_cmds[MON_NCMDS];

/*
 * The hardware commands (core/monitor_hw.c): mon_parse finds them after
 * mon_cmds and returns MON_NCMDS + their index; help lists them before
 * reboot and shutdown.
 */
enum mon_hw_cmd_id {
	MON_HW_IOMEM,
	MON_HW_IOPORTS,
	MON_HW_LSPCI,
	MON_HW_ACPI,
	MON_HW_DMI,
	MON_HW_X,
	MON_HW_XP,
	MON_HW_XPF,
	MON_HW_NCMDS
};
extern const struct mon_cmd_info mon_hw_cmds[MON_HW_NCMDS];

/* "BB:DD.F" or "SSSS:BB:DD.F" in hex (lspci's notation). Returns 0 and the parts, or -1. */
int mon_parse_bdf(const char *s, uint16_t *seg, uint8_t *bus, uint8_t *dev, uint8_t *fn);

/* A line split into words; argv[0] is the command's name. */
struct mon_words {
	int argc;
	const char *argv[MON_ARGS_MAX];
	char buf[MON_LINE_MAX + 1];
};

#define MON_PARSE_EMPTY (-1) /* blank line: nothing to do */
#define MON_PARSE_BAD (-2)   /* msg says why (unknown command, wrong number of arguments) */

/*
 * Split line into words at blanks and tabs and look the first one up.
 * Returns the enum mon_cmd_id, MON_PARSE_EMPTY, or MON_PARSE_BAD with the
 * answer in msg[0..size), e.g. "unknown command 'x' (help lists the commands)".
 */
int mon_parse(const char *line, struct mon_words *w, char *msg, size_t size);

/*
 * The help text: one line per command, "  NAME ARGS   what it does", after a
 * heading. Writes like snprintf and returns the length the whole text needs.
 */
size_t mon_help(char *buf, size_t size);

/* An address: "0x" and 1 to 16 hex digits. Returns 0 and sets *va, or -1. */
int mon_parse_va(const char *s, uint64_t *va);

/* A process id: 1 to 9 decimal digits, no sign. Returns 0 and sets *pid, or -1. */
int mon_parse_pid(const char *s, int *pid);

/*
 * Join words[0..n) (n >= 1) with commas into a tests= selection in
 * out[0..size) and check it as the tests= option would ("boot mm.heap" and
 * "boot,mm.heap" give "boot,mm.heap"). Returns 0, or -1 with the answer in
 * msg[0..msg_size).
 */
int mon_test_selection(const char *const *words, int n, char *out, size_t size, char *msg, size_t msg_size);

/* Is want the ESP path have ('/' and '\\' alike, letters in any case, as FAT compares)? */
int mon_same_path(const char *want, const char *have);

/* The program name of an ESP path: "\atlas\bin\hello.elf" -> "hello". Returns name. */
char *mon_prog_name(const char *path, char *name, size_t size);

/* ---- the kernel's side ----------------------------------------------------- */

struct proc;

/*
 * The monitor, from finish() with on_finish=monitor; code is the run's exit
 * code (EXIT_PASSED or EXIT_FAILED). Reads lines from every keyboard of the
 * keyboard queue (kbd.h: the UART, PS/2, USB; echo goes to every console)
 * until a shutdown or reboot command and returns that (FINISH_SHUTDOWN or
 * FINISH_REBOOT), or FINISH_HALT when there is none to read from.
 */
enum on_finish monitor_run(unsigned code);

/*
 * An exit hook (proc_add_exit_hook), as a process ends (in its context, its
 * address space still there): keep its outcome and its maps and pmap -x text
 * for ps, maps and pmap. Only with on_finish=monitor; the last MON_PS_MAX are
 * kept.
 */
void monitor_note_exit(struct proc *p);

/* Run hardware command cmd (enum mon_hw_cmd_id) with its words, already counted by mon_parse. */
void monitor_hw_run(int cmd, const struct mon_words *w);

/*
 * core/report/monitor_log.c, the `log` command: page through the console log with
 * less's keys on the screen and the serial terminal, from the last page, or
 * from the first line containing pattern (any case) when not NULL. Returns
 * when q (or Esc) is typed.
 */
void monitor_log(const char *pattern);

#endif
