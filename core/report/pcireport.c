/* SPDX-License-Identifier: MIT */
/*
 * pcireport.c - the PCI scan told as `lspci -nn` (one line per function)
 * and `lspci -v` (BARs, windows, capabilities), names from pci.ids, and as
 * {"rec":"pci"}, {"rec":"pci_bar"}, {"rec":"pci_window"} and one
 * {"rec":"pci_scan"} record (docs/records.md).
 */
#include "pcireport.h"

#include "hwinfo.h"
#include "json.h"
#include "kernel.h"
#include "kstring.h"
#include "mmreport.h"
#include "pci.h"
#include "record.h"

#define NAME_MAX_LEN 160

static const char *const bar_kinds[] = {
	[PCI_BAR_NONE] = "none",   [PCI_BAR_IO] = "io",	      [PCI_BAR_MEM32] = "mem32",
	[PCI_BAR_MEM64] = "mem64", [PCI_BAR_MEM1M] = "mem1m", [PCI_BAR_ROM] = "rom",
};
static const char *const win_kinds[PCI_WINDOWS] = { "io", "mem", "pref" };

void pci_bdf(const struct pci_func *f, char *buf, size_t size)
{
	ksnprintf(buf, size, "%04x:%02x:%02x.%x", f->seg, f->bus, f->dev, f->fn);
}

/* lspci's size: "[size=4K]" style (K, M, G; bytes below 1 KiB). */
static const char *lspci_size(uint64_t size, char *buf, size_t n)
{
	static const char units[] = "KMGT";
	int u = -1;

	while (size >= 1024 && !(size & 1023) && u < 3) {
		size >>= 10;
		u++;
	}
	if (u < 0)
		ksnprintf(buf, n, "%llu", (unsigned long long)size);
	else
		ksnprintf(buf, n, "%llu%c", (unsigned long long)size, units[u]);
	return buf;
}

size_t pci_lspci_line(const struct pci_func *f, char *buf, size_t size)
{
	const struct pciids *db = hw_pciids();
	char cls[96], vend[96], dev[NAME_MAX_LEN], name[sizeof(vend) + sizeof(dev)], rev[16] = "", dom[8] = "";

	pciids_class_text(db, f->class_code, f->subclass, cls, sizeof(cls));
	/* lspci -nn: the numbers follow in brackets, so an unknown name is just "Device". */
	if (!pciids_vendor(db, f->vendor, vend, sizeof(vend)))
		kstrlcpy(name, "Device", sizeof(name));
	else if (!pciids_device(db, f->vendor, f->device, dev, sizeof(dev)))
		ksnprintf(name, sizeof(name), "%s Device", vend);
	else
		ksnprintf(name, sizeof(name), "%s %s", vend, dev);
	if (f->revision)
		ksnprintf(rev, sizeof(rev), " (rev %02x)", f->revision);
	if (f->seg)
		ksnprintf(dom, sizeof(dom), "%04x:", f->seg); /* lspci names the domain only when it is not 0 */
	/* "00:1f.2 SATA controller [0106]: Intel Corporation 82801IR/IO/IH ... [8086:2922] (rev 02)" */
	return (size_t)ksnprintf(buf, size, "%s%02x:%02x.%x %s [%02x%02x]: %s [%04x:%04x]%s", dom, f->bus, f->dev,
				 f->fn, cls, f->class_code, f->subclass, name, f->vendor, f->device, rev);
}

static void print_bar(const struct pci_func *f, const struct pci_bar *b)
{
	char sz[16];
	const char *off = b->enabled ? "" : " [disabled]";

	lspci_size(b->size, sz, sizeof(sz));
	switch (b->kind) {
	case PCI_BAR_IO:
		kprintf("\tI/O ports at %04llx%s [size=%s]\n", (unsigned long long)b->base, off, sz);
		break;
	case PCI_BAR_ROM:
		kprintf("\tExpansion ROM at %08llx%s [size=%s]\n", (unsigned long long)b->base, off, sz);
		break;
	default:
		kprintf("\tMemory at %08llx (%s, %sprefetchable)%s [size=%s]\n", (unsigned long long)b->base,
			b->kind == PCI_BAR_MEM64 ? "64-bit" :
			b->kind == PCI_BAR_MEM1M ? "low-1M" :
						   "32-bit",
			b->prefetch ? "" : "non-", off, sz);
		break;
	}
	(void)f;
}

