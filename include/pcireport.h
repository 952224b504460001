/* SPDX-License-Identifier: MIT */
/* pcireport.h - the PCI scan as lspci tells it, and as records (core/pcireport.c). */
#ifndef ATLAS_PCIREPORT_H
#define ATLAS_PCIREPORT_H

#include <stddef.h>

#include "pci.h"

/* "0000:00:02.0" */
void pci_bdf(const struct pci_func *f, char *buf, size_t size);
/* lspci -nn's line for f (without a newline); returns the length it needed. */
size_t pci_lspci_line(const struct pci_func *f, char *buf, size_t size);
/* lspci -v's paragraph for f: subsystem, flags, BARs, bridge windows, capabilities. */
void pci_print_verbose(const struct pci_func *f);
/* The boot scan: lspci -nn lines (human), pci_scan, pci, pci_bar, pci_window records (json). */
void report_pci(void);

#endif
