/* SPDX-License-Identifier: MIT */
/*
 * efimem.c - UEFI memory types (UEFI 2.10, 7.2): their names as the UEFI
 * shell's `memmap` and the specification spell them, which of them are RAM
 * and which become free after ExitBootServices, and runs of RAM in a
 * normalized map (see memmap.h).
 */
#include "memmap.h"

static const char *const short_names[EFI_MAX_MEMORY_TYPE] = {
	[EFI_RESERVED_MEMORY_TYPE] = "Reserved",
	[EFI_LOADER_CODE] = "LoaderCode",
	[EFI_LOADER_DATA] = "LoaderData",
	[EFI_BOOT_SERVICES_CODE] = "BS_Code",
	[EFI_BOOT_SERVICES_DATA] = "BS_Data",
	[EFI_RUNTIME_SERVICES_CODE] = "RT_Code",
	[EFI_RUNTIME_SERVICES_DATA] = "RT_Data",
	[EFI_CONVENTIONAL_MEMORY] = "Available",
	[EFI_UNUSABLE_MEMORY] = "Unusable",
	[EFI_ACPI_RECLAIM_MEMORY] = "ACPI_Recl",
	[EFI_ACPI_MEMORY_NVS] = "ACPI_NVS",
	[EFI_MEMORY_MAPPED_IO] = "MMIO",
	[EFI_MEMORY_MAPPED_IO_PORT_SPACE] = "MMIO_Port",
	[EFI_PAL_CODE] = "PalCode",
	[EFI_PERSISTENT_MEMORY] = "Persistent",
	[EFI_UNACCEPTED_MEMORY] = "Unaccepted",
};

static const char *const spec_names[EFI_MAX_MEMORY_TYPE] = {
	[EFI_RESERVED_MEMORY_TYPE] = "EfiReservedMemoryType",
	[EFI_LOADER_CODE] = "EfiLoaderCode",
	[EFI_LOADER_DATA] = "EfiLoaderData",
	[EFI_BOOT_SERVICES_CODE] = "EfiBootServicesCode",
	[EFI_BOOT_SERVICES_DATA] = "EfiBootServicesData",
	[EFI_RUNTIME_SERVICES_CODE] = "EfiRuntimeServicesCode",
	[EFI_RUNTIME_SERVICES_DATA] = "EfiRuntimeServicesData",
	[EFI_CONVENTIONAL_MEMORY] = "EfiConventionalMemory",
	[EFI_UNUSABLE_MEMORY] = "EfiUnusableMemory",
	[EFI_ACPI_RECLAIM_MEMORY] = "EfiACPIReclaimMemory",
	[EFI_ACPI_MEMORY_NVS] = "EfiACPIMemoryNVS",
	[EFI_MEMORY_MAPPED_IO] = "EfiMemoryMappedIO",
	[EFI_MEMORY_MAPPED_IO_PORT_SPACE] = "EfiMemoryMappedIOPortSpace",
	[EFI_PAL_CODE] = "EfiPalCode",
	[EFI_PERSISTENT_MEMORY] = "EfiPersistentMemory",
	[EFI_UNACCEPTED_MEMORY] = "EfiUnacceptedMemoryType",
};

const char *efi_mem_type_short(uint32_t type)
{
	return type < EFI_MAX_MEMORY_TYPE ? short_names[type] : "Unknown";
}

const char *efi_mem_type_name(uint32_t type)
{
	return type < EFI_MAX_MEMORY_TYPE ? spec_names[type] : "EfiUnknown";
}

int efi_mem_type_is_ram(uint32_t type)
{
	switch (type) {
	case EFI_LOADER_CODE:
	case EFI_LOADER_DATA:
	case EFI_BOOT_SERVICES_CODE:
	case EFI_BOOT_SERVICES_DATA:
	case EFI_RUNTIME_SERVICES_CODE:
	case EFI_RUNTIME_SERVICES_DATA:
	case EFI_CONVENTIONAL_MEMORY:
	case EFI_ACPI_RECLAIM_MEMORY:
	case EFI_ACPI_MEMORY_NVS:
	case EFI_PERSISTENT_MEMORY:
	case EFI_UNACCEPTED_MEMORY:
		return 1;
	default:
		return 0;
	}
}

int efi_mem_type_is_free_after_ebs(uint32_t type)
{
	return type == EFI_CONVENTIONAL_MEMORY || type == EFI_BOOT_SERVICES_CODE || type == EFI_BOOT_SERVICES_DATA;
}

int memmap_ram_run(const struct mm_region *r, size_t n, size_t *pos, uint64_t *start, uint64_t *end)
{
	size_t i = *pos;

	while (i < n && !efi_mem_type_is_ram(r[i].type))
		i++;
	if (i == n) {
		*pos = i;
		return 0;
	}
	*start = r[i].start;
	*end = r[i].end;
	for (i++; i < n && efi_mem_type_is_ram(r[i].type) && r[i].start == *end; i++)
		*end = r[i].end;
	*pos = i;
	return 1;
}
