/* SPDX-License-Identifier: MIT */
/*
 * hwreport.c - what the machine is, as the drivers and core/x86 found it:
 * the CPU and its control registers, the processors in the MADT, the console
 * UART, the PS/2 keyboard, the local APIC, the framebuffer console and the
 * UEFI runtime services. Each is a human line (report=human|both) and a
 * record (report=json|both; docs/records.md). The drivers expose their state;
 * the words are here.
 */
#include "hwreport.h"

#include "acpi.h"
#include "cpu.h"
#include "efirt.h"
#include "fb.h"
#include "fbcon.h"
#include "json.h"
#include "kernel.h"
#include "kstring.h"
#include "kvm.h"
#include "lapic.h"
#include "memlayout.h"
#include "ps2kbd.h"
#include "record.h"
#include "serial.h"
#include "x86.h"

void cpu_report(void)
{
	const struct cpu_features *f = cpu();
	uint64_t cr0 = read_cr0(), cr3 = read_cr3(), cr4 = read_cr4(), efer = rdmsr(MSR_EFER);
	const char *brand = f->brand;
	struct jrec r;

	while (*brand == ' ')
		brand++;
	if (report_human()) {
		kprintf("\nCPU: %s %s (family %u model %u stepping %u), %u-bit physical, %u-bit virtual\n", f->vendor,
			brand, f->family, f->model, f->stepping, f->phys_bits, f->virt_bits);
		kprintf("  features:%s%s%s%s%s%s%s%s%s%s\n", f->nx ? " nx" : "", f->pdpe1gb ? " pdpe1gb" : "",
			f->pge ? " pge" : "", f->pat ? " pat" : "", f->smep ? " smep" : "", f->smap ? " smap" : "",
			f->umip ? " umip" : "", f->la57 ? " la57" : "", f->rdrand ? " rdrand" : "",
			f->rdseed ? " rdseed" : "");
		kprintf("  CR0 %016llx  CR3 %016llx  CR4 %016llx  EFER %016llx\n", (unsigned long long)cr0,
			(unsigned long long)cr3, (unsigned long long)cr4, (unsigned long long)efer);
	}
	jrec_begin(&r, "cpu");
	jrec_str(&r, "vendor", f->vendor);
	jrec_str(&r, "brand", brand);
	jrec_u64(&r, "phys_bits", f->phys_bits);
	jrec_bool(&r, "nx", f->nx);
	jrec_bool(&r, "pdpe1gb", f->pdpe1gb);
	jrec_bool(&r, "pge", f->pge);
	jrec_bool(&r, "pat", f->pat);
	jrec_bool(&r, "smep", f->smep);
	jrec_bool(&r, "smap", f->smap);
	jrec_bool(&r, "umip", f->umip);
	jrec_bool(&r, "la57", f->la57);
	jrec_bool(&r, "rdrand", f->rdrand);
	jrec_hex(&r, "cr0", cr0);
	jrec_hex(&r, "cr3", cr3);
	jrec_hex(&r, "cr4", cr4);
	jrec_hex(&r, "efer", efer);
	report_emit(&r);
}

void smp_report(void)
{
	struct acpi_info ai;
	int cpus = -1;
	struct jrec r;

	if (acpi_init_kernel(&ai) >= 0)
		cpus = acpi_madt_cpus(&ai, acpi_kernel_p2v);
	if (report_human()) {
		if (cpus > 0)
			kprintf("CPUs: %d in the ACPI MADT; Atlas runs on this one", cpus);
		else
			kprintf("CPUs: no usable MADT (%d); Atlas runs on this one", cpus);
		kprintf("%s\n", g_boot->ap_init_sent ?
					", the others were sent INIT after ExitBootServices and stay parked" :
					" (no APIC to park the others with)");
	}
	jrec_begin(&r, "smp");
	jrec_i64(&r, "cpus", cpus);
	jrec_bool(&r, "ap_init", (int)g_boot->ap_init_sent);
	report_emit(&r);
}

void serial_report(void)
{
	struct jrec r;

	if (report_human()) {
		if (serial_mmio_base())
			kprintf("Serial console: MMIO 16550 at 0x%llx (from %s)\n",
				(unsigned long long)serial_mmio_base(), serial_source());
		else if (serial_port())
			kprintf("Serial console: 16550 at I/O port 0x%x (from %s)\n", serial_port(), serial_source());
	}
	jrec_begin(&r, "serial");
	jrec_str(&r, "source", serial_source());
	jrec_str(&r, "kind", serial_mmio_base() ? "mmio" : serial_port() ? "io" : "none");
	jrec_hex(&r, "base", serial_mmio_base() ? serial_mmio_base() : serial_port());
	report_emit(&r);
}