static void print_caps(const struct pci_func *f)
{
	static const char *const pm[] = { "?", "D0", "D1", "D2", "D3hot" };
	static const char *const speeds[] = { "?", "2.5GT/s", "5GT/s", "8GT/s", "16GT/s", "32GT/s", "64GT/s" };

	for (int i = 0; i < f->ncaps; i++) {
		const struct pci_cap *c = &f->cap[i];
		const char *n = c->ext ? pci_ext_cap_name(c->id) : pci_cap_name(c->id);

		if (c->ext)
			kprintf("\tCapabilities: [%03x v%u] %s", c->off, c->version, n ? n : "Unknown");
		else
			kprintf("\tCapabilities: [%02x] %s", c->off, n ? n : "Unknown");
		if (!n)
			kprintf(" (id 0x%02x)", c->id);
		if (!c->ext && c->id == PCI_CAP_ID_PM && f->pm_state <= 4)
			kprintf(", state %s", pm[f->pm_state]);
		if (!c->ext && c->id == PCI_CAP_ID_MSI)
			kprintf(": Enable%c 64bit%c", f->msi_enabled ? '+' : '-', f->msi_64 ? '+' : '-');
		if (!c->ext && c->id == PCI_CAP_ID_MSIX)
			kprintf(": Enable%c Count=%u", f->msix_enabled ? '+' : '-', f->msix_table_size);
		if (!c->ext && c->id == PCI_CAP_ID_EXP) {
			kprintf(" %s", pci_pcie_type_name((uint8_t)(f->pcie_type - 1)));
			if (f->link_width)
				kprintf(", link %s x%u", f->link_speed < 7 ? speeds[f->link_speed] : "?",
					f->link_width);
		}
		kprintf("\n");
	}
	if (f->cap_problem)
		kprintf("\tCapabilities: <%s at 0x%x; the rest not read>\n",
			f->cap_problem == PCI_CAPS_LOOP	       ? "list loops" :
			f->cap_problem == PCI_CAPS_BAD_POINTER ? "bad pointer" :
								 "too many entries",
			f->cap_problem_at);
}

void pci_print_verbose(const struct pci_func *f)
{
	const struct pciids *db = hw_pciids();
	char line[256], sub[NAME_MAX_LEN], vend[96];

	pci_lspci_line(f, line, sizeof(line));
	kprintf("%s\n", line);
	if (f->sub_vendor && f->sub_vendor != 0xFFFF) {
		if (!pciids_subsystem(db, f->vendor, f->device, f->sub_vendor, f->sub_device, sub, sizeof(sub))) {
			if (pciids_vendor(db, f->sub_vendor, vend, sizeof(vend)))
				ksnprintf(sub, sizeof(sub), "%s Device %04x", vend, f->sub_device);
			else
				ksnprintf(sub, sizeof(sub), "Device %04x:%04x", f->sub_vendor, f->sub_device);
		}
		kprintf("\tSubsystem: %s [%04x:%04x]\n", sub, f->sub_vendor, f->sub_device);
	}
	kprintf("\tFlags: %s%s%s", f->command & PCI_CMD_MASTER ? "bus master, " : "",
		f->command & PCI_CMD_MEM ? "mem, " : "", f->command & PCI_CMD_IO ? "io, " : "");
	if (f->irq_pin)
		kprintf("IRQ %u, pin %c", f->irq_line, 'A' + (f->irq_pin - 1) % 4);
	else
		kprintf("no IRQ pin");
	kprintf("\n");
	for (int b = 0; b < f->nbars; b++)
		print_bar(f, &f->bar[b]);
	if (f->header_type == PCI_HEADER_BRIDGE) {
		kprintf("\tBus: primary=%02x, secondary=%02x, subordinate=%02x\n", f->primary, f->secondary,
			f->subordinate);
		for (int w = 0; w < PCI_WINDOWS; w++) {
			const struct pci_window *win = &f->win[w];
			static const char *const label[] = { "I/O behind bridge", "Memory behind bridge",
							     "Prefetchable memory behind bridge" };

			if (win->valid)
				kprintf("\t%s: %08llx-%08llx%s\n", label[w], (unsigned long long)win->base,
					(unsigned long long)win->limit,
					w == PCI_WIN_PREF && win->wide ? " [64-bit]" : "");
			else
				kprintf("\t%s: [disabled]\n", label[w]);
		}
	}
	print_caps(f);
	kprintf("\n");
}

