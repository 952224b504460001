/* SPDX-License-Identifier: MIT */
/*
 * uvm_mmap.c - the calls that change a process's areas: brk, mmap (with
 * address hints, top-down placement below the layout's mmap_top), munmap,
 * mprotect and madvise(DONTNEED), each keeping the VMA list (the truth)
 * and the page tables (what was touched) in step, with the overcommit
 * policy of uvm.h.
 */
#include "uvm.h"

#include "kerrno.h"
#include "panic.h"
#include "pmm.h"

uint64_t uvm_brk(struct uvm *u, uint64_t newbrk)
{
	uint64_t old_end = ALIGN_UP(u->brk, PAGE_SIZE), new_end;

	if (newbrk < u->brk_start || newbrk >= u->mmap_top)
		return u->brk;
	new_end = ALIGN_UP(newbrk, PAGE_SIZE);
	if (new_end > old_end && uvm_overcommit_ok(new_end - old_end))
		return u->brk;
	/*
	 * Grow by inserting the new pages (they merge into [heap], even if part
	 * of the heap was mprotected meanwhile); shrink by removing the tail.
	 */
	if (new_end > old_end && vma_insert(u->vmas, old_end, new_end, VM_READ | VM_WRITE, VMA_HEAP, 0, "[heap]"))
		return u->brk;
	if (new_end < old_end) {
		/* Areas first: cutting into one that reaches past the break may need a node. */
		if (vma_remove(u->vmas, new_end, old_end))
			return u->brk;
		uvm_release(u, new_end, old_end);
	}
	u->brk = newbrk;
	return u->brk;
}

static unsigned prot_of_linux(int prot)
{
	return (prot & LX_PROT_READ ? VM_READ : 0) | (prot & LX_PROT_WRITE ? VM_WRITE | VM_READ : 0) |
	       (prot & LX_PROT_EXEC ? VM_EXEC | VM_READ : 0);
}

/*
 * The user range [addr, addr + ALIGN_UP(len)) for munmap: Linux's checks
 * (addr page aligned, len not 0, the range below the top of user space).
 */
static int range_args(uint64_t addr, uint64_t len, uint64_t *end)
{
	if ((addr & (PAGE_SIZE - 1)) || !len || addr > USER_END || len > USER_END - addr)
		return -EINVAL;
	*end = addr + ALIGN_UP(len, PAGE_SIZE);
	return 0;
}

/*
 * mmap's address hint (no MAP_FIXED), as Linux's arch_get_unmapped_area_topdown
 * takes it: rounded down to a page (and up to the end of the null guard, like
 * mmap_min_addr), used when [hint, hint + size) is free, below the top of
 * user space, and clear of the main stack's room to grow. 1 and *out when
 * it is, 0 to place the area as if there were no hint.
 */
static int hint_free(struct uvm *u, uint64_t hint, uint64_t size, uint64_t *out)
{
	const struct vma *v;
	uint64_t end;

	if (!hint || hint > USER_END)
		return 0;
	hint = ALIGN_DOWN(hint, PAGE_SIZE);
	if (hint < USER_NULL_GUARD_END)
		hint = USER_NULL_GUARD_END;
	if (hint > USER_END - size)
		return 0;
	end = hint + size;
	if (end > u->mmap_top && hint < u->stack_top) /* the stack and its growth room */
		return 0;
	v = vma_find_from(u->vmas, hint);
	if (v && v->start < end)
		return 0;
	*out = hint;
	return 1;
}

long uvm_mmap(struct uvm *u, uint64_t addr, uint64_t len, int prot, int flags)
{
	uint64_t size = ALIGN_UP(len, PAGE_SIZE), end;
	int err;

	if (!len)
		return -EINVAL;
	if (!(flags & LX_MAP_ANONYMOUS))
		return -ENODEV; /* no files to map */
	if (!(flags & LX_MAP_PRIVATE))
		return -EINVAL; /* no shared mappings: nothing to share with */
	/* More than the address space can hold (the length rounds up past 2^64 too). */
	if (size < len || size > USER_END - USER_NULL_GUARD_END)
		return -ENOMEM;
	if ((prot & LX_PROT_WRITE) && !(flags & LX_MAP_NORESERVE) && uvm_overcommit_ok(size))
		return -ENOMEM;
	if (flags & (LX_MAP_FIXED | LX_MAP_FIXED_NOREPLACE)) {
		if (addr & (PAGE_SIZE - 1))
			return -EINVAL;
		if (addr > USER_END - size)
			return -ENOMEM;
		if (addr < USER_NULL_GUARD_END)
			return -EPERM; /* the null guard stays unmapped, like mmap_min_addr */
		end = addr + size;
		if (flags & LX_MAP_FIXED_NOREPLACE) {
			const struct vma *v = vma_find_from(u->vmas, addr);
			if (v && v->start < end)
				return -EEXIST;
		}
		/* Cutting a hole into an area needs a node: take it before anything is unmapped. */
		err = vma_remove(u->vmas, addr, end);
		if (err)
			return err;
		uvm_release(u, addr, end);
		uvm_forget_stacks(u, addr, end);
	} else if (!hint_free(u, addr, size, &addr)) {
		addr = vma_find_gap(u->vmas, size, ALIGN_UP(u->brk, PAGE_SIZE) + PAGE_SIZE, u->mmap_top);
		if (!addr)
			return -ENOMEM;
	}
	err = vma_insert(u->vmas, addr, addr + size,
			 prot_of_linux(prot) | (flags & LX_MAP_NORESERVE ? VMA_NORESERVE : 0), VMA_ANON, 0, "[anon]");
	return err ? err : (long)addr;
}

