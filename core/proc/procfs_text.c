/* SPDX-License-Identifier: MIT */
/*
 * procfs_text.c - the text of /proc's system files (meminfo cpuinfo uptime
 * loadavg stat version filesystems mounts cmdline, and iomem and ioports
 * from procfs_set_text), made each time one is opened, in the formats of
 * core/proc/procfs_sys.c; and the growing buffers (struct sb) every /proc
 * file's text is built in. Apart from procfs_dir.c (the tree) because it
 * gathers its numbers from the whole kernel, not from /proc's inodes.
 */
#include "cpu.h"
#include "heap.h"
#include "kernel.h"
#include "kerrno.h"
#include "kprintf.h"
#include "kstring.h"
#include "ktime.h"
#include "kvm.h"
#include "pmm.h"
#include "proc.h"
#include "procfs_dir.h"
#include "procfs_internal.h"
#include "procfs_sys.h"
#include "ramfs.h"
#include "sched.h"
#include "tsc.h"
#include "vfs.h"
#include "x86.h"

const char *const procfs_sysfiles[S_COUNT] = {
	[S_CMDLINE] = "cmdline", [S_CPUINFO] = "cpuinfo", [S_FILESYSTEMS] = "filesystems", [S_IOMEM] = "iomem",
	[S_IOPORTS] = "ioports", [S_LOADAVG] = "loadavg", [S_MEMINFO] = "meminfo",	   [S_MOUNTS] = "mounts",
	[S_STAT] = "stat",	 [S_UPTIME] = "uptime",	  [S_VERSION] = "version",
};

static procfs_text_fn extra_text[S_COUNT];

void procfs_set_text(const char *name, procfs_text_fn fn)
{
	for (int i = 0; i < S_COUNT; i++)
		if (!strcmp(procfs_sysfiles[i], name))
			extra_text[i] = fn;
}

void procfs_sb_add(struct sb *s, const char *p, size_t n)
{
	if (s->err)
		return;
	if (s->len + n + 1 > s->cap) {
		size_t cap = s->cap ? s->cap : 1024;
		char *nb;

		while (s->len + n + 1 > cap)
			cap *= 2;
		nb = kmalloc(cap);
		if (!nb) {
			s->err = -ENOMEM;
			return;
		}
		memcpy(nb, s->buf, s->len);
		kfree(s->buf);
		s->buf = nb;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, p, n);
	s->len += n;
	s->buf[s->len] = 0;
}

