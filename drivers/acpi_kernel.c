/* SPDX-License-Identifier: MIT */
/*
 * acpi_kernel.c - ACPI on the running machine (drivers/acpi.c is the part
 * the host tests build too): the fixed-hardware registers through port I/O,
 * and the firmware's tables through the direct map.
 */
#include "acpi.h"

#include "kernel.h"
#include "kerrno.h"
#include "kstring.h"
#include "kvm.h"
#include "memlayout.h"
#include "x86.h"

/* How long a power-off or reset write may take to act: ~1 s at 3 GHz, longer on slower TSCs. */
#define ACPI_SETTLE_TSC_TICKS 3000000000ULL

static void port_outb(uint16_t port, uint8_t v)
{
	outb(port, v);
}

static void port_outw(uint16_t port, uint16_t v)
{
	outw(port, v);
}

static uint16_t port_inw(uint16_t port)
{
	return inw(port);
}

/* Wait a bounded time for the chipset to act on a power-off or reset write. */
static void settle(void)
{
	uint64_t t0 = rdtsc();

	while (rdtsc() - t0 < ACPI_SETTLE_TSC_TICKS)
		pause();
}

const void *acpi_kernel_p2v(uint64_t phys)
{
	return PHYS_TO_DIRECT(phys);
}

static const struct acpi_io ports = { port_outb, port_outw, port_inw, settle };

int acpi_init_kernel(struct acpi_info *ai)
{
	acpi_set_io(&ports);
	if (!g_boot || !g_boot->rsdp) {
		memset(ai, 0, sizeof(*ai));
		return -ENOENT;
	}
	return acpi_init(ai, g_boot->rsdp, acpi_kernel_p2v, kvm_direct_ok);
}
