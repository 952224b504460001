/* SPDX-License-Identifier: MIT */
/*
 * runner.c - the ring-3 test suite: the programs built from tests/user/ and
 * carried in the suite file beside the image (\atlas\suite.bin), each with its declared outcome (an exit code,
 * or a signal and the cause in words). Each becomes a test "user.NAME" in the
 * TAP stream and a {"rec":"test"} record. The suite ends by checking that
 * every page the programs used came back.
 */
#include "runner.h"

#include "elf.h"
#include "heap.h"
#include "json.h"
#include "kernel.h"
#include "kstring.h"
#include "kvm.h"
#include "memlayout.h"
#include "pmm.h"
#include "proc.h"
#include "procfs.h"
#include "tests.h"
#include "userprog.h"
#include "vfs.h"

#define ARGS_MAX 16
#define ARG_TEXT 256
#define INSTANCES_MAX 8
#define OUTCOME_MAX 160

/* Split text into words (in place, in buf); returns the count. */
static int split_words(const char *text, char *buf, size_t size, const char **out, int max, int first)
{
	int n = first;
	size_t i = 0;

	if (!text)
		return n;
	kstrlcpy(buf, text, size);
	while (buf[i] && n < max) {
		while (buf[i] == ' ')
			buf[i++] = 0;
		if (!buf[i])
			break;
		out[n++] = &buf[i];
		while (buf[i] && buf[i] != ' ')
			i++;
	}
	return n;
}

static void expectation(const struct user_prog *up, char *buf, size_t size)
{
	if (up->expect_kind == USER_EXPECT_EXIT)
		ksnprintf(buf, size, "exit=%d", up->expect_code);
	else
		ksnprintf(buf, size, "signal=%s cause=\"%s\"", up->expect_signal, up->expect_cause);
}

static void outcome(const struct proc *p, char *buf, size_t size)
{
	if (p->signal)
		ksnprintf(buf, size, "signal=%s cause=\"%s\"", signal_name(p->signal), p->cause);
	else
		ksnprintf(buf, size, "exit=%d", p->exit_code);
}

/* The kernel's cause must start with the declared one ("write to read-only" matches "... [text]"). */
static int matches(const struct user_prog *up, const struct proc *p)
{
	if (up->expect_kind == USER_EXPECT_EXIT)
		return !p->signal && p->exit_code == up->expect_code;
	return p->signal && !strcmp(signal_name(p->signal), up->expect_signal) &&
	       !strncmp(p->cause, up->expect_cause, strlen(up->expect_cause));
}

/*
 * Run one declared program (all its instances, all its repeats), unpacked
 * against dict (NULL: the dictionary could not be decoded; dict_err says
 * why); returns 1 when every run matched.
 */
static int run_prog(const struct user_prog *up, const uint8_t *dict, const char *dict_err, char *got, size_t got_size)
{
	char path[PROC_PATH], argbuf[ARG_TEXT], envbuf[ARG_TEXT], idx[INSTANCES_MAX][4], err[ELF_ERR_MAX];
	const char *argv[ARGS_MAX + 2], *envp[ARGS_MAX + 1];
	int instances = up->instances > 0 ? up->instances : 1, repeat = up->repeat > 0 ? up->repeat : 1, ok = 1;
	int argc, envc;
	uint8_t *elf;

	if (!dict) {
		ksnprintf(got, got_size, "not started: %s", dict_err);
		return 0;
	}
	/* One copy of the file serves every instance and repeat: proc_spawn() copies it into each process. */
	elf = userprog_unpack(up, dict, err, sizeof(err));
	if (!elf) {
		ksnprintf(got, got_size, "not started: %s", err);
		return 0;
	}
	if (instances > INSTANCES_MAX)
		instances = INSTANCES_MAX;
	/* Where the initramfs keeps the same program (so /proc/self/exe leads to a file); else a name of its own. */
	ksnprintf(path, sizeof(path), "/usr/lib/atlas/%s", up->name);
	if (!vfs_exists(path))
		ksnprintf(path, sizeof(path), "/%s", up->name);
	argv[0] = path;
	argc = split_words(up->args, argbuf, sizeof(argbuf), argv, ARGS_MAX, 1);
	envc = split_words(up->env, envbuf, sizeof(envbuf), envp, ARGS_MAX, 0);
	envp[envc] = NULL;
	got[0] = 0;
	for (int rep = 0; rep < repeat; rep++) {
		struct proc *p[INSTANCES_MAX];

		for (int i = 0; i < instances; i++) {
			ksnprintf(idx[i], sizeof(idx[i]), "%d", i);
			argv[argc] = instances > 1 ? idx[i] : NULL;
			argv[argc + 1] = NULL;
			p[i] = proc_spawn(up->name, path, elf, up->elf.size, argv, envp, err, sizeof(err));
			if (!p[i]) {
				ksnprintf(got, got_size, "not started: %s", err);
				for (int k = 0; k < i; k++)
					p[k]->quiet = 1;
				proc_run();
				for (int k = 0; k < i; k++)
					proc_reap(p[k]);
				kfree(elf);
				return 0;
			}
			/* One report per program is plenty: repeats and siblings stay quiet. */
			p[i]->quiet = rep > 0 || i > 0;
		}
		proc_run();
		for (int i = 0; i < instances; i++) {
			if (!matches(up, p[i]) && ok) {
				ok = 0;
				outcome(p[i], got, got_size);
				if (repeat > 1 || instances > 1) {
					size_t n = strlen(got);
					ksnprintf(got + n, got_size - n, " (run %d, instance %d)", rep, i);
				}
			}
			if (ok && !got[0])
				outcome(p[i], got, got_size);
			proc_reap(p[i]);
		}
	}
	kfree(elf);
	return ok;
}

