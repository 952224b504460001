/* SPDX-License-Identifier: MIT */
/*
 * sysinfo.c - facts the kernel cannot ask for after ExitBootServices:
 * the ACPI RSDP, the GOP framebuffer, the firmware's identity, and whether
 * ConOut already reaches a UART.
 */
#include "efi.h"
#include "kstring.h"

void efi_find_rsdp(struct boot_info *bi)
{
	EFI_GUID acpi20 = ACPI_20_TABLE_GUID, acpi10 = ACPI_TABLE_GUID;
	EFI_CONFIGURATION_TABLE *t = efi_st->ConfigurationTable;

	/* ACPI 2.0+ (XSDT) first: a firmware may publish both. */
	for (UINTN i = 0; i < efi_st->NumberOfTableEntries; i++) {
		if (!memcmp(&t[i].VendorGuid, &acpi20, sizeof(EFI_GUID))) {
			bi->rsdp = (uint64_t)(uintptr_t)t[i].VendorTable;
			bi->rsdp_version = 2;
			return;
		}
	}
	for (UINTN i = 0; i < efi_st->NumberOfTableEntries; i++) {
		if (!memcmp(&t[i].VendorGuid, &acpi10, sizeof(EFI_GUID))) {
			bi->rsdp = (uint64_t)(uintptr_t)t[i].VendorTable;
			bi->rsdp_version = 1;
			return;
		}
	}
	efi_warn("no ACPI RSDP in the configuration table\n");
}

/* EFI_MEMORY_ATTRIBUTES_TABLE_GUID (UEFI 2.10 4.6.4); gnu-efi 3.0.15 does not define it. */
#define ATLAS_MAT_GUID                                                 \
	{                                                              \
		0xdcfa911d, 0x26eb, 0x469f,                            \
		{                                                      \
			0xa2, 0x20, 0x38, 0xb7, 0xdc, 0x46, 0x12, 0x20 \
		}                                                      \
	}
#define MAT_HEADER_SIZE 16
#define MAT_MAX_BYTES (64 * 1024)

/*
 * The Memory Attributes Table says which parts of the runtime images are
 * code (RO) and which are data (XP). It lives in boot-services memory on some
 * firmware, so it is copied into loader data that survives ExitBootServices.
 */
void efi_copy_mat(struct boot_info *bi)
{
	EFI_GUID mat_guid = ATLAS_MAT_GUID;
	EFI_CONFIGURATION_TABLE *t = efi_st->ConfigurationTable;

	for (UINTN i = 0; i < efi_st->NumberOfTableEntries; i++) {
		const UINT32 *hdr;
		uint64_t size, copy;

		if (memcmp(&t[i].VendorGuid, &mat_guid, sizeof(EFI_GUID)))
			continue;
		hdr = t[i].VendorTable;
		/* Version, NumberOfEntries, DescriptorSize, Reserved/Flags. */
		size = MAT_HEADER_SIZE + (uint64_t)hdr[1] * hdr[2];
		if (hdr[2] < sizeof(EFI_MEMORY_DESCRIPTOR) || size > MAT_MAX_BYTES) {
			efi_warn("Memory Attributes Table: %u entries of %u bytes is not plausible; ignored\n", hdr[1],
				 hdr[2]);
			return;
		}
		copy = efi_alloc_pages((size + 4095) >> 12, "the Memory Attributes Table");
		if (!copy)
			return;
		memcpy((void *)(uintptr_t)copy, hdr, size);
		bi->mat = copy;
		bi->mat_size = size;
		return;
	}
}

