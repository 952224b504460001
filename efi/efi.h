/* SPDX-License-Identifier: MIT */
/*
 * efi.h - private to efi/: the only place Atlas includes gnu-efi headers.
 *
 * Calling convention: gnu-efi's crt0 calls efi_main with the SysV ABI, so
 * efi_main is a plain C function; every call into the firmware goes through
 * the EFIAPI (ms_abi) function pointers of the UEFI tables, because we build
 * with GNU_EFI_USE_MS_ABI. There is no uefi_call_wrapper anywhere.
 */
#ifndef ATLAS_EFI_EFI_H
#define ATLAS_EFI_EFI_H

#include <efi.h>

#include "boot_info.h"

/* The firmware's tables, valid until ExitBootServices. */
extern EFI_SYSTEM_TABLE *efi_st;
extern EFI_BOOT_SERVICES *efi_bs;
extern EFI_HANDLE efi_image;

/* Print to ConOut and, where ConOut does not already reach it, to the UART. */
void efi_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Same, highlighted, prefixed "atlas: warning: ". */
void efi_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * From now on keep what is logged in bi->fwlog and every warning in
 * bi->warnings (bi->fw_warnings counts them): the menu repeats the warnings,
 * the kernel's console log starts with fwlog and its report repeats them.
 */
void efi_log_attach(struct boot_info *bi);
/* Decide where efi_log goes; call once the options are known. */
void efi_log_init(struct boot_info *bi);

/* Human name of an EFI_STATUS ("EFI_INVALID_PARAMETER"). */
const char *efi_status_str(EFI_STATUS s);

/*
 * Allocate zeroed pages of EfiLoaderData anywhere. Returns the physical
 * address, or 0 on failure after logging what failed. The pages stay with
 * Atlas after ExitBootServices; the kernel decides when to reuse them.
 */
uint64_t efi_alloc_pages(uint64_t pages, const char *what);
/* The same, not zeroed: for buffers the caller fills at once (a file read over them). */
uint64_t efi_alloc_pages_dirty(uint64_t pages, const char *what);

/* efi/loadopts.c: fill bi->opts from \atlas.cfg and LoadOptions. */
void efi_load_options(struct boot_info *bi, EFI_LOADED_IMAGE *li);
/* Log a warning and keep it in bi->warnings for the kernel's report (ctx is bi). */
void efi_option_warning(void *ctx, const char *msg);

/*
 * efi/files.c: the root directory of the volume the image came from, or
 * NULL after logging why (what names the purpose). The caller closes it.
 */
EFI_FILE_PROTOCOL *efi_open_root(EFI_LOADED_IMAGE *li, const char *what);
/*
 * Read the file at path (ASCII, '\\' or '/' separators) under root into
 * fresh EfiLoaderData pages of at most max bytes. Returns EFI_SUCCESS with
 * *phys and *size, or the status of the step that failed
 * (EFI_BAD_BUFFER_SIZE: empty or larger than max).
 */
EFI_STATUS efi_read_file(EFI_FILE_PROTOCOL *root, const char *path, uint64_t max, uint64_t *phys, uint64_t *size);

/* efi/progs.c: load the run= programs and every file in \atlas\bin\ into bi->progs. */
void efi_load_programs(struct boot_info *bi, EFI_LOADED_IMAGE *li);

/*
 * efi/hwfiles.c: \atlas\pci.ids into bi->pciids (a note, not a warning,
 * when it is missing), and copies of the SMBIOS entry point and table.
 */
void efi_load_pciids(struct boot_info *bi, EFI_LOADED_IMAGE *li);
void efi_copy_smbios(struct boot_info *bi);

/* efi/sysinfo.c: RSDP, GOP framebuffer, firmware identity, console paths. */
void efi_find_rsdp(struct boot_info *bi);
void efi_copy_mat(struct boot_info *bi);
/*
 * The GOP framebuffer into bi->fb, after applying gop= (bi->opts): off does
 * nothing at all; list prints every mode first; WxH sets that mode (or warns,
 * naming the modes there are, and falls back to auto); auto keeps the current
 * mode unless it is smaller than 800x600, and then sets the largest one up to
 * 1920x1080. No GOP, or a BltOnly mode, leaves bi->fb.base 0 and says so.
 */
