/* SPDX-License-Identifier: MIT */
/*
 * initrd.c - the initramfs: a newc cpio archive on the boot volume
 * (initrd=\PATH, by default \atlas\initrd.cpio when there is one), read
 * before ExitBootServices into loader memory the kernel unpacks into its RAM
 * root file system and then frees. A named file that cannot be read is a
 * warning; a missing default is only said in the log.
 */
#include "efi.h"
#include "kprintf.h"
#include "kstring.h"

#define INITRD_DEFAULT "\\atlas\\initrd.cpio"
#define INITRD_MAX (1ULL << 30)

void efi_load_initrd(struct boot_info *bi, EFI_LOADED_IMAGE *li)
{
	const char *path = bi->opts.initrd[0] ? bi->opts.initrd : INITRD_DEFAULT;
	EFI_FILE_PROTOCOL *root = efi_open_root(li, "initrd");
	char msg[200];
	EFI_STATUS s;

	kstrlcpy(bi->initrd_path, path, sizeof(bi->initrd_path));
	if (!root)
		return;
	s = efi_read_file(root, path, INITRD_MAX, &bi->initrd_phys, &bi->initrd_size);
	root->Close(root);
	if (s == EFI_SUCCESS) {
		efi_log("Atlas: initramfs %s: %llu KiB at 0x%llx\n", path, (unsigned long long)bi->initrd_size >> 10,
			(unsigned long long)bi->initrd_phys);
		return;
	}
	bi->initrd_phys = bi->initrd_size = 0;
	if (!bi->opts.initrd[0] && s == EFI_NOT_FOUND) {
		efi_log("Atlas: no initramfs at %s: the root file system starts empty\n", path);
		return;
	}
	ksnprintf(msg, sizeof(msg), "initrd: cannot read '%s': %s%s", path, efi_status_str(s),
		  s == EFI_BAD_BUFFER_SIZE ? " (empty, or larger than 1 GiB)" : "");
	efi_option_warning(bi, msg);
}
