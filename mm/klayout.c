/* SPDX-License-Identifier: MIT */
/*
 * klayout.c - the kernel half's layout, described once (see klayout.h).
 * Allocates nothing and touches no page table: the caller's fn does.
 */
#include "klayout.h"

#include "memlayout.h"
#include "paging.h"

#define DIRECT_MAP_VM (VM_READ | VM_WRITE | VM_GLOBAL)
#define IMAGE_VM_EXTRA (VM_GLOBAL | VM_NOHUGE)
#define BOOT_STACK_VM (VM_READ | VM_WRITE | VM_GLOBAL)

static int direct_map(const struct klayout *l, klayout_fn fn, void *ctx, uint64_t *unmapped)
{
	uint64_t start, end;
	size_t pos = 0;

	while (memmap_ram_run(l->ram, l->nram, &pos, &start, &end)) {
		struct klayout_piece p = { 0, 0, 0, DIRECT_MAP_VM, "[direct map]", 0 };
		int err;

		if (end > DIRECT_MAP_MAX_PHYS) {
			*unmapped += end - (start > DIRECT_MAP_MAX_PHYS ? start : DIRECT_MAP_MAX_PHYS);
			if (start >= DIRECT_MAP_MAX_PHYS)
				continue;
			end = DIRECT_MAP_MAX_PHYS;
		}
		p.va = DIRECT_MAP_BASE + start;
		p.pa = start;
		p.size = end - start;
		err = fn(&p, ctx);
		if (err)
			return err;
	}
	return 0;
}

static int image(const struct klayout *l, klayout_fn fn, void *ctx)
{
	for (size_t i = 0; i < l->nimage; i++) {
		const struct klayout_section *s = &l->image[i];
		struct klayout_piece p = { s->va,   l->image_phys + (s->va - KERNEL_BASE),
					   s->size, s->vm | IMAGE_VM_EXTRA,
					   s->name, 0 };
		int err;

		if (!s->size)
			continue;
		err = fn(&p, ctx);
		if (err)
			return err;
	}
	return 0;
}

static int boot_stack(const struct klayout *l, klayout_fn fn, void *ctx)
{
	struct klayout_piece guard = { KSTACK_SLOT_BASE(KSTACK_BOOT_SLOT),	 0, KSTACK_GUARD, 0,
				       "guard page below kernel stack 0 (boot)", 1 };
	struct klayout_piece stack = {
		KSTACK_BOTTOM(KSTACK_BOOT_SLOT), l->boot_stack_phys, KSTACK_SIZE, BOOT_STACK_VM, "[kstack 0 (boot)]", 0
	};
	int err = fn(&guard, ctx);

	return err ? err : fn(&stack, ctx);
}

int klayout_build(const struct klayout *l, klayout_fn fn, void *ctx, uint64_t *ram_unmapped)
{
	uint64_t unmapped = 0;
	int err = direct_map(l, fn, ctx, &unmapped);

	if (!err)
		err = image(l, fn, ctx);
	if (!err)
		err = boot_stack(l, fn, ctx);
	if (ram_unmapped)
		*ram_unmapped = unmapped;
	return err;
}