void efi_find_framebuffer(struct boot_info *bi);
/* A GOP mode's size, as efi_gop_sizes lists them. */
struct efi_gop_size {
	uint32_t width, height;
};
/*
 * The sizes of the GOP's modes that have a linear framebuffer (what gop=WxH
 * can pick), in mode order, each size once, at most max of them; *current is
 * the index of the mode set now, or -1. Returns how many, or -1 when there
 * is no GOP.
 */
int efi_gop_sizes(struct efi_gop_size *sizes, int max, int *current);
void efi_read_fw_identity(struct boot_info *bi);
/* The wall clock from GetTime, with the TSC at that moment, into bi (efi/clock.c). */
void efi_read_clock(struct boot_info *bi);
/* The initramfs into loader memory, its place in bi (efi/initrd.c). Problems are warnings. */
void efi_load_initrd(struct boot_info *bi, EFI_LOADED_IMAGE *li);
/* The ring-3 test suite (BOOT_SUITE_PATH) into loader memory, its place in bi (efi/suite.c); the kernel warns. */
void efi_load_suite(struct boot_info *bi, EFI_LOADED_IMAGE *li);
int efi_conout_has_uart(void);

/* efi/kernel_blob.S: the stripped kernel ELF, compressed (an ALZ1 stream without a dictionary). */
extern const uint8_t atlas_kernel_lz[], atlas_kernel_lz_end[];

/* efi/kload.c: decode the embedded kernel ELF and copy its segments to fresh pages. Returns 0 or -1 (said). */
struct kernel_image {
	uint64_t phys;	/* where the image starts (KERNEL_BASE maps here) */
	uint64_t size;	/* bytes, page aligned, .bss included */
	uint64_t entry; /* virtual entry point */
	int nseg;
	struct {
		uint64_t vaddr, memsz;
		uint32_t flags; /* ELF PF_* */
	} seg[8];
};
int efi_load_kernel(struct kernel_image *k);

/* efi/vm.c: build Atlas's first page tables. Returns 0 or a negative errno. */
int efi_build_page_tables(struct boot_info *bi, const struct kernel_image *k, uint64_t handoff_page);

/* efi/getmemmap.c: a buffer for the firmware's memory map, and what GetMemoryMap wrote into it. */
struct efi_map {
	uint64_t buf;	    /* physical (identity-mapped) address of the buffer */
	uint64_t cap;	    /* bytes allocated */
	uint64_t size;	    /* bytes of the last map read */
	uint64_t key;	    /* its MapKey, for ExitBootServices */
	uint64_t desc_size; /* DescriptorSize: step by this, never by sizeof */
	uint32_t desc_version;
};
/*
 * Ask for the map's size and allocate a buffer (EfiLoaderData, named what in
 * failure messages) holding it and slack_descs more descriptors: the
 * allocation itself, and any made before the map is read, add some. Returns
 * EFI_SUCCESS, or the failure after logging it.
 */
EFI_STATUS efi_map_alloc(struct efi_map *m, unsigned slack_descs, const char *what);
/* GetMemoryMap into m->buf (at most m->cap bytes): fills size, key, desc_size, desc_version on EFI_SUCCESS. */
EFI_STATUS efi_map_read(struct efi_map *m);

/* efi/exit.c: final GetMemoryMap + ExitBootServices with bounded retries. */
EFI_STATUS efi_exit_boot_services(struct boot_info *bi, unsigned stale_tries);

/* efi/ap.c: after ExitBootServices, INIT every other processor out of firmware code. 1 when sent. */
int efi_ap_init_all(void);

/*
 * efi/menu.c: with menu=on, the pre-boot menu on ConOut/ConIn: the test set,
 * the report mode, the GOP mode and on_finish. The choices that differ from
 * bi->opts become words parsed after atlas.cfg and LoadOptions (source
 * "menu"), kept in bi->menu_words; bi->menu_end says how it ended. Input or
 * output failures are logged and boot goes on with the options as they are.
 */
void efi_menu(struct boot_info *bi);

/* efi/handoff.S: load CR3, switch to the kernel stack, jump. Never returns. */
void atlas_handoff(uint64_t cr3, uint64_t entry, uint64_t stack_top, uint64_t boot_info_phys) __attribute__((noreturn));

#endif
