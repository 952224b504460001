/* SPDX-License-Identifier: MIT */
/*
 * main.c - kmain: the kernel's first C code. Runs on the boot stack, on the
 * page tables efi/ built, interrupts off, firmware gone. The order matters:
 *
 *   GDT/IDT     the firmware's are no longer mapped: nothing may fault before
 *   serial      so that everything after can be seen
 *   memory map  normalized; the page allocator is built from it
 *   PMM, KVM    Atlas's own tables from its own pages; efi/'s pool returned
 *   heap, IST   kmalloc; the console log (scrollback); #DF/NMI/#MC stacks so overflows are reported
 *   runtime     the 1:1 table for UEFI ResetSystem
 *   W^X         every table walked; a W+X page is a panic
 *   ring 3      SYSCALL MSRs and GS, FPU state, LAPIC timer (PIC masked)
 *   hardware   ACPI and SMBIOS surveyed, PCI enumerated, the iomem tree (timed: hw_start..hw_done)
 *   USB         polled xHCI keyboards join the keyboard queue
 *   reports and self-tests, the ring-3 suite; selftest= faults on purpose; finish
 */
#include "bench.h"
#include "bootreport.h"
#include "clockcal.h"
#include "conlog.h"
#include "console.h"
#include "cpu.h"
#include "efirt.h"
#include "fbcon.h"
#include "finish.h"
#include "heap.h"
#include "hwinfo.h"
#include "hwreport.h"
#include "iomemreport.h"
#include "kernel.h"
#include "kfault.h"
#include "kstring.h"
#include "kvm.h"
#include "lapic.h"
#include "lifetimes.h"
#include "memlayout.h"
#include "mmreport.h"
#include "monitor.h"
#include "pageref.h"
#include "panic.h"
#include "percpu.h"
#include "physmap.h"
#include "pmm.h"
#include "proc.h"
#include "procfs_dir.h"
#include "procreport.h"
#include "procsnap.h"
#include "ps2kbd.h"
#include "record.h"
#include "runner.h"
#include "screen.h"
#include "serial.h"
#include "tests.h"
#include "trap.h"
#include "tsc.h"
#include "userland.h"
#include "userprog.h"
#include "x86.h"
#include "xhci.h"

struct boot_info *g_boot;

static uint64_t kvm_build_ticks;

static void memory_init(long nregions)
{
	static const struct heap_backend heap_pages = { kvm_heap_grow, kvm_heap_shrink, NULL };
	size_t n;
	const struct mm_region *r = memmap_allocatable(&n);
	uint64_t bad;
	unsigned long wx;
	int err;

	if (nregions <= 0)
		panic("mm: no usable firmware memory map (%ld)", nregions);
	err = pmm_init(r, n, DIRECT_MAP_BASE);
	if (err)
		panic("mm: page allocator found no usable memory (%d)", err);
	kvm_build_ticks = rdtsc();
	err = kvm_init();
	g_boot->tsc.pagetables = rdtsc();
	kvm_build_ticks = g_boot->tsc.pagetables - kvm_build_ticks;
	if (err)
		panic("mm: building the kernel page tables failed (%d)", err);
	heap_init(&heap_pages);
	{
		uint64_t top = 0;

		for (size_t i = 0; i < n; i++)
			top = r[i].end > top ? r[i].end : top;
		if (pageref_init(top))
			kprintf("mm: no memory for the page owner directory; it grows on demand\n");
	}
	conlog_start(g_boot->fwlog, sizeof(g_boot->fwlog)); /* scrollback and `log`: the run from its first line */
	boot_mark(g_boot, "k.heap_conlog", rdtsc());
	pmm_cache_start();
	err = kstack_setup_ist();
	if (err)
		panic("trap: no IST stacks (%d)", err);
	boot_mark(g_boot, "k.ist", rdtsc());
	err = efirt_init();
	if (err < 0)
		kprintf("efirt: runtime services unavailable (%d); ACPI will power off\n", err);
	boot_mark(g_boot, "k.efirt", rdtsc());
	if (g_boot->fb.base) {
		uint64_t fb_virt = kvm_map_mmio(g_boot->fb.base, g_boot->fb.size, VM_READ | VM_WRITE | VM_WC,
						"[framebuffer]");

		if (!fb_virt)
			kprintf("kvm: could not map the framebuffer\n");
		else if (!fbcon_init(&g_boot->fb, fb_virt)) {
			/* The screen shows the run from its first line: the firmware stage's, then the kernel's. */
			fbcon_write(g_boot->fwlog, strnlen(g_boot->fwlog, sizeof(g_boot->fwlog)));
			console_attach(fbcon_write, 1);
		}
		fb_report(&g_boot->fb);
	}
	boot_mark(g_boot, "k.fb", rdtsc());
	wx = mm_wx_violations(&bad);
	if (wx)
		panic("mm: W^X violated: page 0x%llx is writable and executable (%lu pages in all)",
		      (unsigned long long)bad, wx);
	boot_mark(g_boot, "k.wx_check", rdtsc());
}

/* lapic_init()'s result, from before the clock calibration window opened. */
static int lapic_err;

