/* SPDX-License-Identifier: MIT */
/*
 * monitor_hw.c - the monitor's hardware commands: iomem, ioports, lspci,
 * acpi, dmi, and the memory dumps x (virtual) and xp / xp! (physical).
 *
 * The table (first half) is pure, so core/monitor.c's parser and help and
 * their host tests see it; the commands are the kernel's. A dump never
 * faults: every page is looked up before it is read, and an address that
 * is not there is answered as such. Physical MMIO is refused unless the
 * command is written xp!: a read can have side effects (a FIFO pops, a
 * status register clears).
 */
#include <stddef.h>
#include <stdint.h>

#include "kprintf.h"
#include "kstring.h"
#include "monitor.h"

#ifndef ATLAS_HOST
#include "cpu.h"
#include "fwreport.h"
#include "heap.h"
#include "hwinfo.h"
#include "iomemreport.h"
#include "kernel.h"
#include "kvm.h"
#include "memlayout.h"
#include "paging.h"
#include "pci.h"
#include "pcireport.h"
#include "x86.h"
#endif

const struct mon_cmd_info mon_hw_cmds[MON_HW_NCMDS] = {
	[MON_HW_IOMEM] = { "iomem", "", "the physical address space as /proc/iomem, with its conflicts", 0, 0 },
	[MON_HW_IOPORTS] = { "ioports", "", "the I/O ports as /proc/ioports", 0, 0 },
	[MON_HW_LSPCI] = { "lspci", "[-v] [BB:DD.F]", "PCI functions as lspci -nn (-v: BARs, windows, capabilities)", 0,
			   2 },
	[MON_HW_ACPI] = { "acpi", "[SIG]", "ACPI tables as acpidump -s, or a hex dump of table SIG", 0, 1 },
	[MON_HW_DMI] = { "dmi", "", "the SMBIOS summary: BIOS, system, board, processors, memory", 0, 0 },
	[MON_HW_X] = { "x", "ADDR [LEN]", "hex dump of kernel virtual memory (unmapped pages answered)", 1, 2 },
	[MON_HW_XP] = { "xp", "PADDR [LEN]", "hex dump of physical RAM (MMIO refused: reads have side effects)", 1, 2 },
	[MON_HW_XPF] = { "xp!", "PADDR [LEN]", "hex dump of physical memory, MMIO included", 1, 2 },
};

/* "BB:DD.F" or "SSSS:BB:DD.F" (hex). Returns 0, or -1 when it is not one. */
int mon_parse_bdf(const char *s, uint16_t *seg, uint8_t *bus, uint8_t *dev, uint8_t *fn)
{
	unsigned v[4] = { 0 }, n = 0, digits = 0;
	char seps[3] = { 0 };

	for (;; s++) {
		char c = *s;
		int d = c >= '0' && c <= '9' ? c - '0' :
			c >= 'a' && c <= 'f' ? c - 'a' + 10 :
			c >= 'A' && c <= 'F' ? c - 'A' + 10 :
					       -1;

		if (d >= 0) {
			if (++digits > 4)
				return -1;
			v[n] = v[n] << 4 | (unsigned)d;
			continue;
		}
		if (!digits)
			return -1;
		if (!c)
			break;
		if ((c != ':' && c != '.') || n == 3)
			return -1;
		seps[n < 3 ? n : 2] = c;
		n++;
		digits = 0;
	}
	n++;
	if (n == 3 && seps[0] == ':' && seps[1] == '.') {
		*seg = 0;
		*bus = (uint8_t)v[0];
		*dev = (uint8_t)v[1];
		*fn = (uint8_t)v[2];
		return v[0] > 0xFF || v[1] > 0x1F || v[2] > 7 ? -1 : 0;
	}
	if (n == 4 && seps[0] == ':' && seps[1] == ':' && seps[2] == '.') {
		*seg = (uint16_t)v[0];
		*bus = (uint8_t)v[1];
		*dev = (uint8_t)v[2];
		*fn = (uint8_t)v[3];
		return v[1] > 0xFF || v[2] > 0x1F || v[3] > 7 ? -1 : 0;
	}
	return -1;
}

#ifndef ATLAS_HOST

#define DUMP_DEFAULT 64
#define DUMP_MAX (64U << 10)
#define DUMP_ROW 16
#define LEN_DIGITS_MAX 8

/* A length: decimal or 0x hex, 1..DUMP_MAX. */
static int parse_len(const char *s, uint64_t *len)
{
	uint64_t v = 0;
	size_t n;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		if (mon_parse_va(s, &v))
			return -1;
	} else {
		for (n = 0; s[n]; n++) {
			if (s[n] < '0' || s[n] > '9' || n == LEN_DIGITS_MAX)
				return -1;
			v = v * 10 + (uint64_t)(s[n] - '0');
		}
		if (!n)
			return -1;
	}
	if (!v || v > DUMP_MAX)
		return -1;
	*len = v;
	return 0;
}

