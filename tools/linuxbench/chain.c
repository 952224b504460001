/* SPDX-License-Identifier: MIT */
/*
 * chain.c - a small UEFI application (gnu-efi) that starts Debian's Linux
 * for `make bench` the way a boot loader would, and stamps the TSC at the
 * hand-over, so the Linux boot timeline has the same origin as Atlas's
 * (the first instruction of the EFI image the firmware starts).
 *
 * It runs as \EFI\BOOT\BOOTX64.EFI on the removable-media path (OVMF passes
 * it no LoadOptions, and needs none):
 *   1. LoadImage(\vmlinuz) from its own volume (not timed in the timeline);
 *   2. reads the kernel command line from \cmdline.txt (ASCII, one line);
 *   3. takes the TSC, appends " bench_tsc_start=TSC" (the kernel hands an
 *      unknown key=value word to /init's environment), sets the result as the
 *      kernel image's LoadOptions (UCS-2), and calls StartImage: Linux's EFI
 *      stub runs next, and reads initrd= from those LoadOptions.
 * Its own stamps go to the console first: "CHAIN tsc_entry=... ".
 */
#include <efi.h>
#include <efilib.h>

#define CMDLINE_MAX 1024

static inline UINT64 rdtsc(void)
{
	UINT32 lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi)::"memory");
	return ((UINT64)hi << 32) | lo;
}

static CHAR16 cmdline[CMDLINE_MAX + 32];
static CHAR8 ascii[CMDLINE_MAX];

/* efi_main is called by gnu-efi's crt0 with the SysV ABI (see the Makefile's EFI_CFLAGS). */
EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	UINT64 t_entry = rdtsc(), t_load, t_loaded, t_start;
	EFI_LOADED_IMAGE *self, *kernel_li;
	EFI_DEVICE_PATH *path;
	EFI_HANDLE kernel = NULL;
	EFI_FILE_HANDLE root, f;
	EFI_STATUS s;
	UINTN n = sizeof(ascii) - 1, len = 0;
	char digits[24];
	int nd = 0;

	InitializeLib(image, systab);
	s = BS->HandleProtocol(image, &LoadedImageProtocol, (void **)&self);
	if (EFI_ERROR(s)) {
		Print(L"CHAIN error: no LoadedImage protocol: %r\n", s);
		return s;
	}
	root = LibOpenRoot(self->DeviceHandle);
	if (!root) {
		Print(L"CHAIN error: cannot open the boot volume\n");
		return EFI_NOT_FOUND;
	}
	s = root->Open(root, &f, L"\\cmdline.txt", EFI_FILE_MODE_READ, 0);
	if (EFI_ERROR(s)) {
		Print(L"CHAIN error: cannot open \\cmdline.txt: %r\n", s);
		return s;
	}
	s = f->Read(f, &n, ascii);
	f->Close(f);
	if (EFI_ERROR(s))
		return s;
	for (UINTN i = 0; i < n && ascii[i] && ascii[i] != '\r' && ascii[i] != '\n'; i++)
		cmdline[len++] = ascii[i];

	path = FileDevicePath(self->DeviceHandle, L"\\vmlinuz");
	t_load = rdtsc();
	s = BS->LoadImage(FALSE, image, path, NULL, 0, &kernel);
	t_loaded = rdtsc();
	if (EFI_ERROR(s)) {
		Print(L"CHAIN error: LoadImage(\\vmlinuz): %r\n", s);
		return s;
	}
	s = BS->HandleProtocol(kernel, &LoadedImageProtocol, (void **)&kernel_li);
	if (EFI_ERROR(s))
		return s;
	Print(L"CHAIN tsc_entry=%ld tsc_loadimage=%ld tsc_loaded=%ld\n", t_entry, t_load, t_loaded);

	/* From here to StartImage: formatting a number and three stores. */
	t_start = rdtsc();
	for (UINT64 v = t_start; v || !nd; v /= 10)
		digits[nd++] = (char)('0' + v % 10);
	for (const char *w = " bench_tsc_start="; *w; w++)
		cmdline[len++] = (CHAR16)*w;
	while (nd)
		cmdline[len++] = (CHAR16)digits[--nd];
	cmdline[len] = 0;
	kernel_li->LoadOptions = cmdline;
	kernel_li->LoadOptionsSize = (UINT32)((len + 1) * sizeof(CHAR16));
	s = BS->StartImage(kernel, NULL, NULL);
	Print(L"CHAIN error: StartImage returned %r\n", s);
	return s;
}
