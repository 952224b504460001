/* SPDX-License-Identifier: MIT */
/*
 * procfs_sys.c - /proc/meminfo, uptime, loadavg, version, stat,
 * filesystems, mounts, cpuinfo, /proc/PID/stat and statm, and smaps, in
 * Linux 6.1's formats (include/procfs_sys.h). Where each comes from:
 *   - meminfo: fs/proc/meminfo.c, show_val_kb(): the name padded to 16
 *     columns, the value in kB right-aligned in 8, " kB";
 *   - uptime: fs/proc/uptime.c "%lu.%02lu %lu.%02lu\n";
 *   - loadavg: fs/proc/loadavg.c "%lu.%02lu %lu.%02lu %lu.%02lu %u/%d %d\n";
 *   - stat: fs/proc/stat.c, "cpu  " then ten counters, then per CPU;
 *   - mounts: fs/proc_namespace.c show_vfsmnt();
 *   - cpuinfo: arch/x86/kernel/cpu/proc.c show_cpuinfo(), the flag names
 *     of arch/x86/include/asm/cpufeatures.h for the CPUID bits Atlas reads;
 *   - PID/stat: fs/proc/array.c do_task_stat(); statm: task_statm();
 *   - smaps: fs/proc/task_mmu.c show_smap() / __show_smap() (SEQ_PUT_DEC:
 *     the name padded to 16 columns, the value width 8, " kB").
 */

#include "procfs_sys.h"
#include "kprintf.h"
#include "kstring.h"
#include "paging.h"
#include "procfs.h"

#define FSHIFT 11
#define FIXED_1 (1UL << FSHIFT)
#define USER_HZ 100
#define COMM_MAX 15

/* show_val_kb(): "Name:" padded to 16, the kB value in 8, " kB". */
static void kb(struct kbuf *o, const char *name, uint64_t bytes)
{
	kbuf_printf(o, "%-16s%8llu kB\n", name, (unsigned long long)(bytes >> 10));
}

size_t procfs_meminfo(const struct meminfo *m, char *buf, size_t size)
{
	struct kbuf o = { buf, size, 0 };

	kb(&o, "MemTotal:", m->total);
	kb(&o, "MemFree:", m->free);
	kb(&o, "MemAvailable:", m->available);
	kb(&o, "Buffers:", m->buffers);
	kb(&o, "Cached:", m->cached);
	kb(&o, "SwapCached:", 0);
	kb(&o, "Active:", m->active_anon + m->active_file);
	kb(&o, "Inactive:", m->inactive_anon + m->inactive_file);
	kb(&o, "Active(anon):", m->active_anon);
	kb(&o, "Inactive(anon):", m->inactive_anon);
	kb(&o, "Active(file):", m->active_file);
	kb(&o, "Inactive(file):", m->inactive_file);
	kb(&o, "Unevictable:", 0);
	kb(&o, "Mlocked:", 0);
	kb(&o, "SwapTotal:", 0);
	kb(&o, "SwapFree:", 0);
	kb(&o, "Zswap:", 0);
	kb(&o, "Zswapped:", 0);
	kb(&o, "Dirty:", 0);
	kb(&o, "Writeback:", 0);
	kb(&o, "AnonPages:", m->anon);
	kb(&o, "Mapped:", m->mapped);
	kb(&o, "Shmem:", m->shmem);
	kb(&o, "KReclaimable:", m->sreclaimable);
	kb(&o, "Slab:", m->slab);
	kb(&o, "SReclaimable:", m->sreclaimable);
	kb(&o, "SUnreclaim:", m->sunreclaim);
	kb(&o, "KernelStack:", m->kernel_stack);
	kb(&o, "PageTables:", m->page_tables);
	kb(&o, "SecPageTables:", 0);
	kb(&o, "NFS_Unstable:", 0);
	kb(&o, "Bounce:", 0);
	kb(&o, "WritebackTmp:", 0);
	kb(&o, "CommitLimit:", m->commit_limit);
	kb(&o, "Committed_AS:", m->committed_as);
	kb(&o, "VmallocTotal:", m->vmalloc_total);
	kb(&o, "VmallocUsed:", m->vmalloc_used);
	kb(&o, "VmallocChunk:", 0);
	kb(&o, "Percpu:", m->percpu);
	kb(&o, "HardwareCorrupted:", 0);
	kb(&o, "AnonHugePages:", 0);
	kb(&o, "ShmemHugePages:", 0);
	kb(&o, "ShmemPmdMapped:", 0);
	kb(&o, "FileHugePages:", 0);
	kb(&o, "FilePmdMapped:", 0);
	kbuf_printf(&o,
		    "HugePages_Total:   %5u\nHugePages_Free:    %5u\nHugePages_Rsvd:    %5u\nHugePages_Surp:    %5u\n",
		    0, 0, 0, 0);
	kb(&o, "Hugepagesize:", 2ULL << 20);
	kb(&o, "Hugetlb:", 0);
	kb(&o, "DirectMap4k:", m->direct_map_4k);
	kb(&o, "DirectMap2M:", m->direct_map_2m);
	kb(&o, "DirectMap1G:", m->direct_map_1g);
	return kbuf_end(&o);
}