static void print_text(long (*fmt)(char *, size_t))
{
	long need = fmt(NULL, 0);
	char *buf = kmalloc((size_t)need + 1);
	const char *p;

	if (!buf) {
		kprintf("no memory for %ld bytes of text\n", need);
		return;
	}
	fmt(buf, (size_t)need + 1);
	for (p = buf; *p;) {
		const char *nl = p;

		while (*nl && *nl != '\n')
			nl++;
		kprintf("%.*s\n", (int)(nl - p), p);
		p = *nl ? nl + 1 : nl;
	}
	kfree(buf);
}

static void conflicts(int io)
{
	int n, shown = 0;
	const struct iomem_node *t = iomem_nodes(io, &n);
	char flags[96];

	for (int i = 0; i < n; i++) {
		if (!t[i].flags)
			continue;
		kprintf("%s  %llx-%llx %s: %s\n", shown++ ? "" : "flagged:\n", (unsigned long long)t[i].start,
			(unsigned long long)t[i].end, t[i].name, iomem_flags_str(t[i].flags, flags, sizeof(flags)));
	}
	if (!shown)
		kprintf("nothing flagged\n");
}

static void cmd_lspci(const struct mon_words *w)
{
	const struct pci_scan *s = pci_state();
	int verbose = 0, have = 0;
	uint16_t seg = 0;
	uint8_t bus = 0, dev = 0, fn = 0;
	char line[256];

	for (int i = 1; i < w->argc; i++) {
		if (!strcmp(w->argv[i], "-v") && !verbose)
			verbose = 1;
		else if (!have && !mon_parse_bdf(w->argv[i], &seg, &bus, &dev, &fn))
			have = 1;
		else {
			kprintf("lspci: '%s' is neither -v nor a function (BB:DD.F, e.g. 00:1f.2)\n", w->argv[i]);
			return;
		}
	}
	if (!s || !s->nfuncs) {
		kprintf("lspci: no PCI functions (access method: %s)\n", s ? s->method : "none");
		return;
	}
	if (have && pci_find(s, seg, bus, dev, fn) < 0) {
		kprintf("lspci: no function %02x:%02x.%x\n", bus, dev, fn);
		return;
	}
	for (int i = 0; i < s->nfuncs; i++) {
		const struct pci_func *f = &s->f[i];

		if (have && (f->seg != seg || f->bus != bus || f->dev != dev || f->fn != fn))
			continue;
		if (verbose) {
			pci_print_verbose(f);
		} else {
			pci_lspci_line(f, line, sizeof(line));
			kprintf("%s\n", line);
		}
	}
}

static void hexdump_row(uint64_t addr, const uint8_t *b, size_t n)
{
	char hex[DUMP_ROW * 3 + 2], asc[DUMP_ROW + 1];
	size_t h = 0;

	for (size_t i = 0; i < DUMP_ROW; i++) {
		if (i < n)
			h += (size_t)ksnprintf(hex + h, sizeof(hex) - h, "%02x%s", b[i], i == 7 ? "  " : " ");
		else
			h += (size_t)ksnprintf(hex + h, sizeof(hex) - h, "%s", i == 7 ? "    " : "   ");
		asc[i] = i < n ? (b[i] >= 0x20 && b[i] < 0x7f ? (char)b[i] : '.') : ' ';
	}
	asc[DUMP_ROW] = 0;
	kprintf("%016llx  %s |%s|\n", (unsigned long long)addr, hex, asc);
}

static void cmd_acpi(const struct mon_words *w)
{
	const struct acpi_survey *s = hw_acpi();
	const struct acpi_table_ent *t;
	uint8_t row[DUMP_ROW];
	char line[192];

	if (w->argc == 1) {
		report_acpi_tables();
		return;
	}
	if (strlen(w->argv[1]) > 4 || !(t = acpi_survey_find(s, w->argv[1], 0))) {
		kprintf("acpi: no table '%s' (acpi lists them)\n", w->argv[1]);
		return;
	}
	acpi_table_line(t, line, sizeof(line));
	kprintf("%s\n", line);
	if (!t->length || !kvm_direct_ok(t->phys, t->length)) {
		kprintf("acpi: %s at 0x%llx is not readable RAM\n", t->sig, (unsigned long long)t->phys);
		return;
	}
	for (uint32_t off = 0; off < t->length; off += DUMP_ROW) {
		size_t n = t->length - off < DUMP_ROW ? t->length - off : DUMP_ROW;

		memcpy(row, (const uint8_t *)PHYS_TO_DIRECT(t->phys) + off, n);
		hexdump_row(off, row, n);
	}
}

