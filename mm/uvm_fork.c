/* SPDX-License-Identifier: MIT */
/*
 * uvm_fork.c - address spaces shared and copied: references (a vfork
 * child borrows its parent's), fork's copy-on-write copy, and reading and
 * writing another process's memory through the direct map.
 *
 * Copy-on-write: fork walks the parent's user tables, present entries only,
 * and gives the child the same frames; every writable one becomes read-only
 * on both sides, and the frame gets one more owner (mm/pageref.c). The first
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

/* Copy the user table at level lvl (phys src) into dst's tables, sharing the frames. */
static int fork_table(struct uvm *parent, struct uvm *child, uint64_t src, int lvl, uint64_t base)
{
	pte_t *t = PHYS_TO_DIRECT(src);

	for (int i = 0; i < PT_ENTRIES; i++) {
		uint64_t va = base + (uint64_t)i * PT_LEVEL_SIZE(lvl);
		struct pt_walk w;
		pte_t *e;
		int err;

		if (!(t[i] & PTE_P))
			continue;
		if (lvl > 1) {
			if (t[i] & PTE_PS)
				panic("mm: a huge page in a user address space at 0x%llx", (unsigned long long)va);
			err = fork_table(parent, child, t[i] & PTE_ADDR_MASK, lvl - 1, va);
			if (err)
				return err;
			continue;
		}
		err = pageref_share(t[i] & PTE_ADDR_MASK);
		if (err)
			return err;
		e = pt_walk(&child->pt, va, 1, 1, &w);
		if (!e || w.level != 1) {
			pageref_drop(t[i] & PTE_ADDR_MASK);
			return -ENOMEM;
		}
		/* Read-only on both sides; the fault on the first write sorts it out. */
		if (t[i] & PTE_W) {
			t[i] &= ~PTE_W;
			invlpg(va);
		}
		*e = t[i];
		child->pages++;
	}
	return 0;
}

struct uvm *uvm_fork(struct uvm *u)
{
	struct uvm *c = uvm_new();
	const pte_t *pml4 = PHYS_TO_DIRECT(u->pt.root);
	int err = 0;

	if (!c)
		return NULL;
	for_each_vma(v, u->vmas) if (!err)
		err = vma_insert(c->vmas, v->start, v->end, v->prot, v->kind, v->offset, v->name);
	for (int i = 0; i < PT_ENTRIES / 2 && !err; i++)
		if (pml4[i] & PTE_P)
			err = fork_table(u, c, pml4[i] & PTE_ADDR_MASK, PT_LEVELS - 1, (uint64_t)i << 39);
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
	fresh = pmm_alloc(0, PMM_USER);
	if (!fresh)
		return -ENOMEM;
	memcpy(PHYS_TO_DIRECT(fresh), PHYS_TO_DIRECT(old), PAGE_SIZE);
	*e = fresh | pt_flags(&u->pt, prot | VM_USER, 1) | PTE_A | PTE_D;
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
		const struct vma *v = va < USER_END ? vma_find(u->vmas, va) : NULL;
		struct pt_walk w;

		if (!v || !(v->prot & VM_WRITE) || !pt_query(&u->pt, va, &w))
			return -EFAULT;
		if (!(w.entry[1] & PTE_W) && uvm_cow(u, va & PAGE_MASK, v->prot))
			return -EFAULT;
		pa = frame_of(u, va);
		memcpy(PHYS_TO_DIRECT(pa), s, chunk);
		va += chunk;
		s += chunk;
		n -= chunk;
	}
	return 0;
}

/* Visit the present 4 KiB leaves of [lo, hi) under table (level lvl, mapping from base), skipping empty subtrees. */
static void smaps_table(uint64_t table, int lvl, uint64_t base, uint64_t lo, uint64_t hi, struct smaps_usage *o,
			int anon)
{
	const pte_t *t = PHYS_TO_DIRECT(table);
	uint64_t span = PT_LEVEL_SIZE(lvl);
	unsigned i0 = lo > base ? (unsigned)((lo - base) / span) : 0;

	for (unsigned i = i0; i < PT_ENTRIES; i++) {
		uint64_t va = base + (uint64_t)i * span;
		unsigned owners;

		if (va >= hi)
			break;
		if (!(t[i] & PTE_P))
			continue;
		if (lvl > 1) {
			smaps_table(t[i] & PTE_ADDR_MASK, lvl - 1, va, lo, hi, o, anon);
			continue;
		}
		owners = pageref_count(t[i] & PTE_ADDR_MASK);
		o->rss += PAGE_SIZE;
		o->pss += (PAGE_SIZE << PSS_SHIFT) / owners;
		if (t[i] & PTE_A)
			o->referenced += PAGE_SIZE;
		if (anon)
			o->anonymous += PAGE_SIZE;
		if (t[i] & PTE_D)
			o->pss_dirty += (PAGE_SIZE << PSS_SHIFT) / owners;
		if (owners > 1) {
			if (t[i] & PTE_D)
				o->shared_dirty += PAGE_SIZE;
			else
				o->shared_clean += PAGE_SIZE;
		} else if (t[i] & PTE_D) {
			o->private_dirty += PAGE_SIZE;
		} else {
			o->private_clean += PAGE_SIZE;
		}
	}
}

void uvm_smaps(struct uvm *u, const struct vma *v, struct smaps_usage *out)
{
	memset(out, 0, sizeof(*out));
	/* Every user page is anonymous memory here: file bytes were copied in at exec, not mapped. */
	smaps_table(u->pt.root, PT_LEVELS, 0, v->start, v->end, out, 1);
}
