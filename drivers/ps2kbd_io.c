/* SPDX-License-Identifier: MIT */
/*
 * ps2kbd_io.c - the PS/2 keyboard on the running machine: the i8042's
 * ports (drivers/ps2kbd.c, which the host tests build with a simulated
 * controller, reaches it only through these), and finding it once, as the
 * ACPI FADT allows.
 */
#include "ps2kbd.h"

#include "acpi.h"
#include "x86.h"

static int probed;
static struct ps2kbd_info found;

static uint8_t port_in(uint16_t port)
{
	return inb(port);
}

static void port_out(uint16_t port, uint8_t v)
{
	outb(port, v);
}

static void relax(void)
{
	pause();
}

static enum ps2kbd_fadt fadt_says(void)
{
	struct acpi_info ai;

	if (acpi_init_kernel(&ai) < 0 || !ai.boot_arch_valid)
		return PS2KBD_FADT_UNKNOWN;
	return ai.boot_arch & ACPI_BOOT_ARCH_8042 ? PS2KBD_FADT_8042 : PS2KBD_FADT_NO_8042;
}

static const struct ps2kbd_ports ports = { port_in, port_out, relax };

int ps2kbd_present(void)
{
	if (!probed) {
		probed = 1;
		ps2kbd_set_ports(&ports);
		ps2kbd_probe(fadt_says(), &found);
	}
	return found.present;
}

const struct ps2kbd_info *ps2kbd_info(void)
{
	ps2kbd_present();
	return &found;
}