size_t procfs_uptime(uint64_t up_ns, uint64_t idle_ns, char *buf, size_t size)
{
	struct kbuf o = { buf, size, 0 };

	kbuf_printf(&o, "%llu.%02llu %llu.%02llu\n", (unsigned long long)(up_ns / 1000000000ULL),
		    (unsigned long long)(up_ns / 10000000ULL % 100), (unsigned long long)(idle_ns / 1000000000ULL),
		    (unsigned long long)(idle_ns / 10000000ULL % 100));
	return kbuf_end(&o);
}

size_t procfs_loadavg(const uint64_t avg[3], int running, int total, int last_pid, char *buf, size_t size)
{
	struct kbuf o = { buf, size, 0 };

	/* LOAD_INT / LOAD_FRAC of include/linux/sched/loadavg.h, with the rounding fs/proc/loadavg.c adds. */
	for (int i = 0; i < 3; i++) {
		uint64_t a = avg[i] + FIXED_1 / 200;

		kbuf_printf(&o, "%llu.%02llu ", (unsigned long long)(a >> FSHIFT),
			    (unsigned long long)(((a & (FIXED_1 - 1)) * 100) >> FSHIFT));
	}
	kbuf_printf(&o, "%d/%d %d\n", running, total, last_pid);
	return kbuf_end(&o);
}

size_t procfs_version(const char *sysname, const char *release, const char *version, char *buf, size_t size)
{
	struct kbuf o = { buf, size, 0 };

	kbuf_printf(&o, "%s version %s (atlas@build) (gcc, GNU ld) %s\n", sysname, release, version);
	return kbuf_end(&o);
}

size_t procfs_stat(const struct kstat *k, int ncpus, char *buf, size_t size)
{
	struct kbuf o = { buf, size, 0 };

	kbuf_printf(&o, "cpu  %llu %llu %llu %llu %llu %llu %llu 0 0 0\n", (unsigned long long)k->user,
		    (unsigned long long)k->nice, (unsigned long long)k->system, (unsigned long long)k->idle,
		    (unsigned long long)k->iowait, (unsigned long long)k->irq, (unsigned long long)k->softirq);
	/* One CPU runs processes; the others, parked, have done nothing. */
	for (int c = 0; c < ncpus; c++)
		kbuf_printf(&o, "cpu%d %llu %llu %llu %llu %llu %llu %llu 0 0 0\n", c,
			    (unsigned long long)(c ? 0 : k->user), (unsigned long long)(c ? 0 : k->nice),
			    (unsigned long long)(c ? 0 : k->system), (unsigned long long)(c ? 0 : k->idle),
			    (unsigned long long)(c ? 0 : k->iowait), (unsigned long long)(c ? 0 : k->irq),
			    (unsigned long long)(c ? 0 : k->softirq));
	kbuf_printf(&o, "intr %llu\nctxt %llu\nbtime %llu\nprocesses %llu\nprocs_running %d\nprocs_blocked %d\n",
		    (unsigned long long)k->intr, (unsigned long long)k->ctxt, (unsigned long long)k->btime,
		    (unsigned long long)k->processes, k->running, k->blocked);
	kbuf_printf(&o, "softirq 0 0 0 0 0 0 0 0 0 0 0\n");
	return kbuf_end(&o);
}

size_t procfs_filesystems(const char *const *names, size_t n, char *buf, size_t size)
{
	struct kbuf o = { buf, size, 0 };

	for (size_t i = 0; i < n; i++)
		kbuf_printf(&o, "nodev\t%s\n", names[i]);
	return kbuf_end(&o);
}

