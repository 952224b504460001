/* SPDX-License-Identifier: MIT */
/*
 * futex.h - waiting on a user word (core/proc/futex.c): the futex system
 * call, and the kernel's own wake-ups (a thread's exit clears and wakes its
 * CLONE_CHILD_CLEARTID word and releases its robust-list locks).
 */
#ifndef ATLAS_FUTEX_H
#define ATLAS_FUTEX_H

#include <stdint.h>

struct thread;
struct uvm;

/* Wake up to n threads waiting on the word at addr of address space u. Returns how many. Any context. */
int futex_wake(struct uvm *u, uint64_t addr, int n);

/*
 * A thread ends (its process's memory still there): release the locks its
 * robust list names (FUTEX_OWNER_DIED, one waiter woken) and clear and wake
 * its CLONE_CHILD_CLEARTID word, as Linux's mm_release does.
 */
void futex_thread_exit(struct thread *t);

/* Counters for /proc and the report: waits begun and threads woken since boot. */
void futex_stats(uint64_t *waits, uint64_t *wakes);

#endif
