/* SPDX-License-Identifier: MIT */
/*
 * bootreport.c - the first thing the kernel says: the firmware's memory map,
 * exactly as the final GetMemoryMap returned it (in the UEFI shell's
 * `memmap` layout, and one JSON record per descriptor), the per-type totals
 * of the normalized map, and proof of where the kernel runs.
 */
#include "bootreport.h"
#include "clockcal.h"

#include "kernel.h"
#include "kstring.h"
#include "memlayout.h"
#include "physmap.h"
#include "record.h"
#include "tsc.h"
#include "x86.h"

/* "1,234,567": the UEFI shell prints byte counts with separators. */
static const char *grouped(uint64_t v, char *buf, size_t size)
{
	char tmp[32];
	int n = ksnprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)v), o = 0;

	for (int i = 0; i < n && (size_t)o + 2 < size; i++) {
		if (i && (n - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = tmp[i];
	}
	buf[o] = 0;
	return buf;
}

static void raw_table(void)
{
	const uint8_t *raw = PHYS_TO_DIRECT(g_boot->memmap);
	size_t count = g_boot->memmap_size / g_boot->desc_size;
	struct jrec r;

	if (report_human()) {
		kprintf("\nFirmware memory map: %llu descriptors of %llu bytes (version %u), as GetMemoryMap returned it\n",
			(unsigned long long)count, (unsigned long long)g_boot->desc_size, g_boot->desc_version);
		kprintf("Type       Start            End              # Pages          Attributes\n");
	}
	for (size_t i = 0; i < count; i++) {
		struct efi_mem_desc d;

		memcpy(&d, raw + i * g_boot->desc_size, sizeof(d));
		if (report_human())
			kprintf("%-10s %016llx-%016llx %016llx %016llx\n", efi_mem_type_short(d.type),
				(unsigned long long)d.phys_start,
				(unsigned long long)(d.phys_start + (d.num_pages << EFI_PAGE_SHIFT) - 1),
				(unsigned long long)d.num_pages, (unsigned long long)d.attr);
		jrec_begin(&r, "memmap");
		jrec_str(&r, "type", efi_mem_type_name(d.type));
		jrec_hex(&r, "start", d.phys_start);
		jrec_u64(&r, "pages", d.num_pages);
		jrec_hex(&r, "attr", d.attr);
		report_emit(&r);
	}
}

static void totals(void)
{
	const struct memmap_stats *st;
	size_t nregions;
	const struct mm_region *regions = memmap_regions(&nregions, &st);
	uint64_t pages[EFI_MAX_MEMORY_TYPE + 1] = { 0 };
	uint64_t ram = 0, usable = 0;
	char b1[32];
	struct jrec r;

	for (size_t i = 0; i < nregions; i++) {
		uint32_t t = regions[i].type < EFI_MAX_MEMORY_TYPE ? regions[i].type : EFI_MAX_MEMORY_TYPE;
		uint64_t np = (regions[i].end - regions[i].start) >> EFI_PAGE_SHIFT;

		pages[t] += np;
		if (efi_mem_type_is_ram(regions[i].type))
			ram += np;
		if (efi_mem_type_is_free_after_ebs(regions[i].type))
			usable += np;
	}
	if (report_human())
		kprintf("\n");
	for (uint32_t t = 0; t <= EFI_MAX_MEMORY_TYPE; t++) {
		if (!pages[t])
			continue;
		if (report_human())
			kprintf("  %-10s: %14llu Pages (%s Bytes)\n", efi_mem_type_short(t),
				(unsigned long long)pages[t], grouped(pages[t] << EFI_PAGE_SHIFT, b1, sizeof(b1)));
		jrec_begin(&r, "memtype");
		jrec_str(&r, "type", efi_mem_type_name(t));
		jrec_u64(&r, "pages", pages[t]);
		report_emit(&r);
	}
	if (report_human()) {
		kprintf("              -------------- \n");
		kprintf("Total RAM:     %llu MiB (%s Bytes)\n", (unsigned long long)(ram >> 8),
			grouped(ram << EFI_PAGE_SHIFT, b1, sizeof(b1)));
		kprintf("Usable after ExitBootServices: %llu MiB (conventional + boot services)\n",
			(unsigned long long)(usable >> 8));
		if (st->overlaps || st->unsorted || st->zero_pages || st->bad_ranges)
			kprintf("Map quirks: %llu overlapping pairs, %llu out of order, %llu zero-page, %llu bad entries "
				"(normalized: the less usable type wins)\n",
				(unsigned long long)st->overlaps, (unsigned long long)st->unsorted,
				(unsigned long long)st->zero_pages, (unsigned long long)st->bad_ranges);
	}
	jrec_begin(&r, "memtotal");
	jrec_u64(&r, "descriptors", st->raw_count);
	jrec_u64(&r, "desc_size", g_boot->desc_size);
	jrec_u64(&r, "regions", nregions);
	jrec_u64(&r, "ram_bytes", ram << EFI_PAGE_SHIFT);
	jrec_u64(&r, "usable_bytes", usable << EFI_PAGE_SHIFT);
	jrec_u64(&r, "overlaps", st->overlaps);
	jrec_u64(&r, "unsorted", st->unsorted);
	jrec_u64(&r, "zero_pages", st->zero_pages);
	jrec_u64(&r, "bad_ranges", st->bad_ranges);
	report_emit(&r);
}

void report_memmap(void)
{
	raw_table();
	totals();
}

void report_boot(void)
{
	uint64_t rip = read_rip(), rsp = read_rsp(), cr3 = read_cr3();
	const struct boot_info *b = g_boot;
	struct jrec r;

	if (report_human()) {
		kprintf("\nAtlas kernel: linked at 0x%llx, loaded at phys 0x%llx (%llu KiB with .bss)\n",
			(unsigned long long)b->kernel_virt, (unsigned long long)b->kernel_phys,
			(unsigned long long)b->kernel_size >> 10);
		kprintf("  atlas.efi image at 0x%llx; ExitBootServices succeeded on try %u\n",
			(unsigned long long)b->efi_image_base, b->ebs_tries);
		if (b->suite_size)
			kprintf("  ring-3 test suite %s: %llu KiB of loader memory at 0x%llx\n", BOOT_SUITE_PATH,
				(unsigned long long)b->suite_size >> 10, (unsigned long long)b->suite_phys);
		kprintf("  running at RIP 0x%016llx, RSP 0x%016llx\n", (unsigned long long)rip,
			(unsigned long long)rsp);
		kprintf("  on Atlas's page tables: CR3 0x%llx (the firmware's was 0x%llx, efi/'s hand-off tables 0x%llx)\n",
			(unsigned long long)cr3, (unsigned long long)b->fw_cr3, (unsigned long long)b->atlas_cr3);
	}
	jrec_begin(&r, "boot");
	jrec_u64(&r, "ebs_tries", b->ebs_tries);
	jrec_hex(&r, "kernel_phys", b->kernel_phys);
	jrec_hex(&r, "kernel_virt", b->kernel_virt);
	jrec_u64(&r, "kernel_size", b->kernel_size);
	jrec_u64(&r, "suite_size", b->suite_size);
	jrec_hex(&r, "rip", rip);
	jrec_hex(&r, "rsp", rsp);
	jrec_hex(&r, "cr3", cr3);
	jrec_hex(&r, "fw_cr3", b->fw_cr3);
	jrec_hex(&r, "efi_cr3", b->atlas_cr3);
	jrec_hex(&r, "efi_image_base", b->efi_image_base);
	jrec_hex(&r, "rsdp", b->rsdp);
	jrec_str(&r, "fw_vendor", b->fw_vendor);
	jrec_u64(&r, "fb_width", b->fb.base ? b->fb.width : 0);
	jrec_u64(&r, "fb_height", b->fb.base ? b->fb.height : 0);
	jrec_hex(&r, "fw_revision", b->fw_revision);
	jrec_u64(&r, "tsc_efi_entry", b->tsc.efi_entry);
	jrec_u64(&r, "tsc_memmap", b->tsc.memmap_read);
	jrec_u64(&r, "tsc_ebs", b->tsc.ebs_done);
	jrec_u64(&r, "tsc_kernel", b->tsc.kernel_entry);
	report_emit(&r);
}

void report_menu(void)
{
	const char *end = boot_menu_end_name(g_boot->menu_end);
	char words[BOOT_MENU_WORDS];
	struct jrec r;

	/* efi/ terminates it; bounded all the same. */
	memcpy(words, g_boot->menu_words, sizeof(words));
	words[sizeof(words) - 1] = 0;
	if (report_human() && g_boot->menu_end != MENU_END_OFF)
		kprintf("Boot menu: ended (%s); %s%s\n", end,
			words[0] ? "appended to the options: " : "options unchanged", words);
	jrec_begin(&r, "menu");
	jrec_bool(&r, "shown", g_boot->menu_end != MENU_END_OFF && g_boot->menu_end != MENU_END_NO_CONSOLE);
	jrec_str(&r, "ended", end);
	jrec_str(&r, "words", words);
	jrec_u64(&r, "timeout", g_boot->opts.menu_timeout);
	report_emit(&r);
}

void report_option_warnings(void)
{
	const char *w = g_boot->warnings;
	char line[256];
	unsigned shown = 0;
	struct jrec r;

	while (*w) {
		size_t n = 0;

		while (w[n] && w[n] != '\n')
			n++;
		ksnprintf(line, sizeof(line), "%.*s", (int)n, w);
		if (report_human())
			kprintf("atlas: warning: %s\n", line);
		jrec_begin(&r, "warning");
		jrec_str(&r, "msg", line);
		report_emit(&r);
		w += n + (w[n] == '\n');
		shown++;
	}
	if (g_boot->fw_warnings > shown && report_human())
		kprintf("atlas: warning: %u more firmware-stage warnings did not fit in boot_info\n",
			g_boot->fw_warnings - shown);
}

void report_timeline(void)
{
	const struct boot_tsc *t = &g_boot->tsc;
	const struct clockcal_info *cc = clockcal_info();
	static const char *const names[] = { "efi_entry",  "memmap",   "ebs",	  "kernel",
					     "pagetables", "hw_start", "hw_done", "first_user" };
	const uint64_t stamps[] = { t->efi_entry,  t->memmap_read, t->ebs_done, t->kernel_entry,
				    t->pagetables, t->hw_start,	   t->hw_done,	t->first_user };
	char key[32];
	struct jrec r;

	if (report_human()) {
		kprintf("\nBoot timeline (TSC %llu MHz from %s; under QEMU TCG: host ticks since the VM started):\n",
			(unsigned long long)(tsc_hz() / 1000000), clockcal_source_name(cc->tsc_source));
		for (size_t i = 0; i < ARRAY_SIZE(stamps); i++)
			if (stamps[i])
				kprintf("  %-11s %14llu ticks  +%8llu us after efi_main\n", names[i],
					(unsigned long long)stamps[i],
					(unsigned long long)(tsc_to_ns(stamps[i] - t->efi_entry) / 1000));
	}
	for (uint32_t i = 0; i < g_boot->nmarks && i < BOOT_MARKS_MAX; i++) {
		const struct boot_mark *m = &g_boot->marks[i];
		char name[BOOT_MARK_NAME];

		memcpy(name, m->name, sizeof(name));
		name[sizeof(name) - 1] = 0;
		if (report_human())
			kprintf("    %-22s +%8llu us\n", name,
				(unsigned long long)(tsc_to_ns(m->tsc - t->efi_entry) / 1000));
		jrec_begin(&r, "timeline_mark");
		jrec_str(&r, "name", name);
		jrec_u64(&r, "tsc", m->tsc);
		report_emit(&r);
	}
	jrec_begin(&r, "timeline");
	for (size_t i = 0; i < ARRAY_SIZE(stamps); i++) {
		ksnprintf(key, sizeof(key), "tsc_%s", names[i]);
		jrec_u64(&r, key, stamps[i]);
	}
	jrec_u64(&r, "marks", g_boot->nmarks);
	jrec_u64(&r, "marks_lost", g_boot->marks_lost);
	jrec_u64(&r, "tsc_hz", tsc_hz());
	jrec_str(&r, "tsc_source", clockcal_source_name(cc->tsc_source));
	jrec_u64(&r, "calib_window_ns", tsc_to_ns(cc->window_ticks));
	jrec_u64(&r, "lapic_hz", cc->lapic_hz);
	if (t->first_user)
		jrec_u64(&r, "efi_to_user_ns", tsc_to_ns(t->first_user - t->efi_entry));
	if (t->hw_start && t->hw_done)
		jrec_u64(&r, "hw_ns", tsc_to_ns(t->hw_done - t->hw_start));
	report_emit(&r);
}
