/* SPDX-License-Identifier: MIT */
/*
 * fwreport.c - the firmware's tables told: the ACPI list as `acpidump -s`
 * (and Linux's boot log) prints it, with each checksum verified, and the
 * SMBIOS summary dmidecode's first pages give; {"rec":"acpi_table"},
 * {"rec":"smbios"}, {"rec":"smbios_cpu"}, {"rec":"smbios_mem"}. Also the
 * boot-time hardware report as a whole (report_hw).
 */
#include "fwreport.h"

#include "hwinfo.h"
#include "iomemreport.h"
#include "json.h"
#include "kernel.h"
#include "kstring.h"
#include "pci.h"
#include "pcireport.h"
#include "record.h"
#include "x86.h"

size_t acpi_table_line(const struct acpi_table_ent *t, char *buf, size_t size)
{
	size_t n;

	/* ACPICA's acpi_tb_print_table_header, as Linux's boot log and acpidump -s show it. */
	if (!strcmp(t->sig, "RSDP"))
		n = (size_t)ksnprintf(buf, size, "ACPI: RSDP 0x%016llX %06X (v%02u %-6.6s)",
				      (unsigned long long)t->phys, t->length, t->revision, t->oem_id);
	else if (!t->header)
		n = (size_t)ksnprintf(buf, size, "ACPI: %-4.4s 0x%016llX %06X", t->sig, (unsigned long long)t->phys,
				      t->length);
	else
		n = (size_t)ksnprintf(buf, size, "ACPI: %-4.4s 0x%016llX %06X (v%02u %-6.6s %-8.8s %08X %-4.4s %08X)",
				      t->sig, (unsigned long long)t->phys, t->length, t->revision, t->oem_id,
				      t->oem_table_id, t->oem_revision, t->creator_id, t->creator_revision);
	if (t->problem[0])
		n += (size_t)ksnprintf(n < size ? buf + n : NULL, n < size ? size - n : 0, " <BAD: %s>", t->problem);
	return n;
}

void report_acpi_tables(void)
{
	const struct acpi_survey *s = hw_acpi();
	char line[192];
	struct jrec r;

	if (report_human()) {
		kprintf("\nACPI tables (acpidump -s; every checksum verified):\n");
		if (!s->ntables)
			kprintf("  none: %s\n",
				g_boot->rsdp ? "the RSDP is not valid" : "the firmware published no RSDP");
		for (int i = 0; i < s->ntables; i++) {
			acpi_table_line(&s->t[i], line, sizeof(line));
			kprintf("%s\n", line);
		}
		kprintf("%d tables, %d with a bad checksum or structure\n", s->ntables, s->bad);
	}
	for (int i = 0; i < s->ntables; i++) {
		const struct acpi_table_ent *t = &s->t[i];

		jrec_begin(&r, "acpi_table");
		jrec_str(&r, "sig", t->sig);
		jrec_hex(&r, "phys", t->phys);
		jrec_u64(&r, "length", t->length);
		jrec_u64(&r, "revision", t->revision);
		jrec_str(&r, "oem_id", t->oem_id);
		jrec_str(&r, "oem_table_id", t->oem_table_id);
		jrec_hex(&r, "oem_revision", t->oem_revision);
		jrec_str(&r, "creator_id", t->creator_id);
		jrec_hex(&r, "creator_revision", t->creator_revision);
		jrec_bool(&r, "checksum_ok", t->checksum_ok);
		jrec_str(&r, "problem", t->problem);
		report_emit(&r);
	}
}

static const char *or_none(const char *s)
{
	return s[0] ? s : "(not set)";
}

