/* SPDX-License-Identifier: MIT */
/*
 * memmap.h - the firmware memory map as the kernel sees it.
 *
 * The descriptor layout and type numbers are the UEFI specification's
 * (2.10, 7.2 EFI_BOOT_SERVICES.GetMemoryMap); they are restated here so that
 * core/, mm/ and the host tests never need firmware headers. Descriptors are
 * always stepped through by the DescriptorSize the firmware reported, never
 * by sizeof(struct efi_mem_desc): EDK2 reports 48 on purpose.
 */
#ifndef ATLAS_MEMMAP_H
#define ATLAS_MEMMAP_H

#include <stddef.h>
#include <stdint.h>

enum efi_mem_type {
	EFI_RESERVED_MEMORY_TYPE = 0,
	EFI_LOADER_CODE = 1,
	EFI_LOADER_DATA = 2,
	EFI_BOOT_SERVICES_CODE = 3,
	EFI_BOOT_SERVICES_DATA = 4,
	EFI_RUNTIME_SERVICES_CODE = 5,
	EFI_RUNTIME_SERVICES_DATA = 6,
	EFI_CONVENTIONAL_MEMORY = 7,
	EFI_UNUSABLE_MEMORY = 8,
	EFI_ACPI_RECLAIM_MEMORY = 9,
	EFI_ACPI_MEMORY_NVS = 10,
	EFI_MEMORY_MAPPED_IO = 11,
	EFI_MEMORY_MAPPED_IO_PORT_SPACE = 12,
	EFI_PAL_CODE = 13,
	EFI_PERSISTENT_MEMORY = 14,
	EFI_UNACCEPTED_MEMORY = 15,
	EFI_MAX_MEMORY_TYPE = 16,
};

/* Attribute bits (UEFI 2.10 table 7.10); efi/ gets the same from gnu-efi. */
#ifndef EFI_MEMORY_UC
#define EFI_MEMORY_UC (1ULL << 0)
#define EFI_MEMORY_WC (1ULL << 1)
#define EFI_MEMORY_WT (1ULL << 2)
#define EFI_MEMORY_WB (1ULL << 3)
#define EFI_MEMORY_UCE (1ULL << 4)
#define EFI_MEMORY_WP (1ULL << 12)
#define EFI_MEMORY_RP (1ULL << 13)
#define EFI_MEMORY_XP (1ULL << 14)
#define EFI_MEMORY_NV (1ULL << 15)
#define EFI_MEMORY_MORE_RELIABLE (1ULL << 16)
#define EFI_MEMORY_RO (1ULL << 17)
#define EFI_MEMORY_SP (1ULL << 18)
#define EFI_MEMORY_RUNTIME (1ULL << 63)
#endif

#define EFI_PAGE_SHIFT 12

/* One descriptor as the firmware lays it out (version 1, 40 bytes). */
struct efi_mem_desc {
	uint32_t type;
	uint32_t pad;
	uint64_t phys_start;
	uint64_t virt_start;
	uint64_t num_pages;
	uint64_t attr;
};

/* A normalized region: sorted, non-overlapping, [start, end). */
struct mm_region {
	uint64_t start;
	uint64_t end;
	uint64_t attr;
	uint32_t type;
	uint32_t flags; /* MMR_* below */
};

#define MMR_OVERLAP (1U << 0) /* another descriptor overlapped this range */

/* What memmap_normalize found wrong with the raw map. */
struct memmap_stats {
	size_t raw_count;    /* descriptors in the raw map */
	size_t zero_pages;   /* skipped: NumberOfPages == 0 */
	size_t bad_ranges;   /* skipped: unaligned start or start+len overflows */
	size_t overlaps;     /* pairs of descriptors that overlapped */
	size_t unsorted;     /* descriptors that started below their predecessor */
	size_t unknown_type; /* types >= EFI_MAX_MEMORY_TYPE (kept, shown as such) */
};

/*
 * Name of a UEFI memory type as the UEFI shell's `memmap` prints it
 * ("Conventional", "BS_Data", ...). Never NULL.
 */
const char *efi_mem_type_short(uint32_t type);

/* Full spec name ("EfiConventionalMemory"). Never NULL. */
const char *efi_mem_type_name(uint32_t type);

/*
 * True for the types that are RAM (counted towards installed memory):
 * everything except reserved, MMIO, MMIO port space, PAL code, unusable
 * and unknown types.
 */
int efi_mem_type_is_ram(uint32_t type);

/*
 * True for the types Atlas may hand to its page allocator after
 * ExitBootServices: conventional memory and boot-services code/data.
 * Loader code/data are decided by the caller, which knows what it still uses.
 */
int efi_mem_type_is_free_after_ebs(uint32_t type);

/*
 * Iterate over runs of RAM in a normalized map: adjacent RAM regions merge
 * across type changes (the direct map wants one range per run). Start with
 * *pos = 0; each call stores the next run in [*start, *end) and returns 1,
 * or returns 0 when there are no more runs.
 */
int memmap_ram_run(const struct mm_region *r, size_t n, size_t *pos, uint64_t *start, uint64_t *end);

/*
 * Check a raw map's geometry. Returns 0, or -EINVAL when desc_size is smaller
 * than a version-1 descriptor or map_size is not a multiple of desc_size.
 */
int memmap_check(size_t map_size, size_t desc_size);

/*
 * Normalize a raw firmware map (map_size bytes, stepped by desc_size) into
 * out[0..cap): sorted by address, zero-page and impossible entries dropped,
 * overlaps resolved in favour of the less usable type (so a reserved range
 * reported inside conventional memory stays reserved), adjacent entries of
 * the same type and attributes merged. Returns the number of regions, or
 * -EINVAL (bad geometry), -ENOSPC (cap too small). The raw map is not
 * modified. stats may be NULL. Allocates nothing.
 */
long memmap_normalize(const void *raw, size_t map_size, size_t desc_size, struct mm_region *out, size_t cap,
		      struct memmap_stats *stats);

#endif
