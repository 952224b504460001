/* SPDX-License-Identifier: MIT */
/*
 * iomemreport.h - this machine's physical address tree (core/iomemreport.c),
 * built from every source core/iomem.c takes, and told as Linux tells it.
 */
#ifndef ATLAS_IOMEMREPORT_H
#define ATLAS_IOMEMREPORT_H

#include <stddef.h>

#include "iomem.h"

/*
 * /proc/iomem and /proc/ioports exactly as Linux prints them (two spaces per
 * level, at least 8 / 4 hex digits, inclusive ends). Write like snprintf:
 * return the length the whole text needs. The tree is built on first use
 * (after hwinfo_init) and kept; iomem_refresh rebuilds it (the kernel's own
 * pages move as the heap grows).
 */
long iomem_format(char *buf, size_t size);
long ioports_format(char *buf, size_t size);
void iomem_refresh(void);

/* The built tree (io: the I/O-port one), pre-order; and the inputs the nodes' src index. */
const struct iomem_node *iomem_nodes(int io, int *count);
const struct iomem_in *iomem_inputs(int *count);

/* Human text (with the conflicts listed) and one {"rec":"iomem"} / {"rec":"ioports"} per node. */
void report_iomem(void);
void report_ioports(void);

#endif
