/* SPDX-License-Identifier: MIT */
/*
 * procfs.h - a process's memory as Linux shows it: /proc/PID/maps,
 * /proc/PID/status and `pmap -x`. Pure formatting over a VMA list and the
 * per-area RSS / dirty counts the caller reads from the page tables.
 */
#ifndef ATLAS_PROCFS_H
#define ATLAS_PROCFS_H

#include <stddef.h>
#include <stdint.h>

#include "uvm.h"
#include "vma.h"

/* Fill *u for area v (called once per area, in order). */
typedef void (*vma_usage_fn)(const struct vma *v, struct vma_usage *u, void *ctx);

/*
 * /proc/PID/maps: one line per area in Linux's exact format
 *   "00400000-00401000 r-xp 00000000 00:00 0                          /hello"
 * (addresses %08lx, perms with 'p', offset %08llx, dev 00:00, inode 0, the
 * name starting at column 74 as seq_pad does; VMA_IMAGE names are the program
 * path, VMA_HEAP "[heap]", VMA_STACK "[stack]", VMA_ANON "[anon]").
 * Writes at most size bytes (always terminated when size > 0) and returns the
 * length the whole text needs, like snprintf.
 */
size_t procfs_maps(const struct vma_list *l, char *buf, size_t size);

/* The one line of area v, as procfs_maps writes it (with its '\n'). Returns as procfs_maps. */
size_t procfs_maps_line(const struct vma *v, char *buf, size_t size);

/* The longest maps line: the name's column (74), a VMA_NAME path with every byte escaped, '\n'. */
#define PROCFS_MAPS_LINE_MAX 256

/*
 * Area v's maps line at p, which must have room for PROCFS_MAPS_LINE_MAX
 * bytes; not terminated. Returns the end of the line. O(1), no allocation:
 * what /proc/PID/maps is built with, line by line.
 */
char *procfs_maps_put(char *p, const struct vma *v);

/*
 * `pmap -x PID`: the header line "PID:   CMDLINE", the column header
 * "Address           Kbytes     RSS   Dirty Mode  Mapping", one row per area
 * (address %016llx, sizes in KiB, mode like pmap's "r-x--", mapping name, with
 * "[ anon ]" and "[ stack ]" spelled as pmap does), the separator
 * "---------------- ------- ------- ------- " (procps leaves a trailing space) and "total kB" with the sums.
 * Returns as procfs_maps does.
 */
size_t procfs_pmap_x(const struct vma_list *l, int pid, const char *cmdline, vma_usage_fn usage, void *ctx, char *buf,
		     size_t size);

/* Running totals of a pmap -x table built piece by piece (start at zero). */
struct pmap_totals {
	uint64_t bytes, rss_kb, dirty_kb;
};

/*
 * The same table in pieces, for printing without a buffer for the whole
 * text (the exit report of a process killed for lack of memory): the two
 * header lines, one row (adding to *t), the separator and total lines. Each
 * returns as procfs_maps; concatenated they are procfs_pmap_x's text.
 */
size_t procfs_pmap_header(int pid, const char *cmdline, char *buf, size_t size);
size_t procfs_pmap_row(const struct vma *v, const struct vma_usage *u, struct pmap_totals *t, char *buf, size_t size);
size_t procfs_pmap_total(const struct pmap_totals *t, char *buf, size_t size);

/*
 * /proc/PID/status in Linux 6.1's "Key:\tvalue" layout (fs/proc/array.c
 * proc_pid_status(): task_name, task_state, task_mem, task_sig, task_cap,
 * task_seccomp, task_cpus_allowed, task_context_switch_counts): sizes as
 * "%8llu kB", signal sets as 16 hex digits, root's capabilities, one CPU.
 * Returns as procfs_maps.
 */
size_t procfs_status(const struct proc_status *st, char *buf, size_t size);

#endif
