/* SPDX-License-Identifier: MIT */
/*
 * procfs_sys.h - the system-wide and per-process /proc files beyond maps
 * and status, as Linux 6.1 prints them (the kernel Debian 12 ships, which
 * `make bench` runs beside Atlas): pure formatting over plain structs, like
 * include/procfs.h. Every function writes like snprintf (at most size
 * bytes, terminated when size > 0) and returns the length the whole text
 * needs.
 */
#ifndef ATLAS_PROCFS_SYS_H
#define ATLAS_PROCFS_SYS_H

#include <stddef.h>
#include <stdint.h>

#include "uvm.h"
#include "vma.h"

/* /proc/meminfo: bytes (printed in kB, as show_val_kb does). */
struct meminfo {
	uint64_t total, free, available, buffers, cached, shmem;
	uint64_t active_anon, inactive_anon, active_file, inactive_file;
	uint64_t anon, mapped, slab, sreclaimable, sunreclaim, kernel_stack, page_tables;
	uint64_t commit_limit, committed_as, vmalloc_total, vmalloc_used, percpu;
	uint64_t direct_map_4k, direct_map_2m, direct_map_1g;
};
size_t procfs_meminfo(const struct meminfo *m, char *buf, size_t size);

/* /proc/uptime: "UP IDLE\n", seconds with two decimals. */
size_t procfs_uptime(uint64_t up_ns, uint64_t idle_ns, char *buf, size_t size);

/*
 * /proc/loadavg: the three averages in Linux's fixed point (FSHIFT 11 bits),
 * runnable/total tasks and the last pid handed out.
 */
size_t procfs_loadavg(const uint64_t avg[3], int running, int total, int last_pid, char *buf, size_t size);

/* /proc/version: "Linux version ..."-shaped, with Atlas's own names. */
size_t procfs_version(const char *sysname, const char *release, const char *version, char *buf, size_t size);

/* /proc/stat: CPU times in USER_HZ ticks (100 a second), and the counters after them. */
struct kstat {
	uint64_t user, nice, system, idle, iowait, irq, softirq; /* ticks */
	uint64_t intr, ctxt, btime, processes;
	int running, blocked;
};
size_t procfs_stat(const struct kstat *k, int ncpus, char *buf, size_t size);

/* /proc/filesystems: "nodev\tNAME\n" for each (every Atlas file system lives in memory). */
size_t procfs_filesystems(const char *const *names, size_t n, char *buf, size_t size);

/* One line of /proc/mounts: "SOURCE TARGET TYPE OPTIONS 0 0\n". */
size_t procfs_mount_line(const char *source, const char *target, const char *type, const char *opts, char *buf,
			 size_t size);

/* What /proc/cpuinfo says of one CPU. */
struct cpuinfo {
	char vendor[13];
	char model_name[49];
	unsigned family, model, stepping, cpuid_level;
	uint64_t khz;	   /* measured TSC rate */
	unsigned cache_kb; /* 0: line left out */
	unsigned clflush, phys_bits, virt_bits;
	uint32_t leaf1_ecx, leaf1_edx, leaf7_ebx, leaf7_ecx, leaf7_edx, ext1_ecx, ext1_edx;
	unsigned apic_id;
};
size_t procfs_cpuinfo(const struct cpuinfo *c, int ncpus, char *buf, size_t size);

/* /proc/PID/stat: the 52 fields of fs/proc/array.c do_task_stat(). */
struct pid_stat {
	int pid;
	const char *comm; /* at most 15 characters shown, in parentheses */
	char state;
	int ppid, pgrp, session, tty_nr, tpgid;
	unsigned flags;
	uint64_t minflt, cminflt, majflt, cmajflt;
	uint64_t utime, stime, cutime, cstime; /* clock ticks (USER_HZ) */
	long priority, nice, num_threads;
	uint64_t starttime; /* ticks after boot */
	uint64_t vsize;	    /* bytes */
	uint64_t rss;	    /* pages */
	uint64_t rsslim;
	uint64_t startcode, endcode, startstack, kstkesp, kstkeip;
	uint64_t signal, blocked, sigignore, sigcatch;
	int exit_signal, processor;
	uint64_t start_data, end_data, start_brk, arg_start, arg_end, env_start, env_end;
	int exit_code;
};
size_t procfs_pid_stat(const struct pid_stat *s, char *buf, size_t size);

/* /proc/PID/statm: size resident shared text lib data dt, in pages. */
size_t procfs_statm(const uint64_t pages[7], char *buf, size_t size);

/*
 * One area of /proc/PID/smaps: its maps line (as procfs_maps prints it),
 * then the counters and VmFlags. With v NULL, the smaps_rollup body (no
 * maps line: the caller prints "START-END ---p 00000000 00:00 0 [rollup]").
 */
size_t procfs_smaps_area(const struct vma *v, const struct smaps_usage *u, char *buf, size_t size);

/* The maps line of one area (procfs_maps for a single area). */
size_t procfs_maps_line(const struct vma *v, char *buf, size_t size);

#endif
