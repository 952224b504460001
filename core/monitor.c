/* SPDX-License-Identifier: MIT */
/*
 * monitor.c - the serial command monitor (see monitor.h).
 *
 * The first half is pure: the line editor, the command table and parser, and
 * the number and name parsing. The host tests build it with ATLAS_HOST
 * (tests/unit/test_monitor.c). The second half is the kernel's: the loop that
 * polls the UART and the PS/2 keyboard (drivers/ps2kbd.c), the commands, and
 * the ring of ended processes that ps, maps and pmap read. Commands print
 * through the existing reports, so they follow report=human|json|both; the
 * monitor's own answers (help, ps, maps, pmap, errors) are plain text
 * whatever report= says.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "kprintf.h"
#include "kstring.h"
#include "monitor.h"
#include "options.h"

#ifndef ATLAS_HOST
#include "bootreport.h"
#include "cpu.h"
#include "elf.h"
#include "fbcon.h"
#include "heap.h"
#include "kbd.h"
#include "kernel.h"
#include "memlayout.h"
#include "mmreport.h"
#include "proc.h"
#include "procfs.h"
#include "procsnap.h"
#include "ps2kbd.h"
#include "report.h"
#include "runner.h"
#include "screen.h"
#include "serial.h"
#include "tsc.h"
#include "userprog.h"
#include "x86.h"
#endif

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
		ksnprintf(msg, size, "unknown command '%s' (help lists the commands)", w->argv[0]);
		return MON_PARSE_BAD;
	}
	ci = &mon_cmds[n];
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

/* Append to buf[0..size) at used, like ksnprintf; past the end only the length counts. Returns the new used. */
static size_t append(char *buf, size_t size, size_t used, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static size_t append(char *buf, size_t size, size_t used, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(used < size ? buf + used : NULL, used < size ? size - used : 0, fmt, ap);
	va_end(ap);
	return used + (size_t)n;
}

size_t mon_help(char *buf, size_t size)
{
	size_t used = 0;

	if (size)
		buf[0] = 0;
	used = append(buf, size, used, "Commands (backspace erases, Ctrl-U clears the line):\n");
	for (int i = 0; i < MON_NCMDS; i++) {
		char head[HELP_NAME_COLUMN + 1];

		ksnprintf(head, sizeof(head), "%s%s%s", mon_cmds[i].name, mon_cmds[i].args[0] ? " " : "",
			  mon_cmds[i].args);
		used = append(buf, size, used, "  %-*s %s\n", HELP_NAME_COLUMN - 2, head, mon_cmds[i].what);
	}
	return used;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int mon_parse_va(const char *s, uint64_t *va)
{
	uint64_t v = 0;
	size_t n;

	if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		return -1;
	for (n = 0; s[2 + n]; n++) {
		int d = hex_digit(s[2 + n]);

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
	size_t used = 0;

	if (n < 1 || !size) {
		ksnprintf(msg, msg_size, "tests: no names given");
		return -1;
	}
	out[0] = 0;
	for (int i = 0; i < n; i++)
		used = append(out, size, used, "%s%s", i ? "," : "", words[i]);
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

/* ---- the kernel's side ----------------------------------------------------- */

#ifndef ATLAS_HOST

#define LIST_WIDTH 96 /* run's list of programs wraps here */
#define NS_PER_MS 1000000ULL
#define NS_PER_100US 100000ULL
#define TENTHS 10

void boot_checks(long nregions); /* core/bootcheck.c */
void mm_checks(void);		 /* core/mmcheck.c */

/* What ps, maps and pmap know about an ended process. */
struct ended {
	int pid; /* 0: empty slot */
	char name[PROC_NAME];
	int exit_code, signal;
	char cause[PROC_CAUSE];
	uint64_t syscalls, preemptions, run_ns;
	char *maps, *pmap; /* kmalloc'd at exit; NULL when the heap had no room */
};

static struct ended ring[MON_PS_MAX];
static unsigned ring_next;    /* the slot the next process takes */
static unsigned long n_ended; /* processes noted since boot */
static int max_pid_ended;     /* pids are handed out in order: anything up to this one has ended */

/* fmt's whole text in a fresh allocation, or NULL. */
static char *capture(size_t (*fmt)(struct proc *, char *, size_t), struct proc *p)
{
	size_t need = fmt(p, NULL, 0);
	char *buf = kmalloc(need + 1);

	if (buf)
		fmt(p, buf, need + 1);
	return buf;
}

static size_t maps_text(struct proc *p, char *buf, size_t size)
{
	return procfs_maps(p->uvm.vmas, buf, size);
}

static size_t pmap_text(struct proc *p, char *buf, size_t size)
{
	return procfs_pmap_x(p->uvm.vmas, p->pid, p->path, uvm_usage, &p->uvm, buf, size);
}

void monitor_note_exit(struct proc *p)
{
	struct ended *e;

	if (!g_boot || g_boot->opts.on_finish != FINISH_MONITOR)
		return;
	e = &ring[ring_next];
	ring_next = (ring_next + 1) % MON_PS_MAX;
	n_ended++;
	kfree(e->maps);
	kfree(e->pmap);
	memset(e, 0, sizeof(*e));
	e->pid = p->pid;
	if (p->pid > max_pid_ended)
		max_pid_ended = p->pid;
	kstrlcpy(e->name, p->name, sizeof(e->name));
	e->exit_code = p->exit_code;
	e->signal = p->signal;
	kstrlcpy(e->cause, p->cause, sizeof(e->cause));
	e->syscalls = p->syscalls;
	e->preemptions = p->preemptions;
	e->run_ns = tsc_to_ns(p->end_tsc - p->start_tsc);
	e->maps = capture(maps_text, p);
	e->pmap = capture(pmap_text, p);
}

static const struct ended *find_ended(int pid)
{
	for (int i = 0; i < MON_PS_MAX; i++)
		if (ring[i].pid && ring[i].pid == pid)
			return &ring[i];
	return NULL;
}

/* kprintf cuts long strings: print text line by line. */
static void print_lines(const char *text)
{
	while (*text) {
		const char *nl = text;

		while (*nl && *nl != '\n')
			nl++;
		kprintf("%.*s\n", (int)(nl - text), text);
		text = *nl ? nl + 1 : nl;
	}
}

static void say(const char *msg)
{
	kprintf("%s\n", msg);
}

static void cmd_help(void)
{
	size_t need = mon_help(NULL, 0);
	char *buf = kmalloc(need + 1);

	if (!buf) {
		say("help: no memory for the list");
		return;
	}
	mon_help(buf, need + 1);
	print_lines(buf);
	kfree(buf);
}

static void outcome(char *buf, size_t size, int sig, const char *cause, int code)
{
	if (sig)
		ksnprintf(buf, size, "%s: %s", signal_name(sig), cause);
	else
		ksnprintf(buf, size, "exit %d", code);
}

static void cmd_ps(void)
{
	char how[PROC_CAUSE + 16];
	unsigned shown = 0;

	if (!n_ended) {
		say("no process has ended yet (run PATH starts one)");
		return;
	}
	kprintf("  PID NAME                 SYSCALLS  PREEMPT      TIME  ENDED\n");
	/* Oldest first: from the slot the next process would take, round the ring. */
	for (unsigned k = 0; k < MON_PS_MAX; k++) {
		const struct ended *e = &ring[(ring_next + k) % MON_PS_MAX];

		if (!e->pid)
			continue;
		outcome(how, sizeof(how), e->signal, e->cause, e->exit_code);
		kprintf("%5d %-20s %8llu %8llu %5llu.%llu ms  %s\n", e->pid, e->name, (unsigned long long)e->syscalls,
			(unsigned long long)e->preemptions, (unsigned long long)(e->run_ns / NS_PER_MS),
			(unsigned long long)(e->run_ns / NS_PER_100US % TENTHS), how);
		shown++;
	}
	kprintf("%u shown of %lu ended since boot: the last %d are kept, each with its maps and pmap\n", shown, n_ended,
		MON_PS_MAX);
}

/* maps PID / pmap PID: the text captured at exit. */
static void cmd_text(const struct mon_words *w, int pmap)
{
	const struct ended *e;
	const char *text;
	int pid;

	if (mon_parse_pid(w->argv[1], &pid)) {
		kprintf("%s: '%s' is not a process id (expected a decimal number, as ps shows)\n", w->argv[0],
			w->argv[1]);
		return;
	}
	e = find_ended(pid);
	if (!e && pid > 0 && pid <= max_pid_ended) {
		kprintf("%s: pid %d ended, but only the last %d processes are kept (ps lists them)\n", w->argv[0], pid,
			MON_PS_MAX);
		return;
	}
	if (!e) {
		kprintf("no process %d (ps lists them)\n", pid);
		return;
	}
	text = pmap ? e->pmap : e->maps;
	if (!text) {
		kprintf("%s: the text of pid %d could not be kept (no memory at its exit)\n", w->argv[0], pid);
		return;
	}
	if (pmap)
		kprintf("pmap -x %d (%s) at exit:\n", pid, e->name);
	else
		kprintf("/proc/%d/maps (%s) at exit:\n", pid, e->name);
	print_lines(text);
}

static void cmd_walk(const struct mon_words *w)
{
	uint64_t va;

	if (mon_parse_va(w->argv[1], &va)) {
		kprintf("walk: '%s' is not an address (expected 0x and 1 to 16 hex digits, e.g. 0xffffffff80000000)\n",
			w->argv[1]);
		return;
	}
	report_walk(va);
}

/* What run PATH names: a built-in program or one efi/ loaded from the ESP. */
struct target {
	const struct user_prog *up;
	const struct boot_prog *bp;
};

static int find_target(const char *want, struct target *t)
{
	const char *bare = want[0] == '/' ? want + 1 : want;
	char name[USER_NAME_MAX];

	t->up = NULL;
	t->bp = NULL;
	for (uint32_t i = 0; i < g_boot->nprogs; i++) {
		if (mon_same_path(want, g_boot->progs[i].path)) {
			t->bp = &g_boot->progs[i];
			return 0;
		}
	}
	for (uint64_t i = 0; i < user_progs_count; i++) {
		if (!strcmp(bare, user_progs[i].name)) {
			t->up = &user_progs[i];
			return 0;
		}
	}
	for (uint32_t i = 0; i < g_boot->nprogs; i++) {
		if (!strcmp(want, mon_prog_name(g_boot->progs[i].path, name, sizeof(name)))) {
			t->bp = &g_boot->progs[i];
			return 0;
		}
	}
	return -1;
}

static void list_programs(void)
{
	char line[MON_MSG_MAX];
	size_t used = 0;

	kprintf("  built-in:");
	for (uint64_t i = 0; i < user_progs_count; i++) {
		size_t n = strlen(user_progs[i].name) + 1;

		if (used + n > LIST_WIDTH) {
			kprintf("%s\n           ", line);
			used = 0;
		}
		used += (size_t)ksnprintf(line + used, sizeof(line) - used, " %s", user_progs[i].name);
	}
	kprintf("%s\n", used ? line : "");
	if (!g_boot->nprogs)
		kprintf("  from the ESP: none (run= and \\atlas\\bin\\ load them at boot)\n");
	for (uint32_t i = 0; i < g_boot->nprogs; i++)
		kprintf("  from the ESP: %s\n", g_boot->progs[i].path);
}

static void cmd_run(const struct mon_words *w)
{
	char name[PROC_NAME], path[PROC_PATH], err[ELF_ERR_MAX], how[PROC_CAUSE + 16];
	const char *argv[MON_ARGS_MAX + 1], *envp[1] = { NULL };
	const void *elf;
	uint8_t *unpacked = NULL;
	struct target t;
	struct proc *p;
	size_t size;

	if (find_target(w->argv[1], &t)) {
		kprintf("run: no program '%s'; these are:\n", w->argv[1]);
		list_programs();
		return;
	}
	if (t.up) {
		kstrlcpy(name, t.up->name, sizeof(name));
		ksnprintf(path, sizeof(path), "/%s", t.up->name);
		unpacked = userprog_unpack(t.up, NULL, err, sizeof(err));
		if (!unpacked) {
			kprintf("run: %s not started: %s\n", path, err);
			return;
		}
		elf = unpacked;
		size = t.up->elf.size;
	} else {
		mon_prog_name(t.bp->path, name, sizeof(name));
		kstrlcpy(path, t.bp->path, sizeof(path));
		for (char *c = path; *c; c++)
			if (*c == '\\')
				*c = '/';
		elf = PHYS_TO_DIRECT(t.bp->phys);
		size = t.bp->size;
	}
	argv[0] = path;
	for (int i = 2; i < w->argc; i++)
		argv[i - 1] = w->argv[i];
	argv[w->argc - 1] = NULL;
	p = proc_spawn(name, path, elf, size, argv, envp, err, sizeof(err));
	/* proc_spawn() copied the file into the address space. */
	kfree(unpacked);
	if (!p) {
		kprintf("run: %s not started: %s\n", path, err);
		return;
	}
	procsnap_asked(1); /* the layout screen's process columns show what was just run */
	proc_run();
	procsnap_asked(0);
	outcome(how, sizeof(how), p->signal, p->cause, p->exit_code);
	kprintf("run: pid %d (%s) ended: %s; %llu syscalls, %llu preemptions (maps %d, pmap %d show it)\n", p->pid,
		p->name, how, (unsigned long long)p->syscalls, (unsigned long long)p->preemptions, p->pid, p->pid);
	proc_reap(p);
}

static void cmd_tests(const struct mon_words *w)
{
	char sel[OPT_TESTS_MAX], saved[OPT_TESTS_MAX], msg[MON_MSG_MAX];
	size_t nregions;

	kstrlcpy(saved, g_boot->opts.tests, sizeof(saved));
	if (w->argc == 1) {
		kstrlcpy(sel, saved, sizeof(sel));
	} else if (mon_test_selection(&w->argv[1], w->argc - 1, sel, sizeof(sel), msg, sizeof(msg))) {
		say(msg);
		return;
	}
	ksnprintf(msg, sizeof(msg), "tests=%s, again from the monitor", sel);
	tests_stream_begin(msg); /* a TAP stream of its own: version line, numbers from 1, plan */
	/* The suites read the selection from the options: lend them this one. */
	kstrlcpy(g_boot->opts.tests, sel, sizeof(g_boot->opts.tests));
	tests_forget_matches();
	memmap_regions(&nregions, NULL);
	boot_checks((long)nregions);
	mm_checks();
	runner_run_builtin();
	runner_run_extra();
	tests_check_unmatched();
	kstrlcpy(g_boot->opts.tests, saved, sizeof(g_boot->opts.tests));
	tests_stream_end();
}

static void echo_out(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	kprintf("%.*s", (int)n, s);
}

/* Run one command line; returns FINISH_SHUTDOWN or FINISH_REBOOT to leave, FINISH_MONITOR to stay. */
static enum on_finish run_line(const char *line)
{
	struct mon_words w;
	char msg[MON_MSG_MAX];
	int cmd = mon_parse(line, &w, msg, sizeof(msg));

	switch (cmd) {
	case MON_PARSE_EMPTY:
		break;
	case MON_PARSE_BAD:
		say(msg);
		break;
	case MON_HELP:
		cmd_help();
		break;
	case MON_MEMMAP:
		report_memmap();
		break;
	case MON_KMAPS:
		report_kmap();
		break;
	case MON_PS:
		cmd_ps();
		break;
	case MON_MAPS:
	case MON_PMAP:
		cmd_text(&w, cmd == MON_PMAP);
		break;
	case MON_WALK:
		cmd_walk(&w);
		break;
	case MON_PMM:
		report_pmm();
		break;
	case MON_HEAP:
		report_heap();
		break;
	case MON_CPU:
		cpu_report();
		break;
	case MON_RUN:
		cmd_run(&w);
		break;
	case MON_TESTS:
		cmd_tests(&w);
		break;
	case MON_LOG:
		monitor_log(w.argc > 1 ? w.argv[1] : NULL);
		break;
	case MON_SCREEN:
		if (!screen_draw())
			say("monitor: no framebuffer to draw on");
		break;
	case MON_REBOOT:
		return FINISH_REBOOT;
	case MON_SHUTDOWN:
		return FINISH_SHUTDOWN;
	default:
		kprintf("monitor: command %d has no handler\n", cmd);
		break;
	}
	return FINISH_MONITOR;
}

/*
 * The next key for the line editor from any keyboard (drivers/kbd.c), or -1.
 * Shift+PgUp/PgDn page the scrollback and are not passed on; other keys
 * without a character (arrows) mean nothing to the editor.
 */
static int read_input(void)
{
	int c = kbd_read();

	if (c < 0 || fbcon_scroll_key(c))
		return -1;
	return c >= KEY_SPECIAL ? -1 : c;
}

enum on_finish monitor_run(unsigned code)
{
	unsigned sources = kbd_sources();
	struct mon_line l;
	char from[96];

	if (!sources) {
		kprintf("monitor: no serial port and no keyboard (PS/2 or USB) to read commands from; halting\n");
		return FINISH_HALT;
	}
	kprintf("\nAtlas monitor: the run is over (%s); type help for the commands\n",
		code == EXIT_PASSED ? "every test passed" : "some test failed");
	kprintf("monitor: reading %s\n", kbd_sources_text(sources, from, sizeof(from)));
	fbcon_show_cursor(1);
	mon_line_init(&l, echo_out, NULL);
	for (;;) {
		enum on_finish next;
		enum mon_feed got = MON_FEED_MORE;

		kprintf("%s", MON_PROMPT);
		while (got == MON_FEED_MORE) {
			int c = read_input();

			if (c >= 0) {
				/* The layout screen gives way to the console at the first key, which counts. */
				if (screen_shown())
					screen_hide();
				got = mon_line_feed(&l, c);
				continue;
			}
			pause();
		}
		if (got == MON_FEED_DISCARDED)
			continue;
		next = run_line(l.buf);
		if (next != FINISH_MONITOR)
			return next;
	}
}

#endif /* !ATLAS_HOST */
