/* SPDX-License-Identifier: MIT */
/*
 * lifetimes.c - mm.lifetimes: process lifetimes by the thousand, of every
 * kind a process can end with, and the proof that they leave nothing
 * behind: after each kind the page allocator's free pages (the page cache
 * counts as free) and the heap's bytes in use must be what they were.
 *
 *   exit   the built-in "hello": maps, writes, exits 0
 *   fault  the built-in "null_deref": killed by SIGSEGV
 *   oom    run=\oom.elf (tests/user/run/oom.c): killed by SIGKILL for lack
 *          of memory. To make a thousand of those cheap, the test first
 *          takes all but OOM_HEADROOM pages of free memory itself (real
 *          pressure: the pages are allocated), so each victim runs out after
 *          about a megabyte; the pages are given back before the count.
 *   fork, exec, thread, pipe
 *          the built-in "lifecycle" (tests/user/lifecycle.c) with that
 *          argument: a forked child that exits and is waited for, an exec
 *          of the program itself in a child, a thread created and joined,
 *          a pipe with a page of data from a child through it; exits 0
 *   threads the built-in "thread_cycles": 1,000 pthread_create + join
 *          cycles in one process (each a kernel stack, a thread struct, a
 *          user stack mapped and unmapped); THREAD_RUNS such processes.
 *          Kernel stacks in use must be back where they were too.
 *
 * Selected only by name (tests=mm.lifetimes, or mm.lifetimes.KIND for one
 * kind), never through "all" or "mm": it runs LIFETIMES_RUNS processes per
 * kind (THREAD_RUNS for threads), after one warm-up lifetime that is
 * checked but not counted: what the first one makes for good (a kernel
 * stack in a slot not used before and its page table, the heap's kept
 * empty slab in a class not reached before) is not what a thousand must
 * give back. Not for oom: one victim without the pinned memory would take
 * all of it.
 */
#include "lifetimes.h"

#include "heap.h"
#include "json.h"
#include "kernel.h"
#include "kstring.h"
#include "memlayout.h"
#include "pmm.h"
#include "proc.h"
#include "record.h"
#include "tests.h"
#include "userprog.h"
#include "uvm.h"
#include "vfs.h"

#define LIFETIMES_RUNS 1000
#define THREAD_RUNS 3 /* processes of 1,000 thread lifetimes each */
/* Pages left free (above the user reserve) while the oom kind runs: 1 MiB. */
#define OOM_HEADROOM 256
#define ERR_MAX 128

struct kind {
	const char *name; /* the kind, and the test mm.lifetimes.NAME */
	const char *prog; /* built-in program, or the run= program's name */
	int builtin;
	int signal;	 /* what each run must end with: 0 and exit 0, or this signal */
	int runs;	 /* processes to run */
	int warmup;	 /* processes run before the counters are read */
	const char *arg; /* argv[1], or NULL */
};

static const struct kind kinds[] = {
	{ "exit", "hello", 1, 0, LIFETIMES_RUNS, 1, NULL },
	{ "fault", "null_deref", 1, SIGSEGV, LIFETIMES_RUNS, 1, NULL },
	{ "oom", "oom", 0, SIGKILL, LIFETIMES_RUNS, 0, NULL },
	{ "fork", "lifecycle", 1, 0, LIFETIMES_RUNS, 1, "fork" },
	{ "exec", "lifecycle", 1, 0, LIFETIMES_RUNS, 1, "exec" },
	{ "thread", "lifecycle", 1, 0, LIFETIMES_RUNS, 1, "thread" },
	{ "pipe", "lifecycle", 1, 0, LIFETIMES_RUNS, 1, "pipe" },
	{ "threads", "thread_cycles", 1, 0, THREAD_RUNS, 1, NULL },
};

/* The ELF of a kind: unpacked (kmalloc'd, *own set) or straight from a run= file. */
static const void *find_elf(const struct kind *k, size_t *size, int *own, char *err)
{
	*own = 0;
	if (k->builtin) {
		for (uint64_t i = 0; i < user_progs_count; i++) {
			if (strcmp(user_progs[i].name, k->prog))
				continue;
			*size = user_progs[i].elf.size;
			*own = 1;
			return userprog_unpack(&user_progs[i], NULL, err, ERR_MAX);
		}
		if (userprog_missing()[0])
			ksnprintf(err, ERR_MAX, "no program %s: %s", k->prog, userprog_missing());
		else
			ksnprintf(err, ERR_MAX, "no program %s in the suite", k->prog);
		return NULL;
	}
	for (uint32_t i = 0; i < g_boot->nprogs; i++) {
		const struct boot_prog *bp = &g_boot->progs[i];
		const char *base = bp->path;

		for (const char *c = bp->path; *c; c++)
			if (*c == '\\' || *c == '/')
				base = c + 1;
		if (!strncmp(base, k->prog, strlen(k->prog)) && !strcmp(base + strlen(k->prog), ".elf")) {
			*size = bp->size;
			return PHYS_TO_DIRECT(bp->phys);
		}
	}
	ksnprintf(err, ERR_MAX, "needs run=\\%s.elf on the boot volume", k->prog);
	return NULL;
}

