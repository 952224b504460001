/* SPDX-License-Identifier: MIT */
/*
 * boot_info.h - everything efi/ learned from the firmware, handed to the
 * kernel in one structure.
 *
 * efi/ fills it before ExitBootServices (the memory map last, in place) and
 * passes its physical address in %rdi to kernel_entry. All addresses here are
 * physical unless named *_virt; the kernel reaches them through the direct
 * map. Nothing in it points into boot-services memory.
 */
#ifndef ATLAS_BOOT_INFO_H
#define ATLAS_BOOT_INFO_H

#include <stdint.h>

#include "options.h"

#define BOOT_INFO_MAGIC 0x4F464E4953414C54ULL /* "TLASINFO" */
#define BOOT_INFO_VERSION 3

/* Pixel formats, after UEFI's EFI_GRAPHICS_PIXEL_FORMAT. */
enum fb_format { FB_NONE = 0, FB_RGBX, FB_BGRX, FB_BITMASK };

struct boot_fb {
	uint64_t base; /* physical; 0 when there is no linear framebuffer */
	uint64_t size;
	uint32_t width, height;
	uint32_t pitch_pixels; /* PixelsPerScanLine: may exceed width */
	uint32_t format;       /* enum fb_format */
	uint32_t mask_r, mask_g, mask_b, mask_x;
	uint32_t gop_mode;    /* GOP mode number */
	uint32_t from_conout; /* the GOP was found on the ConOut handle */
};

/* TSC stamps, taken with rdtsc (QEMU TCG: host ticks since VM start). */
struct boot_tsc {
	uint64_t efi_entry;
	uint64_t memmap_read; /* final GetMemoryMap returned */
	uint64_t ebs_done;    /* ExitBootServices returned EFI_SUCCESS */
	uint64_t kernel_entry;
	uint64_t pagetables; /* the kernel's own tables live (kvm_init returned) */
	uint64_t first_user; /* just before the first ring-3 instruction */
	uint64_t hw_start;   /* PCI enumeration, firmware tables and the iomem tree: started... */
	uint64_t hw_done;    /* ...and reported */
};

/*
 * Sub-steps of the timeline: named TSC stamps taken in order by efi/ and
 * the kernel (boot_mark), printed as {"rec":"timeline_mark"} records just
 * before the timeline, so each step above can be split without a new field
 * per question. Marks past BOOT_MARKS_MAX are counted, not kept.
 */
#define BOOT_MARKS_MAX 64
#define BOOT_MARK_NAME 24
struct boot_mark {
	char name[BOOT_MARK_NAME]; /* "<step>.<what>", NUL-terminated */
	uint64_t tsc;
};

/* An extra program efi/ read from the boot volume (run=, \atlas\bin\). */
#define BOOT_PROGS_MAX 16
#define BOOT_PROG_PATH 96
#define BOOT_PROG_ARGS 160
struct boot_prog {
	char path[BOOT_PROG_PATH]; /* as given, e.g. "\atlas\bin\hello.elf" */
	char args[BOOT_PROG_ARGS]; /* argv[1..], space separated */
	uint64_t phys;		   /* the file's bytes (EfiLoaderData) */
	uint64_t size;
	uint32_t instances; /* run="\path*N": N copies at the same time (1..8); 1 otherwise */
	uint32_t reserved;
};

/* How efi/menu.c's pre-boot menu ended (boot_info.menu_end); the kernel names them in its menu record. */
enum boot_menu_end {
	MENU_END_OFF,	       /* menu=off: not shown */
	MENU_END_BOOT,	       /* "Boot now" (Enter on it, or 0) */
	MENU_END_ESC,	       /* Esc on the main screen */
	MENU_END_TIMEOUT,      /* menu_timeout ran out before a key */
	MENU_END_NO_CONSOLE,   /* no ConIn or ConOut to show it on */
	MENU_END_INPUT_ERROR,  /* ConIn kept failing */
	MENU_END_OUTPUT_ERROR, /* ConOut failed while drawing */
	MENU_END_COUNT
};
#define BOOT_MENU_WORDS 256
#define BOOT_SMBIOS_EP_MAX 32
#define BOOT_FWLOG 8192

/* How the menu ended, in words, for logs and records ("?" when out of range). */
static inline const char *boot_menu_end_name(uint32_t end)
{
	static const char *const names[MENU_END_COUNT] = {
		[MENU_END_OFF] = "off",
		[MENU_END_BOOT] = "boot",
		[MENU_END_ESC] = "esc",
		[MENU_END_TIMEOUT] = "timeout",
		[MENU_END_NO_CONSOLE] = "no_console",
		[MENU_END_INPUT_ERROR] = "input_error",
		[MENU_END_OUTPUT_ERROR] = "output_error",
	};

	return end < MENU_END_COUNT ? names[end] : "?";
}

/* Where the ring-3 test suite travels, next to the initramfs (tools/mkesp.sh puts it there). */
#define BOOT_SUITE_PATH "\\atlas\\suite.bin"
#define BOOT_SUITE_MAX (64ULL << 20)

struct boot_info {
	uint64_t magic;
	uint32_t version;
	uint32_t size; /* sizeof(struct boot_info) as efi/ built it */

	/* Raw firmware memory map, exactly as the final GetMemoryMap wrote it. */
	uint64_t memmap;      /* physical address of the buffer */
	uint64_t memmap_size; /* bytes used */
	uint64_t memmap_cap;  /* bytes allocated */
	uint64_t desc_size;
	uint32_t desc_version;
	uint32_t ebs_tries; /* ExitBootServices calls until EFI_SUCCESS */

