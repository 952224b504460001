/* SPDX-License-Identifier: MIT */
/*
 * monitor.c - the serial command monitor (see monitor.h), the kernel's
 * side: the loop that polls every keyboard through the one keyboard queue
 * (drivers/kbd.c: the UART, PS/2, USB), the commands, and the ring of ended
 * processes that ps, maps and pmap read; `log` is monitor_log.c. Lines are read and parsed by monitor_input.c. Commands
 * print through the existing reports, so they follow
 * report=human|json|both; the monitor's own answers (help, ps, maps, pmap,
 * errors) are plain text whatever report= says.
 */
#include "monitor.h"

#include "bootreport.h"
#include "cpu.h"
#include "elf.h"
#include "fbcon.h"
#include "heap.h"
#include "hwinfo.h"
#include "hwreport.h"
#include "kbd.h"
#include "kernel.h"
#include "kprintf.h"
#include "kstring.h"
#include "memlayout.h"
#include "mmreport.h"
#include "panic.h"
#include "physmap.h"
#include "proc.h"
#include "procfs.h"
#include "procreport.h"
#include "procsnap.h"
#include "runner.h"
#include "screen.h"
#include "tests.h"
#include "tsc.h"
#include "userland.h"
#include "userprog.h"
#include "x86.h"

#define LIST_WIDTH 96 /* run's list of programs wraps here */
#define NS_PER_MS 1000000ULL
#define NS_PER_100US 100000ULL
#define TENTHS 10

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
	e->maps = proc_text_alloc(proc_maps_text, p);
	e->pmap = proc_text_alloc(proc_pmap_text, p);
}

static const struct ended *find_ended(int pid)
{
	for (int i = 0; i < MON_PS_MAX; i++)
		if (ring[i].pid && ring[i].pid == pid)
			return &ring[i];
	return NULL;
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
	if (userprog_missing()[0])
		kprintf("  (%s)\n", userprog_missing());
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

/* sh [ARGS]: the console shell, the same as init=/bin/sh runs; the monitor's prompt comes back when it exits. */
static void cmd_sh(const struct mon_words *w)
{
	char line[MON_LINE_MAX + 16];
	size_t used = (size_t)ksnprintf(line, sizeof(line), "/bin/sh");

	for (int i = 1; i < w->argc && used < sizeof(line); i++)
		used += (size_t)ksnprintf(line + used, sizeof(line) - used, " %s", w->argv[i]);
	procsnap_asked(1); /* the layout screen's process columns show the shell's programs */
	userland_run_console(line, "sh");
	procsnap_asked(0);
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
	hw_checks();
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
	case MON_SH:
		cmd_sh(&w);
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
		if (cmd >= MON_NCMDS && cmd < MON_NCMDS + MON_HW_NCMDS)
			monitor_hw_run(cmd - MON_NCMDS, &w);
		else
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