size_t procfs_mount_line(const char *source, const char *target, const char *type, const char *opts, char *buf,
			 size_t size)
{
	struct kbuf o = { buf, size, 0 };

	kbuf_printf(&o, "%s %s %s %s 0 0\n", source, target, type, opts);
	return kbuf_end(&o);
}

/* CPUID bits and the names Linux's cpufeatures.h gives them, in /proc/cpuinfo's order. */
struct flag {
	uint8_t word; /* 0 leaf1 edx, 1 ext1 edx, 2 leaf1 ecx, 3 ext1 ecx, 4 leaf7 ebx, 5 leaf7 ecx, 6 leaf7 edx */
	uint8_t bit;
	const char *name;
};

static const struct flag flags[] = {
	{ 0, 0, "fpu" },
	{ 0, 1, "vme" },
	{ 0, 2, "de" },
	{ 0, 3, "pse" },
	{ 0, 4, "tsc" },
	{ 0, 5, "msr" },
	{ 0, 6, "pae" },
	{ 0, 7, "mce" },
	{ 0, 8, "cx8" },
	{ 0, 9, "apic" },
	{ 0, 11, "sep" },
	{ 0, 12, "mtrr" },
	{ 0, 13, "pge" },
	{ 0, 14, "mca" },
	{ 0, 15, "cmov" },
	{ 0, 16, "pat" },
	{ 0, 17, "pse36" },
	{ 0, 19, "clflush" },
	{ 0, 21, "dts" },
	{ 0, 22, "acpi" },
	{ 0, 23, "mmx" },
	{ 0, 24, "fxsr" },
	{ 0, 25, "sse" },
	{ 0, 26, "sse2" },
	{ 0, 27, "ss" },
	{ 0, 28, "ht" },
	{ 0, 29, "tm" },
	{ 0, 31, "pbe" },
	{ 1, 11, "syscall" },
	{ 1, 20, "nx" },
	{ 1, 22, "mmxext" },
	{ 1, 25, "fxsr_opt" },
	{ 1, 26, "pdpe1gb" },
	{ 1, 27, "rdtscp" },
	{ 1, 29, "lm" },
	{ 2, 0, "pni" },
	{ 2, 1, "pclmulqdq" },
	{ 2, 2, "dtes64" },
	{ 2, 3, "monitor" },
	{ 2, 4, "ds_cpl" },
	{ 2, 5, "vmx" },
	{ 2, 6, "smx" },
	{ 2, 7, "est" },
	{ 2, 8, "tm2" },
	{ 2, 9, "ssse3" },
	{ 2, 11, "sdbg" },
	{ 2, 12, "fma" },
	{ 2, 13, "cx16" },
	{ 2, 14, "xtpr" },
	{ 2, 15, "pdcm" },
	{ 2, 17, "pcid" },
	{ 2, 18, "dca" },
	{ 2, 19, "sse4_1" },
	{ 2, 20, "sse4_2" },
	{ 2, 21, "x2apic" },
	{ 2, 22, "movbe" },
	{ 2, 23, "popcnt" },
	{ 2, 24, "tsc_deadline_timer" },
	{ 2, 25, "aes" },
	{ 2, 26, "xsave" },
	{ 2, 28, "avx" },
	{ 2, 29, "f16c" },
	{ 2, 30, "rdrand" },
	{ 2, 31, "hypervisor" },
	{ 3, 0, "lahf_lm" },
	{ 3, 1, "cmp_legacy" },
	{ 3, 2, "svm" },
	{ 3, 3, "extapic" },
	{ 3, 4, "cr8_legacy" },
	{ 3, 5, "abm" },
	{ 3, 6, "sse4a" },
	{ 3, 7, "misalignsse" },
	{ 3, 8, "3dnowprefetch" },
	{ 3, 11, "xop" },
	{ 3, 16, "fma4" },
	{ 3, 21, "tbm" },
	{ 4, 0, "fsgsbase" },
	{ 4, 3, "bmi1" },
	{ 4, 4, "hle" },
	{ 4, 5, "avx2" },
	{ 4, 7, "smep" },
	{ 4, 8, "bmi2" },
	{ 4, 9, "erms" },
	{ 4, 10, "invpcid" },
	{ 4, 11, "rtm" },
	{ 4, 16, "avx512f" },
	{ 4, 17, "avx512dq" },
	{ 4, 18, "rdseed" },
	{ 4, 19, "adx" },
	{ 4, 20, "smap" },
	{ 4, 21, "avx512ifma" },
	{ 4, 23, "clflushopt" },
	{ 4, 24, "clwb" },
	{ 4, 28, "avx512cd" },
	{ 4, 29, "sha_ni" },
	{ 4, 30, "avx512bw" },
	{ 4, 31, "avx512vl" },
	{ 5, 1, "avx512vbmi" },
	{ 5, 2, "umip" },
	{ 5, 3, "pku" },
	{ 5, 6, "avx512_vbmi2" },
	{ 5, 8, "gfni" },
	{ 5, 9, "vaes" },
	{ 5, 10, "vpclmulqdq" },
	{ 5, 11, "avx512_vnni" },
	{ 5, 12, "avx512_bitalg" },
	{ 5, 14, "avx512_vpopcntdq" },
	{ 5, 16, "la57" },
	{ 5, 22, "rdpid" },
	{ 6, 4, "fsrm" },
	{ 6, 10, "md_clear" },
	{ 6, 26, "flush_l1d" },
	{ 6, 29, "arch_capabilities" },
};