/* x ADDR [LEN]: kernel virtual memory; every page looked up first. */
static void cmd_x(const struct mon_words *w, uint64_t addr, uint64_t len)
{
	char where[KREGION_NAME + 32];
	uint8_t row[DUMP_ROW];

	(void)w;
	for (uint64_t a = addr; a - addr < len;) {
		uint64_t page_end = ALIGN_DOWN(a, PAGE_SIZE) + PAGE_SIZE;
		struct pt_walk pw;
		size_t n = DUMP_ROW - (a % DUMP_ROW);

		if (!va_canonical(a) || !pt_query(kvm_pt(), a, &pw)) {
			kprintf("%016llx  not mapped (%s)\n", (unsigned long long)a,
				kvm_describe(a, where, sizeof(where)));
			a = page_end;
			continue;
		}
		if (a >= KMMIO_BASE && a < KMMIO_END) {
			kprintf("%016llx  MMIO mapping (%s): not read; xp! 0x%llx reads the device\n",
				(unsigned long long)a, kvm_describe(a, where, sizeof(where)),
				(unsigned long long)pw.phys);
			a = page_end;
			continue;
		}
		if (n > len - (a - addr))
			n = len - (a - addr);
		if (a + n > page_end)
			n = page_end - a;
		memcpy(row, (const void *)(uintptr_t)a, n);
		hexdump_row(a, row, n);
		a += n;
	}
}

/* The iomem node most specific to phys (deepest), or NULL. */
static const struct iomem_node *node_at(uint64_t phys)
{
	int n;
	const struct iomem_node *t = iomem_nodes(0, &n), *best = NULL;

	for (int i = 0; i < n; i++)
		if (t[i].start <= phys && phys <= t[i].end && (!best || t[i].depth >= best->depth))
			best = &t[i];
	return best;
}

static uint64_t peek_va;

/* A one-page uncached window onto phys for xp!, moved from page to page. */
static const uint8_t *peek(uint64_t phys)
{
	uint64_t page = ALIGN_DOWN(phys, PAGE_SIZE);

	if (!peek_va) {
		peek_va = kvm_map_mmio(page, PAGE_SIZE, VM_READ | VM_UC, "[xp! window]");
		return peek_va ? (const uint8_t *)(uintptr_t)(peek_va + (phys - page)) : NULL;
	}
	kvm_unmap(peek_va, PAGE_SIZE);
	if (kvm_map(peek_va, page, PAGE_SIZE, VM_READ | VM_UC | VM_GLOBAL | VM_NOHUGE, "[xp! window]")) {
		peek_va = 0;
		return NULL;
	}
	return (const uint8_t *)(uintptr_t)(peek_va + (phys - page));
}

static void cmd_xp(uint64_t addr, uint64_t len, int force)
{
	uint64_t limit = 1ULL << (cpu()->phys_bits ? cpu()->phys_bits : 52);
	uint8_t row[DUMP_ROW];

	for (uint64_t a = addr; a - addr < len;) {
		uint64_t page_end = ALIGN_DOWN(a, PAGE_SIZE) + PAGE_SIZE;
		size_t n = DUMP_ROW - (a % DUMP_ROW);
		const uint8_t *src;

		if (a >= limit) {
			kprintf("%016llx  beyond the CPU's physical address width\n", (unsigned long long)a);
			return;
		}
		if (n > len - (a - addr))
			n = len - (a - addr);
		if (a + n > page_end)
			n = page_end - a;
		if (kvm_direct_ok(a, n)) {
			src = PHYS_TO_DIRECT(a);
		} else {
			const struct iomem_node *at = node_at(a);

			if (!force) {
				kprintf("%016llx  not RAM (%s): reads can have side effects; xp! reads it\n",
					(unsigned long long)a, at ? at->name : "nothing claims it");
				a = page_end;
				continue;
			}
			src = peek(a);
			if (!src) {
				kprintf("%016llx  could not be mapped\n", (unsigned long long)a);
				return;
			}
		}
		memcpy(row, src, n);
		hexdump_row(a, row, n);
		a += n;
	}
}

void monitor_hw_run(int cmd, const struct mon_words *w)
{
	uint64_t addr, len = DUMP_DEFAULT;

	switch (cmd) {
	case MON_HW_IOMEM:
		iomem_refresh();
		print_text(iomem_format);
		conflicts(0);
		return;
	case MON_HW_IOPORTS:
		iomem_refresh();
		print_text(ioports_format);
		conflicts(1);
		return;
	case MON_HW_LSPCI:
		cmd_lspci(w);
		return;
	case MON_HW_ACPI:
		cmd_acpi(w);
		return;
	case MON_HW_DMI:
		report_smbios();
		return;
	default:
		break;
	}
	/* x, xp, xp! */
	if (mon_parse_va(w->argv[1], &addr)) {
		kprintf("%s: '%s' is not an address (expected 0x and 1 to 16 hex digits)\n", w->argv[0], w->argv[1]);
		return;
	}
	if (w->argc > 2 && parse_len(w->argv[2], &len)) {
		kprintf("%s: '%s' is not a length (1 to %u bytes, decimal or 0x hex)\n", w->argv[0], w->argv[2],
			DUMP_MAX);
		return;
	}
	if (addr + len < addr) {
		kprintf("%s: 0x%llx + %llu wraps around\n", w->argv[0], (unsigned long long)addr,
			(unsigned long long)len);
		return;
	}
	if (cmd == MON_HW_X)
		cmd_x(w, addr, len);
	else
		cmd_xp(addr, len, cmd == MON_HW_XPF);
}

#endif /* !ATLAS_HOST */
