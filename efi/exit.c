/* SPDX-License-Identifier: MIT */
/*
 * exit.c - the last firmware calls: GetMemoryMap and ExitBootServices.
 *
 * ExitBootServices fails with EFI_INVALID_PARAMETER when the map changed
 * since the key was read; anything that allocates, even a Print, changes it,
 * and some firmware changes it behind our back (timer events). So between
 * the final GetMemoryMap and ExitBootServices nothing is allocated or
 * printed, and on EFI_INVALID_PARAMETER the map is re-read into the same
 * buffer (the only calls UEFI <= 2.8 still permits then) and EBS retried, a
 * bounded number of times. The buffer is boot_info's, sized earlier with
 * room to spare, so the final map lands where the kernel will read it.
 */
#include "efi.h"
#include "memlayout.h"
#include "x86.h"

#define EBS_MAX_TRIES 64

EFI_STATUS efi_exit_boot_services(struct boot_info *bi, unsigned stale_tries)
{
	struct efi_map m = { .buf = bi->memmap, .cap = bi->memmap_cap };
	EFI_STATUS s = EFI_INVALID_PARAMETER;
	unsigned tries;

	for (tries = 1; tries <= EBS_MAX_TRIES; tries++) {
		s = efi_map_read(&m);
		if (s != EFI_SUCCESS)
			break;
		bi->tsc.memmap_read = rdtsc();
		/* Lab-bench option ebs_stale=N: hand the firmware a stale key N times. */
		s = efi_bs->ExitBootServices(efi_image, tries <= stale_tries ? m.key - 1 : m.key);
		if (s != EFI_INVALID_PARAMETER)
			break;
	}
	bi->ebs_tries = tries > EBS_MAX_TRIES ? EBS_MAX_TRIES : tries;
	if (s == EFI_SUCCESS) {
		bi->memmap_size = m.size;
		bi->desc_size = m.desc_size;
		bi->desc_version = m.desc_version;
	}
	return s;
}