void procfs_sb_printf(struct sb *s, const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	procfs_sb_add(s, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

int procfs_sb_done(struct sb *s, struct text *t)
{
	if (s->err) {
		kfree(s->buf);
		return s->err;
	}
	if (!s->buf)
		procfs_sb_add(s, "", 0);
	t->buf = s->buf;
	t->len = s->len;
	return s->err;
}

static int gen_meminfo(struct text *t)
{
	struct pmm_stats ps;
	struct meminfo m;
	uint64_t file = ramfs_pages_total() << PAGE_SHIFT;

	pmm_get_stats(&ps);
	memset(&m, 0, sizeof(m));
	m.total = ps.total_pages << PAGE_SHIFT;
	m.free = ps.free_pages << PAGE_SHIFT;
	m.cached = m.shmem = file;
	m.available = m.free; /* RAM files cannot be dropped: only free memory is available */
	m.anon = ps.used_pages[PMM_USER] << PAGE_SHIFT;
	m.active_anon = m.anon;
	m.active_file = file;
	m.slab = m.sunreclaim = ps.used_pages[PMM_HEAP] << PAGE_SHIFT;
	m.kernel_stack = ps.used_pages[PMM_STACK] << PAGE_SHIFT;
	m.page_tables = ps.used_pages[PMM_PT] << PAGE_SHIFT;
	m.commit_limit = m.total / 2;
	for (struct proc *p = proc_first(); p; p = p->next_all)
		if (p->uvm)
			for_each_vma(v, p->uvm->vmas) if (v->prot & VM_WRITE) m.committed_as += v->end - v->start;
	m.vmalloc_total = KSTACK_AREA_END - KHEAP_BASE;
	m.vmalloc_used = (ps.used_pages[PMM_HEAP] + ps.used_pages[PMM_STACK]) << PAGE_SHIFT;
	kvm_direct_map_sizes(&m.direct_map_4k, &m.direct_map_2m, &m.direct_map_1g);
	RENDER(t, procfs_meminfo(&m, NULL, 0), procfs_meminfo(&m, buf, size));
	return 0;
}

static int gen_cpuinfo(struct text *t)
{
	const struct cpu_features *f = cpu();
	struct cpuinfo c;
	uint32_t a, b, cx, d;

	memset(&c, 0, sizeof(c));
	kstrlcpy(c.vendor, f->vendor, sizeof(c.vendor));
	kstrlcpy(c.model_name, f->brand[0] ? f->brand : f->vendor, sizeof(c.model_name));
	c.family = f->family;
	c.model = f->model;
	c.stepping = f->stepping;
	c.cpuid_level = f->max_leaf;
	c.khz = tsc_hz() / 1000;
	c.clflush = 64;
	c.phys_bits = f->phys_bits;
	c.virt_bits = f->virt_bits;
	cpuid(1, 0, &a, &b, &c.leaf1_ecx, &c.leaf1_edx);
	c.clflush = ((b >> 8) & 0xFF) * 8;
	c.apic_id = b >> 24;
	if (f->max_leaf >= 7)
		cpuid(7, 0, &a, &c.leaf7_ebx, &c.leaf7_ecx, &c.leaf7_edx);
	if (f->max_ext_leaf >= 0x80000001)
		cpuid(0x80000001, 0, &a, &b, &c.ext1_ecx, &c.ext1_edx);
	if (f->max_ext_leaf >= 0x80000006) {
		cpuid(0x80000006, 0, &a, &b, &cx, &d);
		c.cache_kb = cx >> 16;
	}
	RENDER(t, procfs_cpuinfo(&c, 1, NULL, 0), procfs_cpuinfo(&c, 1, buf, size));
	return 0;
}

static int gen_stat(struct text *t)
{
	struct kstat k;
	uint64_t tick_ns = 1000000000ULL / SCHED_HZ, busy = 0;

	memset(&k, 0, sizeof(k));
	for (struct proc *p = proc_first(); p; p = p->next_all) {
		k.processes++;
		busy += p->utime_ns;
		k.system += p->stime_ns / tick_ns;
		for (struct thread *th = p->threads; th; th = th->next_in_proc) {
			busy += th->utime_ns;
			k.system += th->stime_ns / tick_ns;
		}
	}
	k.user = busy / tick_ns;
	k.idle = sched_idle_ticks();
	k.ctxt = sched_switches();
	k.btime = (uint64_t)(ktime_real().sec - (int64_t)(ktime_mono_ns() / 1000000000ULL));
	k.processes = (uint64_t)proc_last_pid();
	k.running = sched_runnable();
	RENDER(t, procfs_stat(&k, 1, NULL, 0), procfs_stat(&k, 1, buf, size));
	return 0;
}

int procfs_gen_mounts(struct text *t)
{
	struct fs_ctx *fs = proc_current() ? proc_current()->fs : NULL;
	struct super *const *m;
	struct sb s = { 0 };
	char where[PATH_MAX];
	size_t n;

	m = vfs_mounts(&n);
	for (size_t i = 0; i < n; i++) {
		long len = 1;

		if (m[i]->mountpoint && fs)
			len = vfs_dir_path(fs, m[i]->mountpoint, where, sizeof(where));
		else
			kstrlcpy(where, "/", sizeof(where));
		if (len < 0)
			continue;
		procfs_sb_printf(&s, "%s %s %s %s 0 0\n", m[i]->source, where, m[i]->type,
				 !strcmp(m[i]->type, "proc") ? "rw,nosuid,nodev,noexec,relatime" : "rw,relatime");
	}
	return procfs_sb_done(&s, t);
}

int procfs_gen_sys(unsigned index, struct text *t)
{
	static const char *const fs_names[] = { "rootfs", "ramfs", "tmpfs", "devtmpfs", "proc", "pipefs" };
	uint64_t avg[3];
	struct sb s = { 0 };

	if (extra_text[index]) {
		long n = extra_text[index](NULL, 0);

		t->buf = n >= 0 ? kmalloc((size_t)n + 1) : NULL;
		if (!t->buf)
			return n < 0 ? (int)n : -ENOMEM;
		t->len = (size_t)extra_text[index](t->buf, (size_t)n + 1);
		return 0;
	}
	switch (index) {
	case S_MEMINFO:
		return gen_meminfo(t);
	case S_CPUINFO:
		return gen_cpuinfo(t);
	case S_STAT:
		return gen_stat(t);
	case S_MOUNTS:
		return procfs_gen_mounts(t);
	case S_UPTIME: {
		uint64_t up = ktime_mono_ns(), idle = sched_idle_ticks() * (1000000000ULL / SCHED_HZ);

		RENDER(t, procfs_uptime(up, idle, NULL, 0), procfs_uptime(up, idle, buf, size));
		return 0;
	}
	case S_LOADAVG:
		proc_loadavg(avg);
		RENDER(t, procfs_loadavg(avg, sched_runnable(), sched_threads(), proc_last_pid(), NULL, 0),
		       procfs_loadavg(avg, sched_runnable(), sched_threads(), proc_last_pid(), buf, size));
		return 0;
	case S_VERSION:
		RENDER(t, procfs_version(ATLAS_SYSNAME, ATLAS_RELEASE, ATLAS_VERSION, NULL, 0),
		       procfs_version(ATLAS_SYSNAME, ATLAS_RELEASE, ATLAS_VERSION, buf, size));
		return 0;
	case S_FILESYSTEMS:
		RENDER(t, procfs_filesystems(fs_names, ARRAY_SIZE(fs_names), NULL, 0),
		       procfs_filesystems(fs_names, ARRAY_SIZE(fs_names), buf, size));
		return 0;
	case S_CMDLINE:
		procfs_sb_printf(&s, "%s\n", g_boot ? g_boot->cmdline : "");
		return procfs_sb_done(&s, t);
	default:
		return -ENOENT; /* iomem and ioports until the PCI code provides them */
	}
}