size_t procfs_cpuinfo(const struct cpuinfo *c, int ncpus, char *buf, size_t size)
{
	struct kbuf o = { buf, size, 0 };
	const uint32_t words[7] = { c->leaf1_edx, c->ext1_edx,	c->leaf1_ecx, c->ext1_ecx,
				    c->leaf7_ebx, c->leaf7_ecx, c->leaf7_edx };

	for (int n = 0; n < ncpus; n++) {
		kbuf_printf(&o, "processor\t: %d\nvendor_id\t: %s\ncpu family\t: %u\nmodel\t\t: %u\nmodel name\t: %s\n",
			    n, c->vendor, c->family, c->model, c->model_name);
		kbuf_printf(&o, "stepping\t: %u\n", c->stepping);
		kbuf_printf(&o, "cpu MHz\t\t: %llu.%03llu\n", (unsigned long long)(c->khz / 1000),
			    (unsigned long long)(c->khz % 1000));
		if (c->cache_kb)
			kbuf_printf(&o, "cache size\t: %u KB\n", c->cache_kb);
		kbuf_printf(&o, "physical id\t: 0\nsiblings\t: %d\ncore id\t\t: %d\ncpu cores\t: %d\napicid\t\t: %u\n",
			    ncpus, n, ncpus, c->apic_id + (unsigned)n);
		kbuf_printf(
			&o,
			"initial apicid\t: %u\nfpu\t\t: yes\nfpu_exception\t: yes\ncpuid level\t: %u\nwp\t\t: yes\n",
			c->apic_id + (unsigned)n, c->cpuid_level);
		kbuf_printf(&o, "flags\t\t:");
		for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
			if (words[flags[i].word] & (1U << flags[i].bit))
				kbuf_printf(&o, " %s", flags[i].name);
		kbuf_printf(&o, "\nbugs\t\t:\nbogomips\t: %llu.%02llu\n", (unsigned long long)(c->khz * 2 / 1000),
			    (unsigned long long)(c->khz * 2 / 10 % 100));
		kbuf_printf(
			&o,
			"clflush size\t: %u\ncache_alignment\t: %u\naddress sizes\t: %u bits physical, %u bits virtual\n",
			c->clflush, c->clflush, c->phys_bits, c->virt_bits);
		kbuf_printf(&o, "power management:\n\n");
	}
	return kbuf_end(&o);
}

size_t procfs_pid_stat(const struct pid_stat *s, char *buf, size_t size)
{
	struct kbuf o = { buf, size, 0 };
	const char *comm = s->comm ? s->comm : "";

	kbuf_printf(&o, "%d (%.*s) %c %d %d %d %d %d %u ", s->pid, (int)strnlen(comm, COMM_MAX), comm, s->state,
		    s->ppid, s->pgrp, s->session, s->tty_nr, s->tpgid, s->flags);
	kbuf_printf(&o, "%llu %llu %llu %llu %llu %llu %llu %llu ", (unsigned long long)s->minflt,
		    (unsigned long long)s->cminflt, (unsigned long long)s->majflt, (unsigned long long)s->cmajflt,
		    (unsigned long long)s->utime, (unsigned long long)s->stime, (unsigned long long)s->cutime,
		    (unsigned long long)s->cstime);
	kbuf_printf(&o, "%ld %ld %ld 0 %llu %llu %llu %llu ", s->priority, s->nice, s->num_threads,
		    (unsigned long long)s->starttime, (unsigned long long)s->vsize, (unsigned long long)s->rss,
		    (unsigned long long)s->rsslim);
	kbuf_printf(&o, "%llu %llu %llu %llu %llu ", (unsigned long long)s->startcode, (unsigned long long)s->endcode,
		    (unsigned long long)s->startstack, (unsigned long long)s->kstkesp, (unsigned long long)s->kstkeip);
	/* The signal sets as decimal numbers (obsolete fields, kept for ps). */
	kbuf_printf(&o, "%llu %llu %llu %llu 0 0 0 %d %d 0 0 0 0 0 ", (unsigned long long)s->signal,
		    (unsigned long long)s->blocked, (unsigned long long)s->sigignore, (unsigned long long)s->sigcatch,
		    s->exit_signal, s->processor);
	kbuf_printf(&o, "%llu %llu %llu %llu %llu %llu %llu %d\n", (unsigned long long)s->start_data,
		    (unsigned long long)s->end_data, (unsigned long long)s->start_brk, (unsigned long long)s->arg_start,
		    (unsigned long long)s->arg_end, (unsigned long long)s->env_start, (unsigned long long)s->env_end,
		    s->exit_code);
	return kbuf_end(&o);
}

