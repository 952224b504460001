/* SPDX-License-Identifier: MIT */
/*
 * uvm_fork.c - address spaces shared and copied: references (a vfork
 * child borrows its parent's), fork's copy-on-write copy, and reading and
 * writing another process's memory through the direct map.
 *
 * Copy-on-write: fork copies each of the parent's areas with pt_copy
 * (present entries only, so untouched memory costs nothing; a leaf table's
 * entries in one loop) and gives the child the same frames; every writable
 * one becomes read-only on both sides, with one TLB flush for the whole
 * fork, and the frame gets one more owner (mm/pageref.c). The first
 * write faults (uvm_fault sees a present, read-only page in a writable
 * area) and copies the frame, or takes it over when the writer is its last
 * owner.
 */
#include "uvm.h"

#include "heap.h"
#include "kernel.h"
#include "kerrno.h"
#include "kstring.h"
#include "memlayout.h"
#include "pageref.h"
#include "panic.h"
#include "pmm.h"
#include "x86.h"

struct uvm *uvm_new(void)
{
	struct uvm *u = kmalloc(sizeof(*u));

	if (!u)
		return NULL;
	if (uvm_create(u)) {
		uvm_destroy(u);
		kfree(u);
		return NULL;
	}
	u->refs = 1;
	return u;
}

struct uvm *uvm_get(struct uvm *u)
{
	if (u)
		u->refs++;
	return u;
}

void uvm_put(struct uvm *u)
{
	if (!u || --u->refs)
		return;
	/* Never destroy the tables CR3 holds. */
	if (read_cr3() == u->pt.root)
		panic("mm: destroying the address space in use");
	uvm_destroy(u);
	kfree(u);
}

void uvm_page_put(struct uvm *u, uint64_t phys)
{
	u->pages--;
	if (pageref_drop(phys))
		pmm_free(phys, 0, PMM_USER);
}

/* pt_copy's callback over a parent's area: the frame gets one more owner, the child's page count one more. */
static int fork_leaf(const struct pt_leaf *l, void *ctx)
{
	struct uvm *child = ctx;
	int err;

	if (l->size != PAGE_SIZE)
		panic("mm: a %llu-byte user leaf at 0x%llx", (unsigned long long)l->size, (unsigned long long)l->va);
	err = pageref_share(l->phys);
	if (err)
		return err;
	child->pages++;
	return 0;
}

struct uvm *uvm_fork(struct uvm *u)
{
	struct uvm *c = uvm_new();
	int err = 0, cow = 0;

	if (!c)
		return NULL;
	for_each_vma(v, u->vmas)
	{
		err = vma_insert(c->vmas, v->start, v->end, v->prot, v->kind, v->offset, v->name);
		/* The entries as they are (A, D, PTE_PROTNONE kept), writable ones read-only on both sides. */
		if (!err)
			err = pt_copy(&c->pt, &u->pt, v->start, v->end - v->start, (v->prot & VM_WRITE) != 0, fork_leaf,
				      c);
		cow |= (v->prot & VM_WRITE) != 0;
		if (err)
			break;
	}
	/*
	 * One flush for the whole copy, before anything can write through the
	 * parent's old writable entries (even on failure: the parent may keep
	 * some pages read-only; its next write to each just takes it back).
	 */
	if (cow && read_cr3() == u->pt.root)
		write_cr3(u->pt.root);
	if (err) {
		uvm_put(c);
		return NULL;
	}
	c->bss_start = u->bss_start;
	c->brk_start = u->brk_start;
	c->brk = u->brk;
	c->peak_vm = u->peak_vm;
	c->peak_rss = u->pages << PAGE_SHIFT;
	c->arg_start = u->arg_start;
	c->arg_end = u->arg_end;
	c->env_start = u->env_start;
	c->env_end = u->env_end;
	c->stack_start = u->stack_start;
	c->load_base = u->load_base;
	c->stack_top = u->stack_top;
	c->stack_pad = u->stack_pad;
	c->mmap_top = u->mmap_top;
	c->randomized = u->randomized;
	memcpy(c->auxv, u->auxv, sizeof(c->auxv));
	c->auxv_words = u->auxv_words;
	return c;
}

