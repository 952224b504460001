/* SPDX-License-Identifier: MIT */
/*
 * suite.c - the ring-3 test suite (include/suitefile.h) travels beside the
 * image, as the initramfs does: read from BOOT_SUITE_PATH on the boot volume
 * before ExitBootServices into loader memory, which the kernel keeps and
 * reads through the direct map. Nothing is checked here but the read: the
 * kernel validates the file and says, in one warning, why the suite does not
 * run when it is missing, unreadable or damaged.
 */
#include "efi.h"
#include "kprintf.h"
#include "kstring.h"

void efi_load_suite(struct boot_info *bi, EFI_LOADED_IMAGE *li)
{
	EFI_FILE_PROTOCOL *root = efi_open_root(li, "suite");
	EFI_STATUS s;

	bi->suite_phys = bi->suite_size = 0;
	if (!root) {
		kstrlcpy(bi->suite_error, "the boot volume cannot be opened", sizeof(bi->suite_error));
		return;
	}
	s = efi_read_file(root, BOOT_SUITE_PATH, BOOT_SUITE_MAX, &bi->suite_phys, &bi->suite_size);
	root->Close(root);
	if (s == EFI_SUCCESS) {
		efi_log("Atlas: test suite %s: %llu KiB at 0x%llx\n", BOOT_SUITE_PATH,
			(unsigned long long)bi->suite_size >> 10, (unsigned long long)bi->suite_phys);
		return;
	}
	bi->suite_phys = bi->suite_size = 0;
	if (s == EFI_NOT_FOUND)
		kstrlcpy(bi->suite_error, "not on the boot volume", sizeof(bi->suite_error));
	else
		ksnprintf(bi->suite_error, sizeof(bi->suite_error), "cannot be read: %s%s", efi_status_str(s),
			  s == EFI_BAD_BUFFER_SIZE ? " (empty, or too large)" : "");
	efi_log("Atlas: test suite %s: %s\n", BOOT_SUITE_PATH, bi->suite_error);
}