size_t procfs_statm(const uint64_t pages[7], char *buf, size_t size)
{
	struct kbuf o = { buf, size, 0 };

	kbuf_printf(&o, "%llu %llu %llu %llu %llu %llu %llu\n", (unsigned long long)pages[0],
		    (unsigned long long)pages[1], (unsigned long long)pages[2], (unsigned long long)pages[3],
		    (unsigned long long)pages[4], (unsigned long long)pages[5], (unsigned long long)pages[6]);
	return kbuf_end(&o);
}

/* SEQ_PUT_DEC(" kB\nName:", value) as show_smap() strings them: the name padded to 16, width 8. */
static void dec(struct kbuf *o, const char *name, uint64_t bytes)
{
	kbuf_printf(o, "%-16s%8llu kB\n", name, (unsigned long long)(bytes >> 10));
}

size_t procfs_smaps_area(const struct vma *v, const struct smaps_usage *u, char *buf, size_t size)
{
	struct kbuf o = { buf, size, 0 };

	if (v) {
		o.len = procfs_maps_line(v, buf, size);
		dec(&o, "Size:", v->end - v->start);
		dec(&o, "KernelPageSize:", 4096);
		dec(&o, "MMUPageSize:", 4096);
	}
	dec(&o, "Rss:", u->rss);
	dec(&o, "Pss:", u->pss >> PSS_SHIFT);
	dec(&o, "Pss_Dirty:", u->pss_dirty >> PSS_SHIFT);
	if (!v) {
		/* smaps_rollup: Pss_Anon, Pss_File, Pss_Shmem follow Pss_Dirty. */
		dec(&o, "Pss_Anon:", u->anonymous ? u->pss >> PSS_SHIFT : 0);
		dec(&o, "Pss_File:", 0);
		dec(&o, "Pss_Shmem:", 0);
	}
	dec(&o, "Shared_Clean:", u->shared_clean);
	dec(&o, "Shared_Dirty:", u->shared_dirty);
	dec(&o, "Private_Clean:", u->private_clean);
	dec(&o, "Private_Dirty:", u->private_dirty);
	dec(&o, "Referenced:", u->referenced);
	dec(&o, "Anonymous:", u->anonymous);
	dec(&o, "LazyFree:", 0);
	dec(&o, "AnonHugePages:", 0);
	dec(&o, "ShmemPmdMapped:", 0);
	dec(&o, "FilePmdMapped:", 0);
	dec(&o, "Shared_Hugetlb:", 0);
	dec(&o, "Private_Hugetlb:", 0);
	dec(&o, "Swap:", 0);
	dec(&o, "SwapPss:", 0);
	dec(&o, "Locked:", 0);
	if (v) {
		/* show_smap_vma_flags(): two letters a flag, each followed by a space. */
		kbuf_printf(&o, "THPeligible:    %d\nVmFlags:", 0);
		if (v->prot & VM_READ)
			kbuf_printf(&o, " rd");
		if (v->prot & VM_WRITE)
			kbuf_printf(&o, " wr");
		if (v->prot & VM_EXEC)
			kbuf_printf(&o, " ex");
		kbuf_printf(&o, " mr mw me");
		if (v->kind == VMA_STACK)
			kbuf_printf(&o, " gd");
		kbuf_printf(&o, " ac \n");
	}
	return kbuf_end(&o);
}
