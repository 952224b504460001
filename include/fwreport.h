/* SPDX-License-Identifier: MIT */
/* fwreport.h - the ACPI table list and the SMBIOS summary, told (core/fwreport.c). */
#ifndef ATLAS_FWREPORT_H
#define ATLAS_FWREPORT_H

#include <stddef.h>

#include "acpi_tables.h"

/* One `acpidump -s` line for t (no newline), with " <BAD: ...>" when something is wrong; returns the length needed. */
size_t acpi_table_line(const struct acpi_table_ent *t, char *buf, size_t size);
/* Every table (human) and {"rec":"acpi_table"} each. */
void report_acpi_tables(void);
/* The dmidecode-style summary and {"rec":"smbios"}, {"rec":"smbios_cpu"}, {"rec":"smbios_mem"}. */
void report_smbios(void);

#endif
