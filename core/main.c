/* SPDX-License-Identifier: MIT */
/*
 * main.c - kmain: the kernel's first C code. Runs on the boot stack, on the
 * page tables efi/ built, interrupts off, firmware gone.
 */
#include "bootreport.h"
#include "kernel.h"
#include "kvm.h"
#include "memlayout.h"
#include "report.h"
#include "serial.h"
#include "trap.h"
#include "x86.h"

struct boot_info *g_boot;

void boot_checks(long nregions);

static void serial_setup(void)
{
	const struct options *o = &g_boot->opts;

	if (o->serial == SERIAL_OFF)
		serial_disable();
	else
		serial_init(o->serial == SERIAL_PORT ? o->serial_port : COM1_PORT);
}

void kmain(uint64_t boot_info_phys)
{
	uint64_t tsc = rdtsc();
	long n;

	/* The firmware's GDT and IDT are not mapped any more: replace them first. */
	gdt_init();
	idt_init();
	g_boot = PHYS_TO_DIRECT(boot_info_phys);
	if (g_boot->magic != BOOT_INFO_MAGIC || g_boot->version != BOOT_INFO_VERSION ||
	    g_boot->size != sizeof(struct boot_info)) {
		serial_init(COM1_PORT);
		g_boot = NULL;
		panic("boot: boot_info at phys 0x%llx is not from this build", (unsigned long long)boot_info_phys);
	}
	g_boot->tsc.kernel_entry = tsc;
	serial_setup();
	kvm_init(g_boot->trampoline_phys);
	/* Safe now: these are Atlas's own tables, in memory Atlas owns. */
	write_cr0(read_cr0() | CR0_WP);

	if (report_human())
		kprintf("\nAtlas: kernel running at the higher half; firmware boot services are gone\n");
	report_option_warnings();
	n = memmap_load();
	if (n < 0)
		kprintf("atlas: warning: firmware memory map unusable (%ld)\n", n);
	else
		report_memmap();
	report_boot();
	boot_checks(n);
	tests_check_unmatched();
	finish(tests_summary() ? EXIT_FAILED : EXIT_PASSED);
}
