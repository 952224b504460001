/* SPDX-License-Identifier: MIT */
/*
 * uvm_stacks.c - which areas of an address space are threads' stacks, and
 * whose (include/uvm.h). A small array per address space: a process has a
 * few threads, and a C library that caches stacks reuses the same areas, so
 * the labels stay as many as the stack areas that exist.
 */
#include "heap.h"
#include "kstring.h"
#include "uvm.h"
#include "vma.h"

void uvm_note_thread_stack(struct uvm *u, uint64_t addr, int tid)
{
	const struct vma *v = vma_find(u->vmas, addr);

	if (!v)
		return; /* a stack not mapped (yet): nothing to label */
	for (unsigned i = 0; i < u->nstacks; i++) {
		if (u->stacks[i].addr >= v->start && u->stacks[i].addr < v->end) {
			u->stacks[i].addr = addr;
			u->stacks[i].tid = tid;
			return;
		}
	}
	if (u->nstacks == u->stacks_cap) {
		unsigned cap = u->stacks_cap ? u->stacks_cap * 2 : 8;
		struct uvm_stack_label *n;

		if (cap > UVM_STACK_LABELS)
			return;
		n = kmalloc(cap * sizeof(*n));
		if (!n)
			return;
		if (u->nstacks)
			memcpy(n, u->stacks, u->nstacks * sizeof(*n));
		kfree(u->stacks);
		u->stacks = n;
		u->stacks_cap = cap;
	}
	u->stacks[u->nstacks].addr = addr;
	u->stacks[u->nstacks].tid = tid;
	u->nstacks++;
}

int uvm_stack_tid(const struct uvm *u, const struct vma *v)
{
	for (unsigned i = 0; i < u->nstacks; i++)
		if (u->stacks[i].addr >= v->start && u->stacks[i].addr < v->end)
			return u->stacks[i].tid;
	return 0;
}

void uvm_forget_stacks(struct uvm *u, uint64_t start, uint64_t end)
{
	for (unsigned i = 0; i < u->nstacks;) {
		if (u->stacks[i].addr >= start && u->stacks[i].addr < end)
			u->stacks[i] = u->stacks[--u->nstacks];
		else
			i++;
	}
}

void uvm_free_stacks(struct uvm *u)
{
	kfree(u->stacks);
	u->stacks = NULL;
	u->nstacks = u->stacks_cap = 0;
}