void efi_find_framebuffer(struct boot_info *bi)
{
	EFI_GUID gop_guid = EFI_GRAPHICS_OUTPUT_PROTOCOL_GUID;
	EFI_GRAPHICS_OUTPUT_PROTOCOL *gop = NULL;
	EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *info;
	struct boot_fb *fb = &bi->fb;

	/* Several GOPs may sit behind the console splitter: prefer ConOut's own. */
	if (efi_bs->HandleProtocol(efi_st->ConsoleOutHandle, &gop_guid, (void **)&gop) == EFI_SUCCESS && gop)
		fb->from_conout = 1;
	else if (efi_bs->LocateProtocol(&gop_guid, NULL, (void **)&gop) != EFI_SUCCESS)
		gop = NULL;
	if (!gop || !gop->Mode || !gop->Mode->Info) {
		efi_log("GOP: none; no framebuffer\n");
		return;
	}
	info = gop->Mode->Info;
	fb->gop_mode = gop->Mode->Mode;
	fb->width = info->HorizontalResolution;
	fb->height = info->VerticalResolution;
	fb->pitch_pixels = info->PixelsPerScanLine;
	switch (info->PixelFormat) {
	case PixelRedGreenBlueReserved8BitPerColor:
		fb->format = FB_RGBX;
		break;
	case PixelBlueGreenRedReserved8BitPerColor:
		fb->format = FB_BGRX;
		break;
	case PixelBitMask:
		fb->format = FB_BITMASK;
		fb->mask_r = info->PixelInformation.RedMask;
		fb->mask_g = info->PixelInformation.GreenMask;
		fb->mask_b = info->PixelInformation.BlueMask;
		fb->mask_x = info->PixelInformation.ReservedMask;
		break;
	default:
		/* PixelBltOnly: the mode exists but there is no linear framebuffer. */
		fb->format = FB_NONE;
		efi_log("GOP: mode %u is BltOnly; no framebuffer\n", fb->gop_mode);
		return;
	}
	fb->base = gop->Mode->FrameBufferBase;
	fb->size = gop->Mode->FrameBufferSize;
}

void efi_read_fw_identity(struct boot_info *bi)
{
	const CHAR16 *v = efi_st->FirmwareVendor;
	size_t n = 0;

	while (v && v[n] && n + 1 < sizeof(bi->fw_vendor)) {
		bi->fw_vendor[n] = v[n] < 0x80 ? (char)v[n] : '?';
		n++;
	}
	bi->fw_vendor[n] = 0;
	bi->fw_revision = efi_st->FirmwareRevision;
	bi->uefi_revision = efi_st->Hdr.Revision;
	bi->system_table = (uint64_t)(uintptr_t)efi_st;
	bi->runtime_services = (uint64_t)(uintptr_t)efi_st->RuntimeServices;
	if (efi_st->RuntimeServices)
		bi->rt_reset_system = (uint64_t)(uintptr_t)efi_st->RuntimeServices->ResetSystem;
}

/* True when some handle carrying SimpleTextOut has a UART node in its path. */
int efi_conout_has_uart(void)
{
	EFI_GUID txt = EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL_GUID, dp_guid = EFI_DEVICE_PATH_PROTOCOL_GUID;
	EFI_HANDLE *h = NULL;
	UINTN count = 0;
	int found = 0;

	if (efi_bs->LocateHandleBuffer(ByProtocol, &txt, NULL, &count, &h) != EFI_SUCCESS)
		return 0;
	for (UINTN i = 0; i < count && !found; i++) {
		EFI_DEVICE_PATH_PROTOCOL *dp;

		if (efi_bs->HandleProtocol(h[i], &dp_guid, (void **)&dp) != EFI_SUCCESS)
			continue;
		/* Walk the nodes; a bounded count guards against a malformed path. */
		for (int k = 0; k < 64 && dp && dp->Type != END_DEVICE_PATH_TYPE; k++) {
			UINT16 len = dp->Length[0] | (dp->Length[1] << 8);
			if (dp->Type == MESSAGING_DEVICE_PATH && dp->SubType == MSG_UART_DP) {
				found = 1;
				break;
			}
			if (len < 4)
				break;
			dp = (EFI_DEVICE_PATH_PROTOCOL *)((UINT8 *)dp + len);
		}
	}
	efi_bs->FreePool(h);
	return found;
}