/*
 * Page-table pages of processes: the PMM's count less the kernel's own tables.
 * The kernel keeps a table once made (its half is shared by every process), so
 * a heap that grew or a kernel stack in a slot not used before adds a table
 * for good; that is not a page the programs kept.
 */
static uint64_t user_tables(const struct pmm_stats *st)
{
	uint64_t counts[PT_LEVELS + 1], k = 0;

	kvm_count_tables(kvm_pt(), counts);
	for (int l = 1; l <= PT_LEVELS; l++)
		k += counts[l];
	return st->used_pages[PMM_PT] - k;
}

void runner_run_builtin(void)
{
	struct pmm_stats before, after;
	char expect[OUTCOME_MAX], got[OUTCOME_MAX], name[USER_NAME_MAX + 8], dict_err[ELF_ERR_MAX];
	uint8_t *dict = NULL;
	uint64_t pt_before, pt_after;
	int ran = 0;

	/* No suite file (or a bad one): its programs are not run, and the boot says so (the warning came at load). */
	if (userprog_missing()[0]) {
		if (test_selected("user.suite"))
			test_skip("user.suite", "the ring-3 suite's programs run", userprog_missing());
		return;
	}
	pmm_get_stats(&before);
	pt_before = user_tables(&before);
	for (uint64_t i = 0; i < user_progs_count; i++) {
		const struct user_prog *up = &user_progs[i];

		ksnprintf(name, sizeof(name), "user.%s", up->name);
		if (!test_selected(name))
			continue;
		/* The dictionary once for the whole suite, when the first program needs it. */
		if (!ran)
			dict = userprog_dict(dict_err, sizeof(dict_err));
		expectation(up, expect, sizeof(expect));
		test_result(name, run_prog(up, dict, dict_err, got, sizeof(got)), expect, got);
		ran++;
	}
	kfree(dict);
	if (!ran)
		return;
	pmm_get_stats(&after);
	pt_after = user_tables(&after);
	test_check("user.pages_returned",
		   after.used_pages[PMM_USER] == 0 && pt_after == pt_before &&
			   after.used_pages[PMM_STACK] == before.used_pages[PMM_STACK],
		   "every user, page-table and kernel-stack page back after the suite",
		   "user %llu, pt %llu -> %llu, stack %llu -> %llu pages",
		   (unsigned long long)after.used_pages[PMM_USER], (unsigned long long)pt_before,
		   (unsigned long long)pt_after, (unsigned long long)before.used_pages[PMM_STACK],
		   (unsigned long long)after.used_pages[PMM_STACK]);
}