	/* The .efi image as the firmware loaded it. */
	uint64_t efi_image_base;
	uint64_t efi_image_size;

	/* The kernel image: copied by efi/ to kernel_phys, linked at kernel_virt. */
	uint64_t kernel_phys;
	uint64_t kernel_virt;
	uint64_t kernel_size; /* bytes from kernel_virt to the end of .bss */

	/* Page tables efi/ built; the pool they came from (EfiLoaderData). */
	uint64_t fw_cr3;    /* CR3 the firmware ran on */
	uint64_t atlas_cr3; /* CR3 efi/ switched to */
	uint64_t pt_pool;
	uint64_t pt_pool_pages;
	uint64_t pt_pool_used;

	/* The boot stack (EfiLoaderData), mapped at KSTACK_BOTTOM(KSTACK_BOOT_SLOT). */
	uint64_t boot_stack_phys;

	/* Where the identity-mapped hand-off page sits; the kernel unmaps it. */
	uint64_t trampoline_phys;

	/* ACPI */
	uint64_t rsdp;	       /* 0 when the firmware published none */
	uint32_t rsdp_version; /* 2 (ACPI 2.0+ GUID) or 1 */
	uint32_t pad0;

	/* UEFI runtime services table (physical), for issue-3's runtime calls. */
	uint64_t runtime_services;
	uint64_t system_table;
	uint64_t rt_reset_system; /* RuntimeServices->ResetSystem (physical: no SetVirtualAddressMap) */
	/*
	 * A copy of the firmware's EFI_MEMORY_ATTRIBUTES_TABLE (UEFI 2.10 4.6.4),
	 * made before ExitBootServices: header then descriptors. 0 when the
	 * firmware publishes none.
	 */
	uint64_t mat;
	uint64_t mat_size;

	struct boot_fb fb;
	struct boot_tsc tsc;
	struct options opts;

	/* Firmware identity, ASCII (converted from UCS-2). */
	char fw_vendor[64];
	uint32_t fw_revision;
	uint32_t uefi_revision;

	/* Words from LoadOptions and atlas.cfg as received, for the report. */
	char cmdline[1024];
	char cfgfile[512];
	char warnings[1024]; /* every firmware-stage warning (efi_warn), one per line */
	/* The pre-boot menu: the words it appended to the options (later words win), and how it ended. */
	char menu_words[BOOT_MENU_WORDS];
	uint32_t menu_end; /* enum boot_menu_end */
	uint32_t pad1;
	struct boot_prog progs[BOOT_PROGS_MAX];
	uint32_t nprogs;
	uint32_t option_warnings;
	uint32_t conout_has_serial; /* ConOut already mirrors to a UART */
	uint32_t ap_init_sent;	    /* efi/ sent INIT to all other processors after ExitBootServices */
	/* The wall clock: seconds since 1970 (UTC) at TSC value clock_tsc, from GetTime; 0 when it failed. */
	int64_t clock_epoch;
	uint64_t clock_tsc;
	int32_t clock_tz;      /* EFI_TIME.TimeZone as read (minutes; 2047: unspecified, taken as UTC) */
	uint32_t clock_status; /* EFI_STATUS of GetTime, truncated */
	/* The initramfs efi/ read (initrd=, \atlas\initrd.cpio): physical address and size, 0 without. */
	uint64_t initrd_phys, initrd_size;
	char initrd_path[96];
	/*
	 * The ring-3 test suite (include/suitefile.h) efi/ read from BOOT_SUITE_PATH
	 * into EfiLoaderData, kept for the boot; size 0 when it was not read, and
	 * suite_error then says why ("not found", an EFI status in words).
	 */
	uint64_t suite_phys, suite_size;
	char suite_error[48];

	/*
	 * SMBIOS (efi/hwfiles.c): the entry point as the configuration table
	 * gives it (the 3.0 one when both exist), copied, and a copy of the
	 * structure table it points at in EfiLoaderData. 0: none published.
	 */
	uint64_t smbios_ep_phys;
	uint8_t smbios_ep[BOOT_SMBIOS_EP_MAX];
	uint64_t smbios_table; /* the copy */
	uint64_t smbios_table_len;
	/* \atlas\pci.ids from the boot volume, in EfiLoaderData; 0 when absent. */
	uint64_t pciids;
	uint64_t pciids_size;
	/*
	 * What the firmware stage printed (efi_log, efi_warn), NUL-terminated,
	 * cut at BOOT_FWLOG - 1 bytes: the kernel puts it at the top of the
	 * console log and the screen, so the scrollback starts where the run did.
	 */
	uint32_t fwlog_cut;   /* bytes that did not fit */
	uint32_t fw_warnings; /* efi_warn calls (bi->warnings may not hold them all) */
	char fwlog[BOOT_FWLOG];
	uint32_t nmarks;     /* marks[] in use */
	uint32_t marks_lost; /* boot_mark calls that found marks[] full */
	struct boot_mark marks[BOOT_MARKS_MAX];
};

/* Stamp a timeline sub-step (tsc from rdtsc()); b may be NULL (no boot_info yet). */
static inline void boot_mark(struct boot_info *b, const char *name, uint64_t tsc)
{
	struct boot_mark *m;
	unsigned i;

	if (!b)
		return;
	if (b->nmarks >= BOOT_MARKS_MAX) {
		b->marks_lost++;
		return;
	}
	m = &b->marks[b->nmarks++];
	for (i = 0; i + 1 < BOOT_MARK_NAME && name[i]; i++)
		m->name[i] = name[i];
	m->name[i] = 0;
	m->tsc = tsc;
}

#endif