/* What ring 3 needs: SYSCALL, GS, a clean FPU image, and a timer to preempt with. */
static void user_init(void)
{
	int err;

	percpu_init();
	proc_init();
	/* What else wants to know when a process ends, in this order. */
	proc_add_exit_hook(monitor_note_exit);	/* on_finish=monitor keeps every process for ps, maps PID, pmap PID */
	proc_add_exit_hook(procsnap_note_exit); /* the layout screen's per-process columns and fault list */
	proc_add_exit_hook(proc_report_exit);	/* maps, pmap -x and the exit record */
	boot_mark(g_boot, "k.proc_init", rdtsc());
	if (!clockcal_end())
		kprintf("tsc: no clock to calibrate against; clock_gettime and nanosleep will not advance\n");
	serial_set_tsc_hz(tsc_hz());
	boot_mark(g_boot, "k.clockcal", rdtsc());
	err = lapic_err;
	if (!err)
		err = lapic_timer_start(SCHED_HZ);
	if (err)
		kprintf("lapic: no timer (%d); processes run until they yield or exit\n", err);
}

void kmain(uint64_t boot_info_phys, uint64_t tsc)
{
	long n;

	/* The firmware's GDT and IDT are not mapped any more: replace them first. */
	gdt_init();
	idt_init();
	console_attach(serial_write, 0);
	panic_set_stop(finish);
	trap_set_fatal(kfault_report);
	g_boot = PHYS_TO_DIRECT(boot_info_phys);
	if (g_boot->magic != BOOT_INFO_MAGIC || g_boot->version != BOOT_INFO_VERSION ||
	    g_boot->size != sizeof(struct boot_info)) {
		serial_init(COM1_PORT);
		g_boot = NULL;
		panic("boot: boot_info at phys 0x%llx is not from this build", (unsigned long long)boot_info_phys);
	}
	g_boot->tsc.kernel_entry = tsc;
	serial_select_early();
	cpu_detect();
	cpu_enable_features();

	if (report_human())
		kprintf("\nAtlas: kernel running at the higher half; firmware boot services are gone\n");
	report_menu();
	report_option_warnings();
	boot_mark(g_boot, "k.report_option_warnings", rdtsc());
	n = memmap_load();
	memory_init(n);
	/* The TSC's and the LAPIC timer's rates: one window, filled by the work up to user_init(). */
	lapic_err = lapic_init();
	clockcal_begin();
	boot_mark(g_boot, "k.clockcal_begin", rdtsc());
	serial_select_spcr();
	user_init();
	boot_mark(g_boot, "k.user_init", rdtsc());
	userland_init();
	boot_mark(g_boot, "k.userland_init", rdtsc());

	report_memmap();
	boot_mark(g_boot, "k.report_memmap", rdtsc());
	report_boot();
	boot_mark(g_boot, "k.report_boot", rdtsc());
	cpu_report();
	boot_mark(g_boot, "k.cpu_report", rdtsc());
	smp_report();
	boot_mark(g_boot, "k.smp_report", rdtsc());
	serial_report();
	boot_mark(g_boot, "k.serial_report", rdtsc());
	ps2kbd_report();
	boot_mark(g_boot, "k.ps2kbd_report", rdtsc());
	hwinfo_init(); /* PCI enumerated: the xHCI driver finds its controllers in the scan */
	boot_mark(g_boot, "k.hwinfo_init", rdtsc());
	xhci_init_all();
	boot_mark(g_boot, "k.xhci_init_all", rdtsc());
	usb_report();
	boot_mark(g_boot, "k.usb_report", rdtsc());
	efirt_report();
	boot_mark(g_boot, "k.efirt_report", rdtsc());
	lapic_report();
	boot_mark(g_boot, "k.lapic_report", rdtsc());
	report_hw();
	boot_mark(g_boot, "k.report_hw", rdtsc());
	/* What ring 3 reads as /proc/iomem and /proc/ioports: the same tree, Linux's text. */
	procfs_set_text("iomem", iomem_format);
	procfs_set_text("ioports", ioports_format);
	boot_mark(g_boot, "k.procfs_text", rdtsc());
	boot_checks(n);
	boot_mark(g_boot, "k.boot_checks", rdtsc());
	mm_checks();
	boot_mark(g_boot, "k.mm_checks", rdtsc());
	hw_checks();
	boot_mark(g_boot, "k.hw_checks", rdtsc());
	userprog_load();
	boot_mark(g_boot, "k.suite", rdtsc());
	runner_run_builtin();
	runner_run_extra();
	lifetimes_run();
	report_timeline();
	/* After the checks, so the heap they exercised shows up as [kheap]. */
	report_kmap();
	report_pt_usage();
	report_pmm();
	report_heap();
	for (unsigned i = 0; i < g_boot->opts.nwalk; i++)
		report_walk(g_boot->opts.walk[i]);
	bench_memory(kvm_build_ticks);
	selftest_run(g_boot->opts.selftest);
	tests_check_unmatched();
	conlog_report();
	userland_run_init();
	screen_show();
	finish(tests_summary() ? EXIT_FAILED : EXIT_PASSED);
}
