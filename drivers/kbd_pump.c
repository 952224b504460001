/* SPDX-License-Identifier: MIT */
/*
 * kbd_pump.c - the keyboard queue on the running machine (see kbd.h): the
 * pump that asks each source for keys (the UART through the escape decoder,
 * the i8042, the xHCI keyboards' event rings), and which sources there are.
 * The decoder and the queue (drivers/kbd.c) are built into the host tests.
 */
#include "kbd.h"

#include "ps2kbd.h"
#include "serial.h"
#include "usbkbd.h"
#include "xhci.h"

#define SERIAL_BYTES_PER_READ 16 /* a burst of typed bytes (a pasted line) in one pump */

static struct kbd_vt vt;

int kbd_read(void)
{
	int c, n, out[2];

	/*
	 * Only what the queue has room for: a byte left in the UART (or the
	 * i8042) waits there, a byte taken into a full queue would be lost.
	 */
	for (int i = 0; i < SERIAL_BYTES_PER_READ && kbd_room() >= 2 && (c = serial_read_byte()) >= 0; i++) {
		n = kbd_vt_feed(&vt, c, out);
		for (int k = 0; k < n; k++)
			kbd_push_from(out[k], KBD_SRC_SERIAL);
	}
	while (kbd_room() && (c = ps2kbd_read_char()) >= 0)
		kbd_push_from(c, KBD_SRC_PS2);
	if (kbd_room() >= USBKBD_MAX_KEYS)
		xhci_poll();
	return kbd_pop();
}

unsigned kbd_sources(void)
{
	return (serial_present() ? KBD_SRC_SERIAL : 0) | (ps2kbd_present() ? KBD_SRC_PS2 : 0) |
	       (xhci_keyboards() ? KBD_SRC_USB : 0);
}
