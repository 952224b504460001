/* SPDX-License-Identifier: MIT */
/*
 * proc_internal.h - what core/proc/proc.c (the process list, pids, reaping)
 * lends core/proc/proc_exit.c (a thread or process ending). No other file
 * includes it. All of it runs with interrupts off, on the kernel's tables.
 */
#ifndef ATLAS_PROC_INTERNAL_H
#define ATLAS_PROC_INTERNAL_H

#include "proc.h"

/* Free p's struct (kfree) once it is reaped (its parent is itself) and none of its threads is left; else nothing. */
void proc_free_if_done(struct proc *p);

/* Take p out of its parent's list of children and mark it reaped (p->parent = p). Frees nothing. */
void proc_unlink_child(struct proc *p);

/* Queue t, a thread that has ended (T_DEAD), for its stack to be freed once it no longer runs on it. */
void proc_add_dead_thread(struct thread *t);

#endif
