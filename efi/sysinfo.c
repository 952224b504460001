/* SPDX-License-Identifier: MIT */
/*
 * sysinfo.c - facts the kernel cannot ask for after ExitBootServices:
 * the ACPI RSDP, the GOP framebuffer (in the mode gop= picks), the
 * firmware's identity, and whether ConOut already reaches a UART.
 */
#include "efi.h"
#include "kprintf.h"
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

/* gop=auto: a mode smaller than this is "tiny" and gets replaced... */
#define GOP_TINY_W 800
#define GOP_TINY_H 600
/* ...by the largest mode up to this size. */
#define GOP_AUTO_MAX_W 1920
#define GOP_AUTO_MAX_H 1080
/*
 * "640x480, 800x600, ..." in a warning: option warnings stay under 256
 * characters (the kernel repeats them in its report), so the list is cut
 * and ends with how many more there are.
 */
#define GOP_SIZES_TEXT 160
#define GOP_SIZES_MORE 32 /* room kept for ", and 99 more (gop=list)" */

static const char *gop_format_name(EFI_GRAPHICS_PIXEL_FORMAT f)
{
	switch (f) {
	case PixelRedGreenBlueReserved8BitPerColor:
		return "RGBX";
	case PixelBlueGreenRedReserved8BitPerColor:
		return "BGRX";
	case PixelBitMask:
		return "bitmask";
	case PixelBltOnly:
		return "BltOnly (no framebuffer)";
	default:
		return "unknown format";
	}
}

/* A mode with a linear framebuffer Atlas can draw on. */
static int gop_linear(const EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *info)
{
	return info->PixelFormat == PixelRedGreenBlueReserved8BitPerColor ||
	       info->PixelFormat == PixelBlueGreenRedReserved8BitPerColor || info->PixelFormat == PixelBitMask;
}

/* QueryMode(m) into *out (a copy, so nothing is left to free); 0 on success. */
static int gop_query(EFI_GRAPHICS_OUTPUT_PROTOCOL *gop, UINT32 m, EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *out)
{
	EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *info = NULL;
	UINTN size = 0;

	if (gop->QueryMode(gop, m, &size, &info) != EFI_SUCCESS || !info)
		return -1;
	*out = *info;
	efi_bs->FreePool(info);
	return 0;
}

/* gop=list: every mode, on ConOut (and the UART). */
static void gop_list(EFI_GRAPHICS_OUTPUT_PROTOCOL *gop)
{
	EFI_GRAPHICS_OUTPUT_MODE_INFORMATION info;

	efi_log("GOP: %u modes (current: %u)\n", gop->Mode->MaxMode, gop->Mode->Mode);
	for (UINT32 m = 0; m < gop->Mode->MaxMode; m++) {
		if (gop_query(gop, m, &info)) {
			efi_log("GOP:   mode %2u: QueryMode failed\n", m);
			continue;
		}
		efi_log("GOP:   mode %2u: %ux%u %s, %u pixels per scan line%s\n", m, info.HorizontalResolution,
			info.VerticalResolution, gop_format_name(info.PixelFormat), info.PixelsPerScanLine,
			m == gop->Mode->Mode ? " (current)" : "");
	}
}

/* The first mode of exactly w x h with a linear framebuffer, or -1. */
static int gop_find(EFI_GRAPHICS_OUTPUT_PROTOCOL *gop, uint32_t w, uint32_t h)
{
	EFI_GRAPHICS_OUTPUT_MODE_INFORMATION info;

	for (UINT32 m = 0; m < gop->Mode->MaxMode; m++)
		if (!gop_query(gop, m, &info) && gop_linear(&info) && info.HorizontalResolution == w &&
		    info.VerticalResolution == h)
			return (int)m;
	return -1;
}

/*
 * gop=auto: -1 to keep the current mode, unless it is smaller than
 * GOP_TINY_W x GOP_TINY_H; then the largest linear mode up to
 * GOP_AUTO_MAX_W x GOP_AUTO_MAX_H, if it is larger than the current one.
 */
static int gop_auto(EFI_GRAPHICS_OUTPUT_PROTOCOL *gop)
{
	const EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *cur = gop->Mode->Info;
	EFI_GRAPHICS_OUTPUT_MODE_INFORMATION info;
	uint64_t best_area = (uint64_t)cur->HorizontalResolution * cur->VerticalResolution;
	int best = -1;

	if (cur->HorizontalResolution >= GOP_TINY_W && cur->VerticalResolution >= GOP_TINY_H)
		return -1;
	for (UINT32 m = 0; m < gop->Mode->MaxMode; m++) {
		uint64_t area;

		if (gop_query(gop, m, &info) || !gop_linear(&info) || info.HorizontalResolution > GOP_AUTO_MAX_W ||
		    info.VerticalResolution > GOP_AUTO_MAX_H)
			continue;
		area = (uint64_t)info.HorizontalResolution * info.VerticalResolution;
		if (area > best_area) {
			best_area = area;
			best = (int)m;
		}
	}
	return best;
}

