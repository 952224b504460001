/* SPDX-License-Identifier: MIT */
/*
 * loadopts.c - where options come from: \atlas.cfg on the volume Atlas was
 * loaded from, then the image's LoadOptions (the UEFI shell's command line or
 * a boot entry's optional data), which win. OVMF's removable-media path
 * passes no LoadOptions at all, so atlas.cfg is the only source there.
 */
#include "efi.h"
#include "kprintf.h"
#include "kstring.h"

#define CFG_MAX 4096

void efi_option_warning(void *ctx, const char *msg)
{
	struct boot_info *bi = ctx;

	/* efi_warn keeps the text in bi->warnings for the menu and the kernel's report. */
	efi_warn("%s\n", msg);
	bi->option_warnings++;
}

/* Read \atlas.cfg into buf; returns its length, or -1 when there is none. */
static long read_cfg(EFI_LOADED_IMAGE *li, char *buf, UINTN cap)
{
	EFI_FILE_PROTOCOL *root, *f;
	EFI_STATUS s;
	UINTN n = cap;
	CHAR8 extra;
	UINTN one = 1;

	root = efi_open_root(li, "atlas.cfg");
	if (!root)
		return -1;
	s = root->Open(root, &f, L"\\atlas.cfg", EFI_FILE_MODE_READ, 0);
	if (s != EFI_SUCCESS) {
		if (s != EFI_NOT_FOUND)
			efi_warn("atlas.cfg: cannot open: %s\n", efi_status_str(s));
		root->Close(root);
		return -1;
	}
	s = f->Read(f, &n, buf);
	if (s == EFI_SUCCESS && n == cap && f->Read(f, &one, &extra) == EFI_SUCCESS && one == 1)
		efi_warn("atlas.cfg: longer than %u bytes; the rest is ignored\n", (unsigned)cap);
	f->Close(f);
	root->Close(root);
	if (s != EFI_SUCCESS) {
		efi_warn("atlas.cfg: read failed: %s\n", efi_status_str(s));
		return -1;
	}
	return (long)n;
}

/*
 * LoadOptions are whatever the loader put there: UCS-2 text from the shell or
 * a boot entry, sometimes ASCII, sometimes binary. Returns the ASCII length
 * in out, or -1 when the bytes are not text.
 */
static long load_options_text(const void *data, UINT32 size, char *out, size_t cap)
{
	const uint8_t *b = data;
	size_t n = 0;
	int ucs2 = size >= 2 && !(size & 1);

	for (UINT32 i = 1; ucs2 && i < size; i += 2)
		if (b[i] != 0)
			ucs2 = 0;
	if (ucs2) {
		for (UINT32 i = 0; i + 1 < size && n + 1 < cap; i += 2) {
			if (!b[i])
				break;
			out[n++] = b[i] < 0x80 ? (char)b[i] : '?';
		}
	} else {
		for (UINT32 i = 0; i < size && n + 1 < cap; i++) {
			if (!b[i])
				break;
			if (b[i] < 0x09 || b[i] >= 0x7F)
				return -1;
			out[n++] = (char)b[i];
		}
	}
	out[n] = 0;
	return (long)n;
}

void efi_load_options(struct boot_info *bi, EFI_LOADED_IMAGE *li)
{
	static char cfg[CFG_MAX];
	long n;

	options_defaults(&bi->opts);
	n = read_cfg(li, cfg, sizeof(cfg));
	if (n >= 0) {
		kstrlcpy(bi->cfgfile, cfg, n + 1 < (long)sizeof(bi->cfgfile) ? (size_t)n + 1 : sizeof(bi->cfgfile));
		options_parse(&bi->opts, cfg, (size_t)n, "atlas.cfg", 0, efi_option_warning, bi);
	}
	if (li->LoadOptions && li->LoadOptionsSize) {
		n = load_options_text(li->LoadOptions, li->LoadOptionsSize, bi->cmdline, sizeof(bi->cmdline));
		if (n < 0) {
			efi_warn("LoadOptions: %u bytes that are not text; ignored\n", (unsigned)li->LoadOptionsSize);
			bi->cmdline[0] = 0;
		} else {
			options_parse(&bi->opts, bi->cmdline, (size_t)n, "command line", 1, efi_option_warning, bi);
		}
	}
}
