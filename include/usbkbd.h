/* SPDX-License-Identifier: MIT */
/*
 * usbkbd.h - USB HID keyboards in boot protocol, behind xHCI (drivers/xhci.c).
 *
 * The boot protocol report (HID 1.11, appendix B.1) is 8 bytes: a modifier
 * byte (bit 0 left Ctrl, 1 left Shift, 2 left Alt, 3 left GUI, 4..7 the
 * right ones), a reserved byte, and up to six usage IDs (HID Usage Tables,
 * page 7) of the keys held down; 0x01 in every slot is a rollover error. A
 * key press is a usage that was not in the previous report.
 *
 * The decoder is pure (host-tested); it gives kbd.h keys, US layout, as the
 * PS/2 decoder does, so every keyboard types the same.
 */
#ifndef ATLAS_USBKBD_H
#define ATLAS_USBKBD_H

#include <stdint.h>

#define USBKBD_REPORT 8
#define USBKBD_MAX_KEYS 6

struct usbkbd_decoder {
	uint8_t prev[USBKBD_REPORT];
	int caps;
};

void usbkbd_decoder_init(struct usbkbd_decoder *d);

/*
 * Decode one report r[0..len) (len >= 3; a shorter one is ignored). Stores
 * the keys pressed since the previous report in out[] (at most
 * USBKBD_MAX_KEYS) and returns how many. A rollover report changes nothing.
 */
int usbkbd_decode(struct usbkbd_decoder *d, const uint8_t *r, unsigned len, int out[USBKBD_MAX_KEYS]);

#endif
