/* SPDX-License-Identifier: MIT */
/*
 * procreport.h - what a process looked like when it ended
 * (core/report/procreport.c), and the text captures the monitor keeps.
 */
#ifndef ATLAS_PROCREPORT_H
#define ATLAS_PROCREPORT_H

#include <stddef.h>

struct proc;

/*
 * An exit hook (proc_add_exit_hook): how the process ended, its
 * /proc/PID/maps lines and its `pmap -x` table (human), {"rec":"exit"} and
 * one {"rec":"maps"} per area (JSON). Nothing for a quiet process (repeats
 * of the same test program).
 */
void proc_report_exit(struct proc *p);

/* The process's /proc/PID/maps and `pmap -x` text, formatted like snprintf (procfs.h). */
size_t proc_maps_text(struct proc *p, char *buf, size_t size);
size_t proc_pmap_text(struct proc *p, char *buf, size_t size);

/* fmt's whole text for p in a fresh kmalloc'd buffer (the caller kfree()s it), or NULL. */
char *proc_text_alloc(size_t (*fmt)(struct proc *, char *, size_t), struct proc *p);

/* Print text line by line (kprintf cuts long strings). */
void print_lines(const char *text);

#endif
