/* SPDX-License-Identifier: MIT */
/*
 * getmemmap.c - GetMemoryMap, the one way efi/ reads the firmware's map: a
 * size query, a buffer with room for the descriptors that allocating it (and
 * what follows) will add, and reads into that buffer. main.c sizes the map
 * boot_info carries, vm.c takes a copy to build the page tables from, and
 * exit.c reads the final map into boot_info's buffer.
 */
#include "efi.h"
#include "memlayout.h"

EFI_STATUS efi_map_alloc(struct efi_map *m, unsigned slack_descs, const char *what)
{
	UINTN size = 0, key, dsize = 0;
	UINT32 dver;
	EFI_STATUS s = efi_bs->GetMemoryMap(&size, NULL, &key, &dsize, &dver);
	uint64_t pages;

	if (s != EFI_BUFFER_TOO_SMALL || dsize < sizeof(EFI_MEMORY_DESCRIPTOR)) {
		efi_warn("GetMemoryMap(size query) returned %s, DescriptorSize %u\n", efi_status_str(s),
			 (unsigned)dsize);
		return s == EFI_BUFFER_TOO_SMALL || s == EFI_SUCCESS ? EFI_DEVICE_ERROR : s;
	}
	pages = ALIGN_UP(size + slack_descs * dsize, PAGE_SIZE) >> PAGE_SHIFT;
	m->buf = efi_alloc_pages(pages, what);
	if (!m->buf)
		return EFI_OUT_OF_RESOURCES;
	m->cap = pages << PAGE_SHIFT;
	m->size = 0;
	m->desc_size = dsize;
	return EFI_SUCCESS;
}

EFI_STATUS efi_map_read(struct efi_map *m)
{
	UINTN size = m->cap, key = 0, dsize = 0;
	UINT32 dver = 0;
	EFI_STATUS s = efi_bs->GetMemoryMap(&size, (EFI_MEMORY_DESCRIPTOR *)(uintptr_t)m->buf, &key, &dsize, &dver);

	if (s == EFI_SUCCESS) {
		m->size = size;
		m->key = key;
		m->desc_size = dsize;
		m->desc_version = dver;
	}
	return s;
}
