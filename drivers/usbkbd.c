/* SPDX-License-Identifier: MIT */
/*
 * usbkbd.c - the boot-protocol keyboard report decoder (see usbkbd.h). Pure:
 * drivers/usbdev.c feeds it the reports xHCI's polled event rings bring.
 */
#include "usbkbd.h"

#include "kbd.h"
#include "kstring.h"

#define MOD_LCTRL 0x01
#define MOD_LSHIFT 0x02
#define MOD_RCTRL 0x10
#define MOD_RSHIFT 0x20
#define USAGE_ROLLOVER 0x01
#define USAGE_A 0x04
#define USAGE_Z 0x1d
#define USAGE_1 0x1e
#define USAGE_0 0x27
#define USAGE_CAPS_LOCK 0x39
#define CTRL_MASK 0x1f

/* Usages 0x28..0x38: Enter, Esc, Backspace, Tab, Space, - = [ ] \ (0x32: non-US #) ; ' ` , . / */
static const char punct_plain[] = "\r\x1b\b\t -=[]\\#;'`,./";
static const char punct_shift[] = "\r\x1b\b\t _+{}|~:\"~<>?";
static const char digits_shift[] = "!@#$%^&*()";
#define USAGE_PUNCT_FIRST 0x28
#define USAGE_PUNCT_LAST 0x38

/* Usages 0x49..0x52 and the keypad's. */
static int special(uint8_t u)
{
	switch (u) {
	case 0x49:
		return KEY_INSERT;
	case 0x4a:
		return KEY_HOME;
	case 0x4b:
		return KEY_PGUP;
	case 0x4c:
		return KEY_DELETE;
	case 0x4d:
		return KEY_END;
	case 0x4e:
		return KEY_PGDN;
	case 0x4f:
		return KEY_RIGHT;
	case 0x50:
		return KEY_LEFT;
	case 0x51:
		return KEY_DOWN;
	case 0x52:
		return KEY_UP;
	case 0x54:
		return '/';
	case 0x55:
		return '*';
	case 0x56:
		return '-';
	case 0x57:
		return '+';
	case 0x58:
		return '\r';
	default:
		return -1;
	}
}

void usbkbd_decoder_init(struct usbkbd_decoder *d)
{
	memset(d, 0, sizeof(*d));
}

/* The key usage u gives with modifier byte mods, or -1. */
static int key_of(struct usbkbd_decoder *d, uint8_t u, uint8_t mods)
{
	int shift = !!(mods & (MOD_LSHIFT | MOD_RSHIFT)), ctrl = !!(mods & (MOD_LCTRL | MOD_RCTRL)), k;

	if (u >= USAGE_A && u <= USAGE_Z) {
		char c = (char)('a' + (u - USAGE_A));

		if (ctrl)
			return c & CTRL_MASK;
		return shift != d->caps ? c - 'a' + 'A' : c;
	}
	if (u >= USAGE_1 && u <= USAGE_0) {
		if (ctrl)
			return -1;
		return shift ? digits_shift[u - USAGE_1] : u == USAGE_0 ? '0' : '1' + (u - USAGE_1);
	}
	if (u >= USAGE_PUNCT_FIRST && u <= USAGE_PUNCT_LAST) {
		unsigned i = u - USAGE_PUNCT_FIRST;
		char c = shift ? punct_shift[i] : punct_plain[i];

		return ctrl && c > ' ' ? -1 : c;
	}
	k = special(u);
	if (k >= KEY_SPECIAL)
		k |= (shift ? KEY_MOD_SHIFT : 0) | (ctrl ? KEY_MOD_CTRL : 0);
	return k;
}

int usbkbd_decode(struct usbkbd_decoder *d, const uint8_t *r, unsigned len, int out[USBKBD_MAX_KEYS])
{
	uint8_t now[USBKBD_REPORT] = { 0 };
	int n = 0;

	if (len < 3)
		return 0;
	memcpy(now, r, len < USBKBD_REPORT ? len : USBKBD_REPORT);
	if (now[2] == USAGE_ROLLOVER)
		return 0; /* too many keys down: the report says nothing about which */
	for (unsigned i = 2; i < USBKBD_REPORT; i++) {
		uint8_t u = now[i];
		int held = 0, k;

		if (!u)
			continue;
		for (unsigned j = 2; j < USBKBD_REPORT; j++)
			held |= d->prev[j] == u;
		if (held)
			continue;
		if (u == USAGE_CAPS_LOCK) {
			d->caps = !d->caps;
			continue;
		}
		k = key_of(d, u, now[0]);
		if (k >= 0 && n < USBKBD_MAX_KEYS)
			out[n++] = k;
	}
	memcpy(d->prev, now, sizeof(now));
	return n;
}
