/* SPDX-License-Identifier: MIT */
/*
 * kstack.c - kernel stacks: 16 KiB each in the stack area, with an unmapped
 * guard page below every one (seed 002: "multiple 16KB or 32KB stacks, guard
 * pages between"). An overflow runs into the guard and faults instead of
 * silently overwriting the neighbour; the fault report names the stack.
 */
#include "kernel.h"
#include "kerrno.h"
#include "kstring.h"
#include "kvm.h"
#include "memlayout.h"
#include "panic.h"
#include "pmm.h"
#include "trap.h"

#define KSTACK_SLOTS ((KSTACK_AREA_END - KSTACK_AREA_BASE) / KSTACK_SLOT_SIZE)
#define KSTACK_PAGES (KSTACK_SIZE >> PAGE_SHIFT)

/* The boot stack's slot is taken from the start: mm/klayout.c maps it, in efi/ and in kvm_init. */
static uint64_t used[(KSTACK_SLOTS + 63) / 64] = { [KSTACK_BOOT_SLOT / 64] = 1ULL << (KSTACK_BOOT_SLOT % 64) };

static void set_used(uint64_t i, int v)
{
	if (v)
		used[i / 64] |= 1ULL << (i % 64);
	else
		used[i / 64] &= ~(1ULL << (i % 64));
}

int kstack_alloc(const char *name, uint64_t *top)
{
	char label[KREGION_NAME];
	uint64_t pa;
	int err;

	for (uint64_t i = 0; i < KSTACK_SLOTS; i++) {
		if ((used[i / 64] >> (i % 64)) & 1)
			continue;
		pa = pmm_alloc_pages(KSTACK_PAGES, PMM_STACK);
		if (!pa)
			return -ENOMEM;
		ksnprintf(label, sizeof(label), "[kstack %llu (%s)]", (unsigned long long)i, name);
		err = kvm_map(KSTACK_BOTTOM(i), pa, KSTACK_SIZE, VM_READ | VM_WRITE | VM_GLOBAL | VM_NOHUGE, label);
		if (err) {
			pmm_free_pages(pa, KSTACK_PAGES, PMM_STACK);
			return err;
		}
		ksnprintf(label, sizeof(label), "guard page below kernel stack %llu (%s)", (unsigned long long)i, name);
		kvm_guard(KSTACK_SLOT_BASE(i), KSTACK_BOTTOM(i), label);
		set_used(i, 1);
		*top = KSTACK_TOP(i);
		return (int)i;
	}
	return -ENOSPC;
}

void kstack_free(int slot)
{
	struct pt_walk w;

	if (slot <= KSTACK_BOOT_SLOT || (uint64_t)slot >= KSTACK_SLOTS || !((used[slot / 64] >> (slot % 64)) & 1))
		panic("mm: kstack_free of slot %d that is not allocated", slot);
	if (!pt_query(kvm_pt(), KSTACK_BOTTOM(slot), &w))
		panic("mm: kernel stack %d is not mapped", slot);
	kvm_unmap(KSTACK_BOTTOM(slot), KSTACK_SIZE);
	kvm_unguard(KSTACK_SLOT_BASE(slot));
	pmm_free_pages(w.phys, KSTACK_PAGES, PMM_STACK);
	set_used((uint64_t)slot, 0);
}

/* The slot whose guard page or stack holds va, or -1. */
int kstack_slot_of(uint64_t va)
{
	if (va < KSTACK_AREA_BASE || va >= KSTACK_AREA_END)
		return -1;
	return (int)((va - KSTACK_AREA_BASE) / KSTACK_SLOT_SIZE);
}

int kstack_setup_ist(void)
{
	static const struct {
		unsigned vector, ist;
		const char *name;
	} ist[] = { { VEC_DF, IST_DF, "#DF" },
		    { VEC_NMI, IST_NMI, "NMI" },
		    { VEC_MC, IST_MC, "#MC" },
		    { VEC_DB, IST_DB, "#DB" } };

	for (size_t i = 0; i < ARRAY_SIZE(ist); i++) {
		uint64_t top;
		int slot = kstack_alloc(ist[i].name, &top);

		if (slot < 0)
			return slot;
		tss_set_ist(ist[i].ist, top);
		idt_set_ist(ist[i].vector, ist[i].ist);
	}
	return 0;
}