void ps2kbd_report(void)
{
	static const char *const fadt_names[] = { "unknown", "8042", "no_8042" };
	const struct ps2kbd_info *i = ps2kbd_info();
	struct jrec r;

	if (report_human()) {
		if (i->present)
			kprintf("PS/2 keyboard: i8042 (FADT: %s), translation %s, decoding scan code set %d%s%s\n",
				fadt_names[i->fadt], i->translation ? "on" : "off", i->set, i->why ? "; " : "",
				i->why ? i->why : "");
		else
			kprintf("PS/2 keyboard: none (%s)\n", i->why);
	}
	jrec_begin(&r, "ps2kbd");
	jrec_bool(&r, "present", i->present);
	jrec_str(&r, "fadt", fadt_names[i->fadt]);
	jrec_bool(&r, "translation", i->translation);
	jrec_u64(&r, "set", (uint64_t)i->set);
	jrec_hex(&r, "config", i->config);
	jrec_str(&r, "why", i->why ? i->why : "");
	report_emit(&r);
}

void lapic_report(void)
{
	struct lapic_state st;
	char mode[40];
	struct jrec r;

	lapic_state(&st);
	if (report_human()) {
		if (st.tick_hz)
			ksnprintf(mode, sizeof(mode), "periodic at %llu Hz", (unsigned long long)st.tick_hz);
		else
			ksnprintf(mode, sizeof(mode), "stopped");
		if (st.ready)
			kprintf("lapic: id %u, xAPIC at 0x%llx; timer %llu Hz (bus / %d), %s, %llu ticks so far\n",
				st.id, (unsigned long long)st.base, (unsigned long long)st.timer_hz,
				LAPIC_TIMER_DIVISOR, mode, (unsigned long long)st.ticks);
		else
			kprintf("lapic: not initialized (CPUID initial APIC id %u)\n", st.id);
	}
	jrec_begin(&r, "lapic");
	jrec_hex(&r, "base", st.base);
	jrec_u64(&r, "id", st.id);
	jrec_u64(&r, "timer_hz", st.timer_hz);
	jrec_u64(&r, "divide", LAPIC_TIMER_DIVISOR);
	jrec_u64(&r, "tick_hz", st.tick_hz);
	jrec_u64(&r, "ticks", st.ticks);
	report_emit(&r);
}

void efirt_report(void)
{
	struct efirt_info e;
	struct jrec r;

	efirt_info(&e);
	if (report_human()) {
		kprintf("\nUEFI runtime services: %s; %d runtime regions mapped 1:1 in a separate table",
			e.available ? "callable" : "not available", e.regions);
		if (e.mat_entries)
			kprintf(", split by the Memory Attributes Table (%d entries)\n", e.mat_entries);
		else
			kprintf("\n  no Memory Attributes Table: %llu runtime-code pages are RWX in that table only\n",
				(unsigned long long)e.rwx_pages);
	}
	jrec_begin(&r, "efirt");
	jrec_bool(&r, "available", e.available);
	jrec_u64(&r, "regions", (uint64_t)e.regions);
	jrec_bool(&r, "mat", e.mat_entries > 0);
	jrec_u64(&r, "e.mat_entries", (uint64_t)e.mat_entries);
	jrec_u64(&r, "e.rwx_pages", e.rwx_pages);
	jrec_hex(&r, "reset_system", e.reset_system);
	report_emit(&r);
}

void fb_report(const struct boot_fb *bfb)
{
	static const char *const format_names[] = { "none", "RGBX", "BGRX", "bitmask" };
	const struct fb_font *f = fb_font();
	uint32_t cols, rows;

	if (!fbcon_ready() || !f || !report_human())
		return;
	fbcon_size(&cols, &rows);
	kprintf("fb: %ux%u %s, %u bytes per pixel, %u pixels per scan line, GOP mode %u; console %ux%u in %s "
		"(%ux%u); back buffer %llu KiB\n",
		bfb->width, bfb->height, bfb->format < ARRAY_SIZE(format_names) ? format_names[bfb->format] : "?",
		fb_bytes_per_pixel(), bfb->pitch_pixels, bfb->gop_mode, cols, rows, f->name, f->width, f->height,
		(unsigned long long)bfb->width * bfb->height * sizeof(uint32_t) >> 10);
}