/* Take free pages, largest blocks first, until only keep are left; returns the list (linked through the blocks). */
static uint64_t pin_memory(uint64_t keep)
{
	uint64_t list = 0;

	for (int order = PMM_MAX_ORDER; order >= 0; order--) {
		for (;;) {
			uint64_t free = pmm_free_count(), pa;

			if (free < keep + (1ULL << order))
				break;
			pa = pmm_alloc((unsigned)order, PMM_OTHER);
			if (!pa)
				break;
			((uint64_t *)PHYS_TO_DIRECT(pa))[0] = list;
			((uint64_t *)PHYS_TO_DIRECT(pa))[1] = (uint64_t)order;
			list = pa;
		}
	}
	return list;
}

static void unpin_memory(uint64_t list)
{
	while (list) {
		uint64_t next = ((uint64_t *)PHYS_TO_DIRECT(list))[0];
		unsigned order = (unsigned)((uint64_t *)PHYS_TO_DIRECT(list))[1];

		pmm_free(list, order, PMM_OTHER);
		list = next;
	}
}

/* Run k's program once; *started is cleared when it could not be. Returns 1 when it ended as k says. */
static int run_once(const struct kind *k, const void *elf, size_t size, char *path, int quiet, int *started, char *err)
{
	const char *argv[3] = { path, k->arg, NULL }, *envp[1] = { NULL };
	struct proc *p = proc_spawn(k->prog, path, elf, size, argv, envp, err, ERR_MAX);
	int ok;

	if (!p) {
		*started = 0;
		return 0;
	}
	p->quiet = quiet;
	proc_run();
	ok = k->signal ? p->signal == k->signal : !p->signal && p->exit_code == 0;
	proc_reap(p);
	return ok;
}

static void run_kind(const struct kind *k)
{
	char err[ERR_MAX] = "", name[48], path[PROC_PATH];
	uint64_t free_before, free_after, pinned = 0, ok_runs = 0, kstack_before, kstack_after;
	size_t heap_before, heap_after, size = 0;
	struct heap_stats hs;
	struct pmm_stats ps;
	int own, runs = 0, warm_ok = 0, started = 1;
	const void *elf = find_elf(k, &size, &own, err);
	struct jrec r;

	ksnprintf(name, sizeof(name), "mm.lifetimes.%s", k->name);
	/* Where the runner finds it: the initramfs's copy (an exec of /proc/self/exe needs a file), else its name. */
	ksnprintf(path, sizeof(path), "/usr/lib/atlas/%s", k->prog);
	if (!k->builtin || !vfs_exists(path))
		ksnprintf(path, sizeof(path), "/%s", k->prog);
	if (!elf) {
		test_result(name, 0, "the program to run", err);
		return;
	}
	for (int i = 0; i < k->warmup && started; i++)
		warm_ok += run_once(k, elf, size, path, i > 0, &started, err);
	free_before = pmm_free_count();
	heap_get_stats(&hs);
	heap_before = hs.bytes_in_use;
	pmm_get_stats(&ps);
	kstack_before = ps.used_pages[PMM_STACK];
	if (k->signal == SIGKILL)
		pinned = pin_memory(UVM_RESERVE_PAGES + OOM_HEADROOM);
	for (runs = 0; runs < k->runs && started; runs++) {
		int ok = run_once(k, elf, size, path, runs + k->warmup > 0, &started, err);

		if (!started)
			break;
		ok_runs += ok;
	}
	unpin_memory(pinned);
	free_after = pmm_free_count();
	heap_get_stats(&hs);
	heap_after = hs.bytes_in_use;
	pmm_get_stats(&ps);
	kstack_after = ps.used_pages[PMM_STACK];
	if (own)
		kfree((void *)elf);

	jrec_begin(&r, "lifetimes");
	jrec_str(&r, "kind", k->name);
	jrec_str(&r, "prog", k->prog);
	jrec_u64(&r, "runs", (uint64_t)runs);
	jrec_u64(&r, "as_expected", ok_runs);
	jrec_u64(&r, "free_pages_before", free_before);
	jrec_u64(&r, "free_pages_after", free_after);
	jrec_u64(&r, "heap_in_use_before", heap_before);
	jrec_u64(&r, "heap_in_use_after", heap_after);
	jrec_u64(&r, "kstack_pages_before", kstack_before);
	jrec_u64(&r, "kstack_pages_after", kstack_after);
	jrec_u64(&r, "warmup", (uint64_t)k->warmup);
	jrec_u64(&r, "warmup_as_expected", (uint64_t)warm_ok);
	report_emit(&r);
	if (!started)
		test_result(name, 0, "every process started", err);
	else
		test_check(
			name,
			ok_runs == (uint64_t)k->runs && warm_ok == k->warmup && free_after == free_before &&
				heap_after == heap_before && kstack_after == kstack_before,
			"every lifetime as expected; free pages, heap bytes and kernel stacks back where they were",
			"%llu of %d as expected (warm-up %d of %d); free pages %llu -> %llu; heap in use %zu -> %zu; kernel stack pages "
			"%llu -> %llu",
			(unsigned long long)ok_runs, runs, warm_ok, k->warmup, (unsigned long long)free_before,
			(unsigned long long)free_after, heap_before, heap_after, (unsigned long long)kstack_before,
			(unsigned long long)kstack_after);
}

void lifetimes_run(void)
{
	char name[48];

	if (!test_named("mm.lifetimes"))
		return;
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		ksnprintf(name, sizeof(name), "mm.lifetimes.%s", kinds[i].name);
		if (test_selected(name))
			run_kind(&kinds[i]);
	}
}
