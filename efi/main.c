/* SPDX-License-Identifier: MIT */
/*
 * main.c - efi_main: the firmware stage, in the order things must happen.
 *
 *  1. stamp the TSC, stop the watchdog (it would reset us after 5 minutes)
 *  2. options from \atlas.cfg and LoadOptions; logging to ConOut (+ UART)
 *  3. refuse CPUs Atlas cannot run on, while we can still return cleanly;
 *     with menu=on, the pre-boot menu, whose choices join the options
 *  4. gather what only the firmware knows: RSDP, SMBIOS, GOP, firmware
 *     identity; the programs and pci.ids from the boot volume
 *  5. unpack the kernel, allocate boot_info, boot stack and map buffer
 *  6. build Atlas's page tables
 *  7. final GetMemoryMap + ExitBootServices (nothing allocated in between)
 *  8. cli, INIT the other processors out of firmware code, EFER.NXE, load
 *     CR3 and jump to the kernel on its own stack
 *
 * Any failure before step 7 logs what went wrong and returns to the
 * firmware; after it there is no way back and the kernel reports instead.
 */
#include "efi.h"
#include "kstring.h"
#include "memlayout.h"
#include "serial.h"
#include "x86.h"

EFI_SYSTEM_TABLE *efi_st;
EFI_BOOT_SERVICES *efi_bs;
EFI_HANDLE efi_image;

/* Spare descriptors for maps that grow between sizing and the final read. */
#define MEMMAP_SLACK_DESCS 32

static int cpu_supported(void)
{
	uint32_t a, b, c, d;

	cpuid(CPUID_EXT_BASE, 0, &a, &b, &c, &d);
	if (a < CPUID_EXT_FEATURES) {
		efi_warn("CPUID has no extended leaf 0x80000001: cannot check for NX\n");
		return 0;
	}
	cpuid(CPUID_EXT_FEATURES, 0, &a, &b, &c, &d);
	if (!(d & CPUID_80000001_EDX_NX)) {
		efi_warn("this CPU has no NX (execute-disable) bit; Atlas needs it for W^X\n");
		return 0;
	}
	if (read_cr4() & CR4_LA57) {
		efi_warn("the firmware left 5-level paging (CR4.LA57) on; Atlas builds 4-level tables "
			 "and cannot switch modes safely, so it stops here\n");
		return 0;
	}
	return 1;
}