long uvm_munmap(struct uvm *u, uint64_t addr, uint64_t len)
{
	uint64_t end;
	int err;

	if (range_args(addr, len, &end))
		return -EINVAL;
	err = vma_remove(u->vmas, addr, end);
	if (err)
		return err; /* the split needed a node: nothing unmapped, as Linux does */
	uvm_release(u, addr, end);
	uvm_forget_stacks(u, addr, end);
	return 0;
}

/*
 * Bytes of [addr, end) that mprotect adding PROT_WRITE would charge, as
 * Linux's mprotect_fixup does: the parts not writable already and not
 * MAP_NORESERVE.
 */
static uint64_t newly_writable(struct uvm *u, uint64_t addr, uint64_t end)
{
	uint64_t bytes = 0;

	for (const struct vma *v = vma_find_from(u->vmas, addr); v && v->start < end; v = vma_next(v))
		if (!(v->prot & (VM_WRITE | VMA_NORESERVE)))
			bytes += (v->end < end ? v->end : end) - (v->start > addr ? v->start : addr);
	return bytes;
}

/* Linux's PROT_SEM, PROT_GROWSDOWN and PROT_GROWSUP: valid bits that Atlas's areas give no meaning. */
#define LX_PROT_IGNORED (0x8 | 0x01000000 | 0x02000000)

long uvm_mprotect(struct uvm *u, uint64_t addr, uint64_t len, int prot)
{
	uint64_t end;
	unsigned vm = prot_of_linux(prot);
	int err;

	if ((prot & ~(LX_PROT_READ | LX_PROT_WRITE | LX_PROT_EXEC | LX_PROT_IGNORED)) || (addr & (PAGE_SIZE - 1)))
		return -EINVAL;
	if (!len)
		return 0;
	end = addr + ALIGN_UP(len, PAGE_SIZE);
	if (end <= addr || ALIGN_UP(len, PAGE_SIZE) < len || end > USER_END)
		return -ENOMEM; /* wraps, or reaches where nothing can be mapped */
	if ((vm & VM_WRITE) && uvm_overcommit_ok(newly_writable(u, addr, end)))
		return -ENOMEM;
	err = vma_protect(u->vmas, addr, end, vm);
	if (err)
		return err;
	/* Rewrite the pages already present; absent ones get the new rights when touched. */
	err = pt_range(&u->pt, addr, end - addr, PT_SET, uvm_vm_flags(vm), NULL, NULL);
	if (err)
		panic("mm: mprotect of 0x%llx-0x%llx could not rewrite the page tables (%d)", (unsigned long long)addr,
		      (unsigned long long)end, err);
	if (vm & VM_WRITE)
		uvm_cow_protect(u, addr, end); /* pages fork shares wait for their copy-on-write fault */
	return 0;
}

long uvm_madvise(struct uvm *u, uint64_t addr, uint64_t len, int advice)
{
	uint64_t end, at;
	int holes = 0;

	switch (advice) {
	case 0: /* MADV_NORMAL */
	case 1: /* MADV_RANDOM */
	case 2: /* MADV_SEQUENTIAL */
	case 3: /* MADV_WILLNEED */
	case LX_MADV_DONTNEED:
	case LX_MADV_FREE: /* may free lazily; freeing now is allowed */
	case 10:	   /* MADV_DONTFORK */
	case 11:	   /* MADV_DOFORK */
	case 14:	   /* MADV_HUGEPAGE */
	case 15:	   /* MADV_NOHUGEPAGE */
	case 16:	   /* MADV_DONTDUMP */
	case 17:	   /* MADV_DODUMP */
		break;
	default:
		return -EINVAL;
	}
	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	end = addr + ALIGN_UP(len, PAGE_SIZE);
	if (end < addr || ALIGN_UP(len, PAGE_SIZE) < len)
		return -EINVAL;
	if (end == addr)
		return 0;
	/* Area by area: what is mapped gets the advice, a hole anywhere makes it -ENOMEM. */
	at = addr;
	for (const struct vma *v = vma_find_from(u->vmas, addr); v && v->start < end; v = vma_next(v)) {
		uint64_t a = v->start > addr ? v->start : addr, b = v->end < end ? v->end : end;

		holes |= a > at;
		at = b;
		if (advice == LX_MADV_DONTNEED || advice == LX_MADV_FREE)
			uvm_release(u, a, b); /* private anonymous memory: the next touch sees zeroes */
	}
	return holes || at < end ? -ENOMEM : 0;
}
