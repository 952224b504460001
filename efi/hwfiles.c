/* SPDX-License-Identifier: MIT */
/*
 * hwfiles.c - what the kernel's hardware report needs from the firmware
 * stage: Debian's pci.ids from the boot volume (\atlas\pci.ids, put there
 * by tools/mkesp.sh) and a copy of the SMBIOS tables.
 *
 * SMBIOS lives wherever the firmware put it (OVMF: runtime-services data,
 * other firmware: reserved memory the kernel's direct map does not cover),
 * so the entry point and the structure table are copied into loader data
 * that survives ExitBootServices, as the Memory Attributes Table is.
 */
#include "efi.h"
#include "fwtable.h"
#include "kstring.h"
#include "memlayout.h"

#define PCIIDS_PATH "\\atlas\\pci.ids"
#define PCIIDS_MAX (8ULL << 20) /* pci.ids is 1.3 MB in 2023 */
#define SMBIOS3_EP_LEN_OFF 6
#define SMBIOS2_EP_LEN_OFF 5
#define SMBIOS3_TABLE_OFF 16
#define SMBIOS3_MAXSIZE_OFF 12
#define SMBIOS2_TABLE_OFF 0x18
#define SMBIOS2_TABLE_LEN_OFF 0x16
#define SMBIOS_TABLE_MAX (1U << 20)

void efi_load_pciids(struct boot_info *bi, EFI_LOADED_IMAGE *li)
{
	EFI_FILE_PROTOCOL *root = efi_open_root(li, "pci.ids");
	EFI_STATUS s;

	if (!root)
		return;
	s = efi_read_file(root, PCIIDS_PATH, PCIIDS_MAX, &bi->pciids, &bi->pciids_size);
	root->Close(root);
	if (s != EFI_SUCCESS) {
		bi->pciids = bi->pciids_size = 0;
		efi_log("Atlas: no %s on the boot volume (%s); PCI devices get numbers, not names\n", PCIIDS_PATH,
			efi_status_str(s));
	}
}

void efi_copy_smbios(struct boot_info *bi)
{
	EFI_GUID g3 = SMBIOS3_TABLE_GUID, g2 = SMBIOS_TABLE_GUID;
	EFI_CONFIGURATION_TABLE *t = efi_st->ConfigurationTable;
	const uint8_t *ep = NULL;
	uint64_t table, len, copy;
	int three = 0;
	uint8_t eplen;

	/* The 3.0 entry point first: it can address a table above 4 GiB, and Linux prefers it too. */
	for (UINTN i = 0; i < efi_st->NumberOfTableEntries && !ep; i++)
		if (!memcmp(&t[i].VendorGuid, &g3, sizeof(EFI_GUID))) {
			ep = t[i].VendorTable;
			three = 1;
		}
	for (UINTN i = 0; i < efi_st->NumberOfTableEntries && !ep; i++)
		if (!memcmp(&t[i].VendorGuid, &g2, sizeof(EFI_GUID)))
			ep = t[i].VendorTable;
	if (!ep)
		return;
	eplen = ep[three ? SMBIOS3_EP_LEN_OFF : SMBIOS2_EP_LEN_OFF];
	if (eplen > BOOT_SMBIOS_EP_MAX)
		eplen = BOOT_SMBIOS_EP_MAX;
	bi->smbios_ep_phys = (uint64_t)(uintptr_t)ep;
	memcpy(bi->smbios_ep, ep, eplen);
	/* The kernel checks the entry point; here only what is needed to copy a bounded table. */
	table = three ? fw_le64(ep + SMBIOS3_TABLE_OFF) : fw_le32(ep + SMBIOS2_TABLE_OFF);
	len = three ? fw_le32(ep + SMBIOS3_MAXSIZE_OFF) :
		      (uint64_t)(ep[SMBIOS2_TABLE_LEN_OFF] | ep[SMBIOS2_TABLE_LEN_OFF + 1] << 8);
	if (!table || !len || len > SMBIOS_TABLE_MAX) {
		efi_warn("SMBIOS: table at 0x%llx of %llu bytes is not plausible; not copied\n",
			 (unsigned long long)table, (unsigned long long)len);
		return;
	}
	copy = efi_alloc_pages(ALIGN_UP(len, PAGE_SIZE) >> PAGE_SHIFT, "the SMBIOS table");
	if (!copy)
		return;
	memcpy((void *)(uintptr_t)copy, (const void *)(uintptr_t)table, len);
	bi->smbios_table = copy;
	bi->smbios_table_len = len;
}