void report_smbios(void)
{
	const struct smbios_info *m = hw_smbios();
	struct jrec r;

	if (report_human()) {
		kprintf("\nSMBIOS (dmidecode summary):\n");
		if (!m->valid) {
			kprintf("  none: %s\n", m->problem);
		} else {
			kprintf("SMBIOS %u.%u present, %s entry point at 0x%llx; table at 0x%llx, %u bytes, %u structures%s%s\n",
				m->major, m->minor, m->ep3 ? "64-bit (3.0)" : "32-bit (2.1)",
				(unsigned long long)g_boot->smbios_ep_phys, (unsigned long long)m->table_phys,
				m->table_len, m->nstructs, m->problem[0] ? "; " : "", m->problem);
			kprintf("BIOS:      %s, version %s, released %s\n", or_none(m->bios_vendor),
				or_none(m->bios_version), or_none(m->bios_date));
			kprintf("System:    %s %s, version %s, serial %s, UUID %s\n", or_none(m->sys_manufacturer),
				or_none(m->sys_product), or_none(m->sys_version), or_none(m->sys_serial),
				or_none(m->sys_uuid));
			if (m->board_manufacturer[0] || m->board_product[0])
				kprintf("Board:     %s %s, version %s, serial %s\n", or_none(m->board_manufacturer),
					or_none(m->board_product), or_none(m->board_version), or_none(m->board_serial));
			for (int i = 0; i < m->ncpus; i++)
				kprintf("Processor: %s: %s %s, %u MHz (max %u), %u cores, %u threads\n",
					or_none(m->cpu[i].socket), or_none(m->cpu[i].manufacturer),
					or_none(m->cpu[i].version), m->cpu[i].cur_mhz, m->cpu[i].max_mhz,
					m->cpu[i].cores, m->cpu[i].threads);
			for (int i = 0; i < m->nmem; i++) {
				const struct smbios_mem *d = &m->mem[i];

				kprintf("Memory:    %s (%s): %llu MB %s, %u MT/s, %s, part %s, serial %s\n",
					or_none(d->locator), or_none(d->bank), (unsigned long long)(d->size_kib >> 10),
					smbios_mem_type_name(d->type), d->speed_mts, or_none(d->manufacturer),
					or_none(d->part), or_none(d->serial));
			}
		}
	}
	jrec_begin(&r, "smbios");
	jrec_bool(&r, "present", m->valid);
	if (m->valid) {
		char v[16];

		ksnprintf(v, sizeof(v), "%u.%u", m->major, m->minor);
		jrec_str(&r, "version", v);
		jrec_bool(&r, "ep3", m->ep3);
		jrec_hex(&r, "entry", g_boot->smbios_ep_phys);
		jrec_hex(&r, "table", m->table_phys);
		jrec_u64(&r, "table_len", m->table_len);
		jrec_u64(&r, "structures", m->nstructs);
		jrec_str(&r, "bios_vendor", m->bios_vendor);
		jrec_str(&r, "bios_version", m->bios_version);
		jrec_str(&r, "bios_date", m->bios_date);
		jrec_str(&r, "sys_manufacturer", m->sys_manufacturer);
		jrec_str(&r, "sys_product", m->sys_product);
		jrec_str(&r, "sys_version", m->sys_version);
		jrec_str(&r, "sys_serial", m->sys_serial);
		jrec_str(&r, "sys_uuid", m->sys_uuid);
		jrec_str(&r, "sys_sku", m->sys_sku);
		jrec_str(&r, "sys_family", m->sys_family);
		jrec_str(&r, "board_manufacturer", m->board_manufacturer);
		jrec_str(&r, "board_product", m->board_product);
		jrec_u64(&r, "mem_total_kib", m->mem_total_kib);
	}
	jrec_str(&r, "problem", m->problem);
	report_emit(&r);
	for (int i = 0; m->valid && i < m->ncpus; i++) {
		jrec_begin(&r, "smbios_cpu");
		jrec_str(&r, "socket", m->cpu[i].socket);
		jrec_str(&r, "manufacturer", m->cpu[i].manufacturer);
		jrec_str(&r, "version", m->cpu[i].version);
		jrec_u64(&r, "cur_mhz", m->cpu[i].cur_mhz);
		jrec_u64(&r, "max_mhz", m->cpu[i].max_mhz);
		jrec_u64(&r, "cores", m->cpu[i].cores);
		jrec_u64(&r, "threads", m->cpu[i].threads);
		report_emit(&r);
	}
	for (int i = 0; m->valid && i < m->nmem; i++) {
		const struct smbios_mem *d = &m->mem[i];

		jrec_begin(&r, "smbios_mem");
		jrec_str(&r, "locator", d->locator);
		jrec_str(&r, "bank", d->bank);
		jrec_u64(&r, "size_kib", d->size_kib);
		jrec_str(&r, "type", smbios_mem_type_name(d->type));
		jrec_u64(&r, "speed_mts", d->speed_mts);
		jrec_u64(&r, "configured_mts", d->configured_mts);
		jrec_str(&r, "manufacturer", d->manufacturer);
		jrec_str(&r, "serial", d->serial);
		jrec_str(&r, "part", d->part);
		report_emit(&r);
	}
}

/* hw=summary: one line and one record with the counts (the monitor and hw=full have the rest). */
static void report_hw_summary(void)
{
	const struct pci_scan *s = pci_state();
	const struct acpi_survey *as = hw_acpi();
	const struct smbios_info *m = hw_smbios();
	const struct iomem_node *n;
	int nn, conflicts = 0, unlisted = 0;
	struct jrec r;

	n = iomem_nodes(0, &nn);
	for (int i = 0; i < nn; i++) {
		unlisted += !!(n[i].flags & IOMEM_F_NOT_IN_MEMMAP);
		conflicts += !!(n[i].flags & ~IOMEM_F_NOT_IN_MEMMAP);
	}
	if (report_human())
		kprintf("\nHardware: %d PCI functions (%s); %d ACPI tables, %d bad; SMBIOS %s%u.%u; "
			"iomem %d ranges, %d conflicts, %d MMIO not in the UEFI map (hw=full, or the monitor's "
			"lspci, iomem, ioports, acpi, dmi, for all of it)\n",
			s ? s->nfuncs : 0, s ? s->method : "none", as->ntables, as->bad, m->valid ? "" : "none ",
			m->major, m->minor, nn, conflicts, unlisted);
	jrec_begin(&r, "hw");
	jrec_str(&r, "pci_method", s ? s->method : "none");
	jrec_u64(&r, "pci_functions", s ? (uint64_t)s->nfuncs : 0);
	jrec_u64(&r, "acpi_tables", (uint64_t)as->ntables);
	jrec_u64(&r, "acpi_bad", (uint64_t)as->bad);
	jrec_bool(&r, "smbios", m->valid);
	jrec_u64(&r, "iomem_ranges", (uint64_t)nn);
	jrec_u64(&r, "conflicts", (uint64_t)conflicts);
	jrec_u64(&r, "not_in_memmap", (uint64_t)unlisted);
	report_emit(&r);
}

void report_hw(void)
{
	if (g_boot->opts.hw == HW_FULL) {
		report_pci();
		report_iomem();
		report_ioports();
		report_acpi_tables();
		report_smbios();
	} else {
		report_hw_summary();
	}
	g_boot->tsc.hw_done = rdtsc();
}
