/* SPDX-License-Identifier: MIT */
/*
 * files.c - reading files from the volume atlas.efi was loaded from
 * (SimpleFileSystem on the LoadedImage's DeviceHandle).
 */
#include "efi.h"
#include "kstring.h"
#include "memlayout.h"

#define PATH16_MAX 128

EFI_FILE_PROTOCOL *efi_open_root(EFI_LOADED_IMAGE *li, const char *what)
{
	EFI_GUID fs_guid = EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_GUID;
	EFI_SIMPLE_FILE_SYSTEM_PROTOCOL *fs;
	EFI_FILE_PROTOCOL *root;
	EFI_STATUS s;

	s = efi_bs->HandleProtocol(li->DeviceHandle, &fs_guid, (void **)&fs);
	if (s != EFI_SUCCESS) {
		efi_log("%s: the boot device has no file system (%s)\n", what, efi_status_str(s));
		return NULL;
	}
	s = fs->OpenVolume(fs, &root);
	if (s != EFI_SUCCESS) {
		efi_warn("%s: cannot open the boot volume: %s\n", what, efi_status_str(s));
		return NULL;
	}
	return root;
}

EFI_STATUS efi_read_file(EFI_FILE_PROTOCOL *root, const char *path, uint64_t max, uint64_t *phys, uint64_t *size)
{
	EFI_GUID info_guid = EFI_FILE_INFO_ID;
	CHAR16 p16[PATH16_MAX];
	union {
		EFI_FILE_INFO info;
		uint8_t raw[sizeof(EFI_FILE_INFO) + PATH16_MAX * sizeof(CHAR16)];
	} u;
	UINTN isize = sizeof(u), n;
	EFI_FILE_PROTOCOL *f;
	EFI_STATUS s;
	size_t i;

	for (i = 0; path[i] && i + 1 < PATH16_MAX; i++)
		p16[i] = path[i] == '/' ? L'\\' : (CHAR16)(unsigned char)path[i];
	p16[i] = 0;
	if (path[i])
		return EFI_INVALID_PARAMETER;
	s = root->Open(root, &f, p16, EFI_FILE_MODE_READ, 0);
	if (s != EFI_SUCCESS)
		return s;
	s = f->GetInfo(f, &info_guid, &isize, &u.info);
	if (s == EFI_SUCCESS && (u.info.Attribute & EFI_FILE_DIRECTORY))
		s = EFI_INVALID_PARAMETER;
	if (s == EFI_SUCCESS && (u.info.FileSize == 0 || u.info.FileSize > max))
		s = EFI_BAD_BUFFER_SIZE;
	if (s == EFI_SUCCESS) {
		*size = u.info.FileSize;
		/* Read() fills all but the last page's tail: zero only that (13 MiB of rep stosq is ms under TCG). */
		*phys = efi_alloc_pages_dirty(ALIGN_UP(*size, PAGE_SIZE) >> PAGE_SHIFT, path);
		if (*phys)
			memset((void *)(uintptr_t)(*phys + *size), 0, ALIGN_UP(*size, PAGE_SIZE) - *size);
		n = *size;
		s = *phys ? f->Read(f, &n, (void *)(uintptr_t)*phys) : EFI_OUT_OF_RESOURCES;
		if (s == EFI_SUCCESS && n != *size)
			s = EFI_END_OF_FILE;
		if (s != EFI_SUCCESS && *phys)
			efi_bs->FreePages(*phys, ALIGN_UP(*size, PAGE_SIZE) >> PAGE_SHIFT);
	}
	f->Close(f);
	return s;
}