static void func_records(const struct pci_scan *s, int i)
{
	const struct pci_func *f = &s->f[i];
	const struct pciids *db = hw_pciids();
	char bdf[16], parent[16] = "", name[NAME_MAX_LEN], cls[96], caps[PCI_MAX_CAPS * 8], cnt[16];
	struct jrec r;
	size_t used = 0;

	pci_bdf(f, bdf, sizeof(bdf));
	if (f->parent >= 0)
		pci_bdf(&s->f[f->parent], parent, sizeof(parent));
	caps[0] = 0;
	for (int c = 0; c < f->ncaps && used + 8 < sizeof(caps); c++)
		used += (size_t)ksnprintf(caps + used, sizeof(caps) - used, "%s%s%02x", used ? "," : "",
					  f->cap[c].ext ? "e" : "", f->cap[c].id);
	jrec_begin(&r, "pci");
	jrec_str(&r, "bdf", bdf);
	jrec_hex(&r, "vendor", f->vendor);
	jrec_hex(&r, "device", f->device);
	jrec_hex(&r, "class", (uint64_t)f->class_code << 16 | (uint64_t)f->subclass << 8 | f->prog_if);
	jrec_hex(&r, "rev", f->revision);
	jrec_u64(&r, "header", f->header_type);
	jrec_hex(&r, "subsys_vendor", f->sub_vendor);
	jrec_hex(&r, "subsys_device", f->sub_device);
	jrec_hex(&r, "command", f->command);
	jrec_u64(&r, "irq_pin", f->irq_pin);
	jrec_str(&r, "parent", parent);
	jrec_str(&r, "name", pciids_describe(db, f->vendor, f->device, name, sizeof(name)));
	jrec_str(&r, "class_name", pciids_class_text(db, f->class_code, f->subclass, cls, sizeof(cls)));
	jrec_str(&r, "caps", caps);
	if (f->pcie_type)
		jrec_str(&r, "pcie_type", pci_pcie_type_name((uint8_t)(f->pcie_type - 1)));
	if (f->cap_problem)
		jrec_hex(&r, "cap_problem_at", f->cap_problem_at);
	if (f->header_type == PCI_HEADER_BRIDGE) {
		ksnprintf(cnt, sizeof(cnt), "%02x-%02x", f->secondary, f->subordinate);
		jrec_str(&r, "buses", cnt);
	}
	report_emit(&r);
	for (int b = 0; b < f->nbars; b++) {
		const struct pci_bar *bar = &f->bar[b];

		jrec_begin(&r, "pci_bar");
		jrec_str(&r, "bdf", bdf);
		jrec_u64(&r, "bar", bar->index);
		jrec_str(&r, "kind", bar_kinds[bar->kind]);
		jrec_bool(&r, "prefetch", bar->prefetch);
		jrec_hex(&r, "base", bar->base);
		jrec_hex(&r, "size", bar->size);
		jrec_bool(&r, "enabled", bar->enabled);
		report_emit(&r);
	}
	for (int w = 0; f->header_type == PCI_HEADER_BRIDGE && w < PCI_WINDOWS; w++) {
		if (!f->win[w].valid)
			continue;
		jrec_begin(&r, "pci_window");
		jrec_str(&r, "bdf", bdf);
		jrec_str(&r, "kind", win_kinds[w]);
		jrec_hex(&r, "base", f->win[w].base);
		jrec_hex(&r, "limit", f->win[w].limit);
		jrec_bool(&r, "wide", f->win[w].wide);
		report_emit(&r);
	}
}

void report_pci(void)
{
	const struct pci_scan *s = pci_state();
	const struct pci_ecam *ecam;
	int necam = pci_ecam_windows(&ecam);
	char line[256];
	struct jrec r;

	if (!s)
		return;
	if (report_human()) {
		kprintf("\nPCI: %d functions through %s", s->nfuncs, s->method);
		for (int i = 0; i < necam; i++)
			kprintf("%s%llx (segment %u, buses %02x-%02x)", i ? ", " : " at ",
				(unsigned long long)ecam[i].base, ecam[i].seg, ecam[i].bus_start, ecam[i].bus_end);
		kprintf("; %u config reads, %u writes, %llu us%s\n", s->cfg_reads, s->cfg_writes,
			(unsigned long long)(hw_pci_scan_ns() / 1000),
			hw_pciids()->text ? "" : "; no pci.ids, so numbers only");
		for (int i = 0; i < s->nfuncs; i++) {
			pci_lspci_line(&s->f[i], line, sizeof(line));
			kprintf("%s\n", line);
		}
		if (s->problems)
			kprintf("pci: scan problems 0x%x (too many functions, bus loops, too deep, bad bridges)\n",
				s->problems);
	}
	jrec_begin(&r, "pci_scan");
	jrec_str(&r, "method", s->method);
	jrec_u64(&r, "functions", (uint64_t)s->nfuncs);
	jrec_hex(&r, "problems", s->problems);
	jrec_u64(&r, "cfg_reads", s->cfg_reads);
	jrec_u64(&r, "cfg_writes", s->cfg_writes);
	jrec_u64(&r, "scan_ns", hw_pci_scan_ns());
	jrec_bool(&r, "pciids", hw_pciids()->text != NULL);
	jrec_u64(&r, "pciids_vendors", hw_pciids()->nvendors);
	if (necam) {
		jrec_hex(&r, "ecam", ecam[0].base);
		jrec_u64(&r, "ecam_bus_start", ecam[0].bus_start);
		jrec_u64(&r, "ecam_bus_end", ecam[0].bus_end);
	}
	report_emit(&r);
	if (report_json())
		for (int i = 0; i < s->nfuncs; i++)
			func_records(s, i);
}