/* "\atlas\bin\hello.elf" -> name "hello", Linux-style path "/atlas/bin/hello.elf". */
static void names_of(const char *path, char *name, size_t nsize, char *lpath, size_t psize)
{
	const char *base = path;
	size_t n;

	for (const char *c = path; *c; c++)
		if (*c == '\\' || *c == '/')
			base = c + 1;
	kstrlcpy(name, base, nsize);
	n = strlen(name);
	if (n > 4 && !strcmp(name + n - 4, ".elf"))
		name[n - 4] = 0;
	kstrlcpy(lpath, path, psize);
	for (char *c = lpath; *c; c++)
		if (*c == '\\')
			*c = '/';
}

/* After the run= programs: every page and heap byte they used came back ("run.pages_returned"). */
static void check_returned(const struct pmm_stats *before, uint64_t pt_before, size_t heap_before)
{
	struct pmm_stats after;
	struct heap_stats hs;
	uint64_t pt_after;

	pmm_get_stats(&after);
	heap_get_stats(&hs);
	pt_after = user_tables(&after);
	test_check("run.pages_returned",
		   after.used_pages[PMM_USER] == 0 && pt_after == pt_before &&
			   after.used_pages[PMM_STACK] == before->used_pages[PMM_STACK] &&
			   hs.bytes_in_use == heap_before,
		   "every user, page-table and kernel-stack page and every heap byte back after the programs",
		   "user %llu, pt %llu -> %llu, stack %llu -> %llu pages, heap in use %zu -> %zu bytes",
		   (unsigned long long)after.used_pages[PMM_USER], (unsigned long long)pt_before,
		   (unsigned long long)pt_after, (unsigned long long)before->used_pages[PMM_STACK],
		   (unsigned long long)after.used_pages[PMM_STACK], heap_before, hs.bytes_in_use);
}

void runner_run_extra(void)
{
	struct pmm_stats before;
	struct heap_stats hs;
	uint64_t pt_before;
	int ran = 0;

	pmm_get_stats(&before);
	pt_before = user_tables(&before);
	heap_get_stats(&hs);
	for (uint32_t i = 0; i < g_boot->nprogs; i++) {
		const struct boot_prog *bp = &g_boot->progs[i];
		char name[USER_NAME_MAX], test[USER_NAME_MAX + 8], path[PROC_PATH], argbuf[BOOT_PROG_ARGS];
		char got[OUTCOME_MAX], err[ELF_ERR_MAX], idx[INSTANCES_MAX][4];
		const char *argv[ARGS_MAX + 2], *envp[1] = { NULL };
		struct proc *p[INSTANCES_MAX];
		int argc, n = bp->instances > 1 ? (int)bp->instances : 1, started = 0, ok = 1;

		if (n > INSTANCES_MAX)
			n = INSTANCES_MAX;
		names_of(bp->path, name, sizeof(name), path, sizeof(path));
		ksnprintf(test, sizeof(test), "run.%s", name);
		if (!test_selected(test))
			continue;
		ran++;
		argv[0] = path;
		argc = split_words(bp->args, argbuf, sizeof(argbuf), argv, ARGS_MAX, 1);
		got[0] = 0;
		/* Like ATLAS-INSTANCES: with N > 1, copy k gets "k" as an extra last argument. */
		for (int k = 0; k < n; k++) {
			ksnprintf(idx[k], sizeof(idx[k]), "%d", k);
			argv[argc] = n > 1 ? idx[k] : NULL;
			argv[argc + 1] = NULL;
			p[k] = proc_spawn(name, path, PHYS_TO_DIRECT(bp->phys), bp->size, argv, envp, err, sizeof(err));
			if (!p[k]) {
				ksnprintf(got, sizeof(got), "%s rejected: %s", bp->path, err);
				kprintf("run: %s\n", got);
				ok = 0;
				break;
			}
			p[k]->quiet = k > 0;
			started++;
		}
		proc_run();
		for (int k = 0; k < started; k++) {
			if (ok && (p[k]->signal || p[k]->exit_code != 0)) {
				ok = 0;
				outcome(p[k], got, sizeof(got));
				if (n > 1) {
					size_t len = strlen(got);

					ksnprintf(got + len, sizeof(got) - len, " (instance %d)", k);
				}
			}
			if (ok && !got[0])
				outcome(p[k], got, sizeof(got));
			proc_reap(p[k]);
		}
		test_result(test, ok, "exit=0", got);
	}
	if (ran)
		check_returned(&before, pt_before, hs.bytes_in_use);
}
