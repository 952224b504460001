/* SPDX-License-Identifier: MIT */
/*
 * efirt.c - calling UEFI runtime services on a private 1:1 table.
 * See include/efirt.h for why. Only ResetSystem is used so far.
 */
#include "efirt.h"

#include "kernel.h"
#include "kerrno.h"
#include "kstring.h"
#include "kvm.h"
#include "memlayout.h"
#include "memmap.h"
#include "pmm.h"
#include "trap.h"
#include "x86.h"

typedef void(__attribute__((ms_abi)) * efi_reset_system_fn)(uint32_t type, uint64_t status, uint64_t data_size,
							    void *data);

/* EFI_MEMORY_ATTRIBUTES_TABLE header: Version, NumberOfEntries, DescriptorSize, Flags. */
struct mat_header {
	uint32_t version, entries, desc_size, flags;
};

static struct pt rtpt;
static int in_call, regions_mapped, mat_entries;
static uint64_t rwx_pages; /* runtime code mapped RWX for want of a MAT */
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

/*
 * Without a Memory Attributes Table nothing says where code ends and data
 * begins inside a runtime image, and firmware does write into its "code"
 * regions (OVMF does): they are mapped RWX, in this table only, as Linux
 * does. With a MAT, its entries are mapped first with their RO / XP split.
 */
static unsigned rt_flags(uint32_t type)
{
	switch (type) {
	case EFI_RUNTIME_SERVICES_CODE:
		return VM_READ | VM_WRITE | VM_EXEC;
	case EFI_MEMORY_MAPPED_IO:
	case EFI_MEMORY_MAPPED_IO_PORT_SPACE:
		return VM_READ | VM_WRITE | VM_UC;
	default:
		return VM_READ | VM_WRITE;
	}
}

/* Map the pages of [start, start+len) not mapped yet, 1:1. Returns 0 or a negative errno. */
static int map_missing(uint64_t start, uint64_t len, unsigned vm, uint64_t *count)
{
	struct pt_walk w;

	for (uint64_t off = 0; off < len; off += PAGE_SIZE) {
		int err;

		if (pt_query(&rtpt, start + off, &w))
			continue;
		err = pt_map(&rtpt, start + off, start + off, PAGE_SIZE, vm | VM_NOHUGE);
		if (err)
			return err;
		if (count)
			(*count)++;
	}
	return 0;
}

static int map_mat(void)
{
	const struct mat_header *h = PHYS_TO_DIRECT(g_boot->mat);
	const uint8_t *d = (const uint8_t *)(h + 1);

	if (!g_boot->mat || g_boot->mat_size < sizeof(*h) || h->desc_size < sizeof(struct efi_mem_desc) ||
	    (uint64_t)h->entries * h->desc_size > g_boot->mat_size - sizeof(*h))
		return 0;
	for (uint32_t i = 0; i < h->entries; i++) {
		struct efi_mem_desc e;
		unsigned vm = VM_READ;
		int err;

		memcpy(&e, d + (size_t)i * h->desc_size, sizeof(e));
		if (!(e.attr & EFI_MEMORY_RO))
			vm |= VM_WRITE;
		if (!(e.attr & EFI_MEMORY_XP))
			vm |= VM_EXEC;
		if (e.phys_start & (PAGE_SIZE - 1) || e.phys_start + (e.num_pages << EFI_PAGE_SHIFT) > USER_END)
			continue;
		err = map_missing(e.phys_start, e.num_pages << EFI_PAGE_SHIFT, vm, NULL);
		if (err)
			return err;
		mat_entries++;
	}
	return 0;
}

/* A fault while a runtime call is in progress is the firmware's: back to the kernel's tables, then the fallback. */
static int trap_fixup(struct trap_frame *tf)
{
	void (*fallback)(void) = call_fallback;

	(void)tf;
	if (!in_call)
		return 0;
	write_cr3(saved_cr3);
	in_call = 0;
	kprintf("efirt: the firmware faulted inside a runtime call; using the fallback\n");
	fallback();
	for (;;)
		hlt();
}

int efirt_init(void)
{
	const uint8_t *raw = PHYS_TO_DIRECT(g_boot->memmap);
	size_t count = g_boot->memmap_size / g_boot->desc_size;
	int mapped = 0, err;

	if (!g_boot->rt_reset_system)
		return -ENOENT;
	memset(&rtpt, 0, sizeof(rtpt));
	rtpt.phys_off = DIRECT_MAP_BASE;
	rtpt.alloc_table = table_page;
	rtpt.root = pmm_alloc(0, PMM_PT);
	if (!rtpt.root)
		return -ENOMEM;
	mat_entries = 0;
	rwx_pages = 0;
	err = map_mat();
	for (size_t i = 0; i < count && !err; i++) {
		struct efi_mem_desc d;
		uint64_t len;

		memcpy(&d, raw + i * g_boot->desc_size, sizeof(d));
		len = d.num_pages << EFI_PAGE_SHIFT;
		if (!(d.attr & EFI_MEMORY_RUNTIME) || !len || d.phys_start + len > USER_END)
			continue;
		err = map_missing(d.phys_start, len, rt_flags(d.type),
				  d.type == EFI_RUNTIME_SERVICES_CODE ? &rwx_pages : NULL);
		if (err) {
			kprintf("efirt: cannot map runtime region 0x%llx (+%llu pages): %d; runtime calls off\n",
				(unsigned long long)d.phys_start, (unsigned long long)d.num_pages, err);
			rtpt.root = 0;
			return err;
		}
		mapped++;
	}
	if (err) {
		kprintf("efirt: cannot map the Memory Attributes Table's regions: %d; runtime calls off\n", err);
		rtpt.root = 0;
		return err;
	}
	share_kernel_half();
	regions_mapped = mapped;
	if (trap_add_fixup(trap_fixup))
		kprintf("efirt: no trap fixup left; a fault in a runtime call will be a kernel fault\n");
	return mapped;
}

int efirt_available(void)
{
	return rtpt.root != 0;
}

void efirt_info(struct efirt_info *info)
{
	info->available = efirt_available();
	info->regions = regions_mapped;
	info->mat_entries = mat_entries;
	info->rwx_pages = rwx_pages;
	info->reset_system = g_boot->rt_reset_system;
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

uint64_t efirt_count_wx(uint64_t *first)
{
	/* Without a MAT the RWX runtime code is deliberate and reported by efirt_report(). */
	if (!rtpt.root || rwx_pages)
		return 0;
	share_kernel_half();
	return pt_count_wx(&rtpt, first);
}