/* "640x480, 800x600, ..." of the linear modes into buf[0..size), cut to fit with ", and N more (gop=list)". */
static void gop_sizes(EFI_GRAPHICS_OUTPUT_PROTOCOL *gop, char *buf, size_t size)
{
	EFI_GRAPHICS_OUTPUT_MODE_INFORMATION info;
	size_t used = 0;
	unsigned more = 0;

	buf[0] = 0;
	for (UINT32 m = 0; m < gop->Mode->MaxMode; m++) {
		char one[32];
		size_t n;

		if (gop_query(gop, m, &info) || !gop_linear(&info))
			continue;
		n = (size_t)ksnprintf(one, sizeof(one), "%s%ux%u", used ? ", " : "", info.HorizontalResolution,
				      info.VerticalResolution);
		if (more || used + n + GOP_SIZES_MORE >= size) {
			more++;
			continue;
		}
		memcpy(buf + used, one, n + 1);
		used += n;
	}
	if (more)
		ksnprintf(buf + used, size - used, ", and %u more (gop=list)", more);
	else if (!used)
		kstrlcpy(buf, "none with a framebuffer", size);
}

/* Apply gop=: list, pick a mode and set it when it is not the current one. */
static void gop_select(struct boot_info *bi, EFI_GRAPHICS_OUTPUT_PROTOCOL *gop)
{
	const struct options *o = &bi->opts;
	uint32_t old_w = gop->Mode->Info->HorizontalResolution, old_h = gop->Mode->Info->VerticalResolution;
	UINT32 old = gop->Mode->Mode;
	int want = -1;
	EFI_STATUS s;

	if (o->gop == GOP_LIST)
		gop_list(gop);
	if (o->gop == GOP_SIZE) {
		want = gop_find(gop, o->gop_width, o->gop_height);
		if (want < 0) {
			char sizes[GOP_SIZES_TEXT], msg[GOP_SIZES_TEXT + 96];

			gop_sizes(gop, sizes, sizeof(sizes));
			ksnprintf(msg, sizeof(msg), "gop=%ux%u: no such GOP mode (modes: %s); using gop=auto",
				  o->gop_width, o->gop_height, sizes);
			efi_option_warning(bi, msg);
		}
	}
	if (want < 0)
		want = gop_auto(gop);
	if (want < 0 || (UINT32)want == old)
		return;
	s = gop->SetMode(gop, (UINT32)want);
	if (s != EFI_SUCCESS) {
		efi_warn("GOP: SetMode(%d) failed: %s; keeping mode %u (%ux%u)\n", want, efi_status_str(s), old, old_w,
			 old_h);
		return;
	}
	efi_log("GOP: mode %u, %ux%u (was mode %u, %ux%u)\n", gop->Mode->Mode, gop->Mode->Info->HorizontalResolution,
		gop->Mode->Info->VerticalResolution, old, old_w, old_h);
}

/* The GOP to use, or NULL: several may sit behind the console splitter, so ConOut's own first. */
static EFI_GRAPHICS_OUTPUT_PROTOCOL *gop_locate(uint32_t *from_conout)
{
	EFI_GUID gop_guid = EFI_GRAPHICS_OUTPUT_PROTOCOL_GUID;
	EFI_GRAPHICS_OUTPUT_PROTOCOL *gop = NULL;

	*from_conout = 0;
	if (efi_bs->HandleProtocol(efi_st->ConsoleOutHandle, &gop_guid, (void **)&gop) == EFI_SUCCESS && gop)
		*from_conout = 1;
	else if (efi_bs->LocateProtocol(&gop_guid, NULL, (void **)&gop) != EFI_SUCCESS)
		gop = NULL;
	if (!gop || !gop->Mode || !gop->Mode->Info)
		return NULL;
	return gop;
}

int efi_gop_sizes(struct efi_gop_size *sizes, int max, int *current)
{
	EFI_GRAPHICS_OUTPUT_MODE_INFORMATION info;
	EFI_GRAPHICS_OUTPUT_PROTOCOL *gop;
	uint32_t from_conout;
	int n = 0;

	*current = -1;
	gop = gop_locate(&from_conout);
	if (!gop)
		return -1;
	for (UINT32 m = 0; m < gop->Mode->MaxMode && n < max; m++) {
		int seen = 0;

		if (gop_query(gop, m, &info) || !gop_linear(&info))
			continue;
		for (int i = 0; i < n && !seen; i++)
			seen = sizes[i].width == info.HorizontalResolution &&
			       sizes[i].height == info.VerticalResolution;
		if (seen)
			continue;
		if (m == gop->Mode->Mode)
			*current = n;
		sizes[n].width = info.HorizontalResolution;
		sizes[n].height = info.VerticalResolution;
		n++;
	}
	return n;
}

void efi_find_framebuffer(struct boot_info *bi)
{
	EFI_GRAPHICS_OUTPUT_PROTOCOL *gop;
	EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *info;
	struct boot_fb *fb = &bi->fb;

	if (bi->opts.gop == GOP_OFF) {
		efi_log("GOP: gop=off; no framebuffer\n");
		return;
	}
	gop = gop_locate(&fb->from_conout);
	if (!gop) {
		efi_log("GOP: none; no framebuffer\n");
		return;
	}
	gop_select(bi, gop);
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
