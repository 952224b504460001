/* SPDX-License-Identifier: MIT */
/*
 * serialsel.c - which UART is the console. Early in kmain only COM1 (or the
 * port serial= names) can be probed; once the kernel's tables exist, ACPI's
 * SPCR table may name the machine's real console UART, in I/O space or
 * memory-mapped, and serial=auto then switches to it. A UART that does not
 * answer the probe is never used, so a wrong table cannot hang the output.
 */
#include "acpi.h"
#include "kernel.h"
#include "kvm.h"
#include "memlayout.h"
#include "serial.h"

static const char *source = "none";

void serial_select_early(void)
{
	const struct options *o = &g_boot->opts;

	if (o->serial == SERIAL_OFF) {
		serial_disable();
		source = "off";
		return;
	}
	if (serial_init(o->serial == SERIAL_PORT ? o->serial_port : COM1_PORT) == 0)
		source = o->serial == SERIAL_PORT ? "option" : "com1";
}

void serial_select_spcr(void)
{
	struct acpi_info ai;
	uint64_t virt;
	int err;

	if (g_boot->opts.serial != SERIAL_AUTO || acpi_init_kernel(&ai) < 0 || !acpi_spcr_usable(&ai))
		return;
	if (ai.spcr_space == ACPI_GAS_SPACE_IO) {
		if ((uint16_t)ai.spcr_addr == serial_port())
			source = "spcr";
		else if (serial_init((uint16_t)ai.spcr_addr) == 0)
			source = "spcr";
		else if (serial_init(COM1_PORT) == 0) /* back to what worked */
			kprintf("serial: SPCR names port 0x%llx, which does not answer; staying on COM1\n",
				(unsigned long long)ai.spcr_addr);
		return;
	}
	virt = kvm_map_mmio(ai.spcr_addr, PAGE_SIZE, VM_READ | VM_WRITE | VM_UC, "[uart]");
	if (!virt)
		return;
	err = serial_init_mmio(virt, ai.spcr_addr, ai.spcr_width);
	if (err) {
		serial_init(COM1_PORT);
		kprintf("serial: SPCR names an MMIO UART at 0x%llx, which does not answer (%d)\n",
			(unsigned long long)ai.spcr_addr, err);
		return;
	}
	source = "spcr";
}

const char *serial_source(void)
{
	return source;
}
