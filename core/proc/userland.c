/* SPDX-License-Identifier: MIT */
/*
 * userland.c - the world programs find at boot: the wall clock, the root
 * RAM file system filled from the initramfs, /dev with the console
 * terminal, /proc; and init=, the program that runs as pid 1 on the
 * terminal until it exits.
 */
#include "userland.h"
#include "cpio.h"
#include "devfs.h"
#include "heap.h"
#include "json.h"
#include "kernel.h"
#include "kerrno.h"
#include "kstring.h"
#include "ktime.h"
#include "memlayout.h"
#include "panic.h"
#include "pmm.h"
#include "proc.h"
#include "procfs_dir.h"
#include "record.h"
#include "rtc.h"
#include "tty.h"
#include "vfs.h"
#include "x86.h"

#define INIT_ARGS 16

void jobctl_init(void);

static void wall_clock(void)
{
	int64_t epoch;

	if (g_boot->clock_epoch) {
		ktime_set_source(g_boot->clock_epoch, g_boot->clock_tsc, "efi");
	} else if (!rtc_read(0, &epoch)) {
		ktime_set_source(epoch, rdtsc(), "rtc");
	} else {
		kprintf("clock: neither the firmware nor the CMOS clock gave the date: the wall clock starts at 1970\n");
		ktime_set_source(0, rdtsc(), "none");
	}
}

static void cpio_warning(void *ctx, const char *msg)
{
	struct jrec r;

	(void)ctx;
	if (report_human())
		kprintf("atlas: warning: %s\n", msg);
	jrec_begin(&r, "warning");
	jrec_str(&r, "msg", msg);
	report_emit(&r);
}

/*
 * Unpack the initramfs efi/ read. Its pages join the allocator as RAM-file
 * pages; the file data tools/mkinitrd.py laid out on page boundaries stays
 * where it is as the files' own pages (no copy: the firmware already wrote
 * these pages, so nothing new is touched), and every other page is freed
 * after the unpack.
 */
static void unpack_initrd(void)
{
	struct fs_ctx *fs = fs_ctx_new(vfs_root(), vfs_root());
	uint64_t a = ALIGN_DOWN(g_boot->initrd_phys, PAGE_SIZE);
	uint64_t b = ALIGN_UP(g_boot->initrd_phys + g_boot->initrd_size, PAGE_SIZE);
	uint64_t pages = (b - a) >> PAGE_SHIFT;
	uint64_t t0 = rdtsc();
	uint8_t *adopt = kzalloc((pages + 7) / 8);
	int in_place = adopt && !pmm_add_range_used(a, b, PMM_FILE);
	struct cpio_stats st;
	struct jrec r;
	int err;

	if (!fs) {
		kfree(adopt);
		return;
	}
	boot_mark(g_boot, "k.initrd_pmm", rdtsc());
	err = cpio_unpack(fs, PHYS_TO_DIRECT(g_boot->initrd_phys), g_boot->initrd_size, in_place ? adopt : NULL,
			  cpio_warning, NULL, &st);
	fs_ctx_put(fs);
	boot_mark(g_boot, "k.initrd_cpio", rdtsc());
	/* The archive was loader data: what no file took is free memory now. */
	if (in_place) {
		for (uint64_t i = 0; i < pages; i++)
			if (!(adopt[i / 8] & (1U << (i % 8))))
				pmm_free(a + (i << PAGE_SHIFT), 0, PMM_FILE);
	} else if (pmm_add_range(a, b)) {
		kprintf("initramfs: its pages could not be given back\n");
	}
	kfree(adopt);
	boot_mark(g_boot, "k.initrd_free", rdtsc());
	if (report_human())
		kprintf("initramfs %s: %u files, %u directories, %u symlinks, %u hard links, %u nodes, %llu KiB"
			" (%llu KiB in place)%s%s\n",
			g_boot->initrd_path, st.files, st.dirs, st.symlinks, st.links, st.nodes,
			(unsigned long long)st.bytes >> 10, (unsigned long long)st.adopted * PAGE_SIZE >> 10,
			st.skipped ? "; entries skipped" : "", err ? "; the archive did not end cleanly" : "");
	jrec_begin(&r, "rootfs");
	jrec_str(&r, "initrd", g_boot->initrd_path);
	jrec_u64(&r, "archive_bytes", g_boot->initrd_size);
	jrec_u64(&r, "files", st.files);
	jrec_u64(&r, "dirs", st.dirs);
	jrec_u64(&r, "symlinks", st.symlinks);
	jrec_u64(&r, "links", st.links);
	jrec_u64(&r, "nodes", st.nodes);
	jrec_u64(&r, "skipped", st.skipped);
	jrec_u64(&r, "bytes", st.bytes);
	jrec_u64(&r, "pages_in_place", st.adopted);
	jrec_bool(&r, "truncated", st.truncated);
	jrec_i64(&r, "error", err);
	jrec_u64(&r, "unpack_ns", ktime_tsc_to_mono_ns(rdtsc() - t0));
	report_emit(&r);
	g_boot->initrd_size = 0;
}

void userland_init(void)
{
	int err;

	wall_clock();
	err = vfs_init();
	if (!err) {
		console_tty_init();
		jobctl_init();
		err = tty_init();
	}
	if (!err)
		err = devfs_init();
	if (!err)
		err = procfs_mount();
	if (err)
		panic("vfs: the root file system could not be set up (%d)", err);
	boot_mark(g_boot, "k.vfs", rdtsc());
	if (g_boot->initrd_size)
		unpack_initrd();
}

int userland_run_console(const char *line, const char *who)
{
	static const char *const envp[] = { "HOME=/root", "PATH=/bin:/sbin:/usr/bin:/usr/sbin",
					    "TERM=vt100", "SHELL=/bin/sh",
					    "USER=root",  NULL };
	char words[OPT_PATH_MAX], err[128];
	const char *argv[INIT_ARGS + 1];
	struct proc *p;
	int argc = 0, status;
	char *w = words;

	kstrlcpy(words, line, sizeof(words));
	while (*w && argc < INIT_ARGS) {
		while (*w == ' ')
			*w++ = 0;
		if (!*w)
			break;
		argv[argc++] = w;
		while (*w && *w != ' ')
			w++;
	}
	argv[argc] = NULL;
	if (!argc) {
		kprintf("%s: no program to run\n", who);
		return -1;
	}
	p = proc_spawn_path(argv[0], argv, envp, 1, err, sizeof(err));
	if (!p) {
		kprintf("%s: %s: %s\n", who, argv[0], err);
		return -1;
	}
	proc_set_init(p);
	proc_run_until_exit(p);
	proc_set_init(NULL); /* orphans go to the kernel again, which reaps them */
	status = p->signal ? 128 + p->signal : p->exit_code;
	if (report_human())
		kprintf("%s (%s) ended: %s %d\n", who, argv[0], p->signal ? "signal" : "status",
			p->signal ? p->signal : p->exit_code);
	proc_reap(p);
	return status;
}

int userland_run_init(void)
{
	if (!g_boot->opts.init[0])
		return -1;
	return userland_run_console(g_boot->opts.init, "init");
}