int uvm_cow(struct uvm *u, uint64_t va, unsigned prot)
{
	struct pt_walk w;
	pte_t *e = pt_walk(&u->pt, va, 1, 0, &w);
	uint64_t old, fresh;

	if (!e || !w.present || w.level != 1)
		return -EFAULT;
	old = *e & PTE_ADDR_MASK;
	if (pageref_count(old) == 1) {
		/* The last owner: the page is its own again. */
		*e |= PTE_W;
		invlpg(va);
		return 0;
	}
	/* As a demand page: the kernel's reserve stays untouched (uvm_fault's out-of-memory kill follows). */
	fresh = pmm_free_count() > UVM_RESERVE_PAGES ? pmm_alloc(0, PMM_USER) : 0;
	if (!fresh)
		return -ENOMEM;
	memcpy(PHYS_TO_DIRECT(fresh), PHYS_TO_DIRECT(old), PAGE_SIZE);
	*e = fresh | pt_flags(&u->pt, uvm_vm_flags(prot), 1) | PTE_A | PTE_D;
	invlpg(va);
	if (pageref_drop(old))
		pmm_free(old, 0, PMM_USER); /* raced to last owner: cannot happen on one CPU, but stay exact */
	return 0;
}

/* The frame behind user address va of u, or 0 when nothing is mapped there. */
static uint64_t frame_of(struct uvm *u, uint64_t va)
{
	struct pt_walk w;

	return pt_query(&u->pt, va, &w) ? w.phys : 0;
}

int uvm_read_user(struct uvm *u, uint64_t va, void *dst, size_t n)
{
	uint8_t *d = dst;

	while (n) {
		uint64_t off = va & (PAGE_SIZE - 1), chunk = PAGE_SIZE - off < n ? PAGE_SIZE - off : n, pa;

		if (va >= USER_END || !vma_find(u->vmas, va))
			return -EFAULT;
		pa = frame_of(u, va);
		if (pa)
			memcpy(d, PHYS_TO_DIRECT(pa), chunk);
		else
			memset(d, 0, chunk);
		va += chunk;
		d += chunk;
		n -= chunk;
	}
	return 0;
}

int uvm_write_user(struct uvm *u, uint64_t va, const void *src, size_t n)
{
	const uint8_t *s = src;

	while (n) {
		uint64_t off = va & (PAGE_SIZE - 1), chunk = PAGE_SIZE - off < n ? PAGE_SIZE - off : n, pa;
		struct pt_walk w;
		int present = pt_query(&u->pt, va, &w);

		/*
		 * As a ring-3 write would: a page not there yet is made, a shared one
		 * copied, and anything the process may not write is -EFAULT.
		 */
		if (!present || !(w.entry[1] & PTE_W)) {
			char cause[64];

			if (uvm_fault(u, va, PFERR_W | PFERR_U | (present ? PFERR_P : 0), cause, sizeof(cause)))
				return -EFAULT;
		}
		pa = frame_of(u, va);
		memcpy(PHYS_TO_DIRECT(pa), s, chunk);
		va += chunk;
		s += chunk;
		n -= chunk;
	}
	return 0;
}

/* pt_range(PT_VISIT)'s callback for smaps: one present (or PROT_NONE-kept) page, by its owners. */
static int smaps_leaf(const struct pt_leaf *l, void *ctx)
{
	struct smaps_usage *o = ctx;
	unsigned owners = pageref_count(l->phys);
	int dirty = (l->entry & PTE_D) != 0;

	o->rss += PAGE_SIZE;
	o->pss += (PAGE_SIZE << PSS_SHIFT) / owners;
	if (l->entry & PTE_A)
		o->referenced += PAGE_SIZE;
	/* Every user page is anonymous memory here: file bytes were copied in at exec, not mapped. */
	o->anonymous += PAGE_SIZE;
	if (dirty)
		o->pss_dirty += (PAGE_SIZE << PSS_SHIFT) / owners;
	if (owners > 1)
		*(dirty ? &o->shared_dirty : &o->shared_clean) += PAGE_SIZE;
	else
		*(dirty ? &o->private_dirty : &o->private_clean) += PAGE_SIZE;
	return 0;
}

void uvm_smaps(struct uvm *u, const struct vma *v, struct smaps_usage *out)
{
	memset(out, 0, sizeof(*out));
	if (v->start < v->end)
		pt_range(&u->pt, v->start, v->end - v->start, PT_VISIT, 0, smaps_leaf, out);
}

/* pt_range(PT_VISIT)'s callback after mprotect made pages writable: a frame fork shares stays read-only. */
static int keep_cow(const struct pt_leaf *l, void *ctx)
{
	struct uvm *u = ctx;
	struct pt_walk w;
	pte_t *e;

	if (!(l->entry & PTE_W) || pageref_count(l->phys) < 2)
		return 0;
	e = pt_walk(&u->pt, l->va, 1, 0, &w);
	if (e && w.level == 1) {
		*e &= ~PTE_W;
		invlpg(l->va);
	}
	return 0;
}

void uvm_cow_protect(struct uvm *u, uint64_t start, uint64_t end)
{
	/* Nothing is shared anywhere: nothing to look for (the common case costs nothing). */
	if (pageref_shared_pages() && start < end)
		pt_range(&u->pt, start, end - start, PT_VISIT, 0, keep_cow, u);
}