/* boot_info's map buffer, with room for the descriptors our own allocations (this one too) will add. */
static int alloc_memmap(struct boot_info *bi)
{
	struct efi_map m;

	if (efi_map_alloc(&m, MEMMAP_SLACK_DESCS, "the memory map") != EFI_SUCCESS)
		return 0;
	bi->memmap = m.buf;
	bi->memmap_cap = m.cap;
	return 1;
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	uint64_t tsc0 = rdtsc();
	EFI_GUID li_guid = EFI_LOADED_IMAGE_PROTOCOL_GUID;
	EFI_LOADED_IMAGE *li;
	struct kernel_image k;
	struct boot_info *bi;
	uint64_t bi_phys, handoff_page;
	EFI_STATUS s;

	efi_st = systab;
	efi_bs = systab->BootServices;
	efi_image = image;

	efi_bs->SetWatchdogTimer(0, 0, 0, NULL);
	serial_init(COM1_PORT); /* may fail: then only ConOut hears us */

	s = efi_bs->HandleProtocol(image, &li_guid, (void **)&li);
	if (s != EFI_SUCCESS) {
		efi_warn("no LoadedImage protocol on our own handle: %s\n", efi_status_str(s));
		return s;
	}
	bi_phys = efi_alloc_pages(ALIGN_UP(sizeof(*bi), PAGE_SIZE) >> PAGE_SHIFT, "boot_info");
	if (!bi_phys)
		return EFI_OUT_OF_RESOURCES;
	bi = (struct boot_info *)(uintptr_t)bi_phys;
	bi->magic = BOOT_INFO_MAGIC;
	bi->version = BOOT_INFO_VERSION;
	bi->size = sizeof(*bi);
	bi->tsc.efi_entry = tsc0;
	bi->efi_image_base = (uint64_t)(uintptr_t)li->ImageBase;
	bi->efi_image_size = li->ImageSize;
	bi->fw_cr3 = read_cr3();
	efi_log_attach(bi);
	boot_mark(bi, "efi.boot_info", rdtsc());

	efi_load_options(bi, li);
	efi_log_init(bi);
	efi_read_fw_identity(bi);
	boot_mark(bi, "efi.options", rdtsc());
	efi_log("Atlas: firmware stage; %s rev 0x%x, UEFI %u.%u; image at 0x%llx (%llu KiB)\n", bi->fw_vendor,
		bi->fw_revision, bi->uefi_revision >> 16, (bi->uefi_revision & 0xffff) / 10,
		(unsigned long long)bi->efi_image_base, (unsigned long long)bi->efi_image_size >> 10);

	if (!cpu_supported())
		return EFI_UNSUPPORTED;
	efi_menu(bi);
	boot_mark(bi, "efi.menu", rdtsc());
	efi_find_rsdp(bi);
	efi_copy_mat(bi);
	efi_copy_smbios(bi);
	efi_find_framebuffer(bi);
	boot_mark(bi, "efi.tables_gop", rdtsc());

	efi_read_clock(bi);
	efi_load_programs(bi, li);
	boot_mark(bi, "efi.programs", rdtsc());
	efi_load_initrd(bi, li);
	boot_mark(bi, "efi.initrd", rdtsc());
	efi_load_suite(bi, li);
	boot_mark(bi, "efi.suite", rdtsc());
	efi_load_pciids(bi, li);
	boot_mark(bi, "efi.pciids", rdtsc());
	if (efi_load_kernel(&k))
		return EFI_LOAD_ERROR;
	boot_mark(bi, "efi.kernel", rdtsc());
	bi->kernel_phys = k.phys;
	bi->kernel_virt = KERNEL_BASE;
	bi->kernel_size = k.size;
	bi->boot_stack_phys = efi_alloc_pages(KSTACK_SIZE >> PAGE_SHIFT, "the boot stack");
	if (!bi->boot_stack_phys)
		return EFI_OUT_OF_RESOURCES;
	handoff_page = ALIGN_DOWN((uint64_t)(uintptr_t)atlas_handoff, PAGE_SIZE);
	bi->trampoline_phys = handoff_page;
	if (efi_build_page_tables(bi, &k, handoff_page))
		return EFI_OUT_OF_RESOURCES;
	boot_mark(bi, "efi.pagetables", rdtsc());
	if (!alloc_memmap(bi))
		return EFI_OUT_OF_RESOURCES;

	efi_log("Atlas: kernel at phys 0x%llx, %llu KiB; page tables at 0x%llx (%llu of %llu pages); "
		"exiting boot services\n",
		(unsigned long long)k.phys, (unsigned long long)k.size >> 10, (unsigned long long)bi->atlas_cr3,
		(unsigned long long)bi->pt_pool_used, (unsigned long long)bi->pt_pool_pages);

	/* From here on: no allocation, no printing, until the firmware is gone. */
	s = efi_exit_boot_services(bi, bi->opts.ebs_stale);
	if (s != EFI_SUCCESS) {
		/* Boot services may be half gone: only the raw UART is safe now. */
		static const char msg[] = "atlas: ExitBootServices failed; halting\n";
		serial_write(msg, sizeof(msg) - 1);
		for (;;) {
			cli();
			hlt();
		}
	}
	cli();
	bi->tsc.ebs_done = rdtsc();
	/* Before the kernel reuses boot-services memory the APs may be spinning in. */
	bi->ap_init_sent = (uint32_t)efi_ap_init_all();
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	atlas_handoff(bi->atlas_cr3, k.entry, KSTACK_TOP(KSTACK_BOOT_SLOT), bi_phys);
}
