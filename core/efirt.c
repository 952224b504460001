/* SPDX-License-Identifier: MIT */
/*
 * efirt.c - calling UEFI runtime services on a private 1:1 table.
 * See include/efirt.h for why. Only ResetSystem is used so far.
 */
#include "efirt.h"

#include "kerrno.h"
#include "kernel.h"
#include "kstring.h"
#include "kvm.h"
#include "memlayout.h"
#include "memmap.h"
#include "pmm.h"
#include "x86.h"

typedef void(__attribute__((ms_abi)) * efi_reset_system_fn)(uint32_t type, uint64_t status, uint64_t data_size,
							     void *data);

static struct pt rtpt;
static int in_call;
static void (*call_fallback)(void);
static uint64_t saved_cr3;

static uint64_t table_page(void *ctx)
{
	(void)ctx;
	return pmm_alloc(0, PMM_PT);
}

/* The runtime table shares the kernel half: copy the kernel's PML4 entries. */
static void share_kernel_half(void)
{
	const pte_t *k = PHYS_TO_DIRECT(kvm_pt()->root);
	pte_t *r = PHYS_TO_DIRECT(rtpt.root);

	for (int i = PT_ENTRIES / 2; i < PT_ENTRIES; i++)
		r[i] = i == RECURSIVE_SLOT ? 0 : k[i];
}

static unsigned rt_flags(uint32_t type)
{
	switch (type) {
	case EFI_RUNTIME_SERVICES_CODE:
		return VM_READ | VM_EXEC;
	case EFI_MEMORY_MAPPED_IO:
	case EFI_MEMORY_MAPPED_IO_PORT_SPACE:
		return VM_READ | VM_WRITE | VM_UC;
	default:
		return VM_READ | VM_WRITE;
	}
}

int efirt_init(void)
{
	const uint8_t *raw = PHYS_TO_DIRECT(g_boot->memmap);
	size_t count = g_boot->memmap_size / g_boot->desc_size;
	int mapped = 0;

	if (!g_boot->rt_reset_system)
		return -ENOENT;
	memset(&rtpt, 0, sizeof(rtpt));
	rtpt.phys_off = DIRECT_MAP_BASE;
	rtpt.alloc_table = table_page;
	rtpt.root = pmm_alloc(0, PMM_PT);
	if (!rtpt.root)
		return -ENOMEM;
	for (size_t i = 0; i < count; i++) {
		struct efi_mem_desc d;
		uint64_t len;
		int err;

		memcpy(&d, raw + i * g_boot->desc_size, sizeof(d));
		len = d.num_pages << EFI_PAGE_SHIFT;
		if (!(d.attr & EFI_MEMORY_RUNTIME) || !len || d.phys_start + len > USER_END)
			continue;
		err = pt_map(&rtpt, d.phys_start, d.phys_start, len, rt_flags(d.type) | VM_NOHUGE);
		if (err && err != -EEXIST) {
			kprintf("efirt: cannot map runtime region 0x%llx (+%llu pages): %d; runtime calls off\n",
				(unsigned long long)d.phys_start, (unsigned long long)d.num_pages, err);
			rtpt.root = 0;
			return err;
		}
		mapped++;
	}
	share_kernel_half();
	return mapped;
}

int efirt_available(void)
{
	return rtpt.root != 0;
}

int efirt_in_call(void)
{
	return in_call;
}

void efirt_fault(void)
{
	void (*fallback)(void) = call_fallback;

	write_cr3(saved_cr3);
	in_call = 0;
	kprintf("efirt: the firmware faulted inside a runtime call; using the fallback\n");
	fallback();
	for (;;)
		hlt();
}

void efirt_reset(unsigned type, void (*fallback)(void))
{
	efi_reset_system_fn reset = (efi_reset_system_fn)(uintptr_t)g_boot->rt_reset_system;

	if (efirt_available()) {
		cli();
		share_kernel_half();
		call_fallback = fallback;
		saved_cr3 = read_cr3();
		in_call = 1;
		write_cr3(rtpt.root);
		reset(type, 0, 0, NULL);
		write_cr3(saved_cr3);
		in_call = 0;
		kprintf("efirt: ResetSystem(%u) returned; using the fallback\n", type);
	}
	fallback();
	for (;;)
		hlt();
}

void efirt_wx_check(pt_leaf_fn fn, void *ctx)
{
	if (!rtpt.root)
		return;
	share_kernel_half();
	pt_for_each_leaf(&rtpt, fn, ctx);
}
