/* SPDX-License-Identifier: MIT */
/*
 * test_kbd.c - host tests for the keyboard path's pure parts: the serial
 * terminal's escape decoder and the queue (drivers/kbd.c), the USB boot
 * keyboard report decoder (drivers/usbkbd.c), and the console log's rings
 * (drivers/conlog.c). Sequences and usages are written out from the xterm
 * control-sequence list and the HID usage tables, not from the drivers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conlog.h"
#include "kbd.h"
#include "usbkbd.h"

/* Feed s to a fresh decoder; the keys as a string, specials as <name>. */
static const char *vt(const char *s)
{
	static const char *const names[] = { "up",  "down", "right", "left",   "home",
					     "end", "pgup", "pgdn",  "insert", "delete" };
	static char out[128];
	struct kbd_vt v;
	size_t k = 0;

	kbd_vt_init(&v);
	for (; *s; s++) {
		int keys[2], n = kbd_vt_feed(&v, (unsigned char)*s, keys);

		for (int i = 0; i < n; i++) {
			int c = keys[i];

			if (c >= KEY_SPECIAL)
				k += (size_t)snprintf(out + k, sizeof(out) - k, "<%s%s%s>",
						      c & KEY_MOD_CTRL ? "C-" : "", c & KEY_MOD_SHIFT ? "S-" : "",
						      names[KEY_CODE(c) - KEY_SPECIAL]);
			else if (c == KEY_ESC)
				k += (size_t)snprintf(out + k, sizeof(out) - k, "<esc>");
			else
				out[k++] = (char)c;
		}
	}
	out[k] = 0;
	return out;
}

static void test_vt_sequences(void **state)
{
	(void)state;
	assert_string_equal(vt("help\r"), "help\r");
	assert_string_equal(vt("\x1b[A\x1b[B\x1bOC\x1bOD"), "<up><down><right><left>");
	assert_string_equal(vt("\x1b[5~\x1b[6~\x1b[5;2~\x1b[6;2~"), "<pgup><pgdn><S-pgup><S-pgdn>");
	assert_string_equal(vt("\x1b[1~\x1b[4~\x1b[H\x1b[F\x1b[7~\x1b[8~"), "<home><end><home><end><home><end>");
	assert_string_equal(vt("\x1b[1;5A\x1b[1;6B\x1b[3~\x1b[2~"), "<C-up><C-S-down><delete><insert>");
	/* Unknown sequences (F5, a mouse report's prefix) vanish whole; the text around them stays. */
	assert_string_equal(vt("a\x1b[15~b\x1b[?1;2cc"), "abc");
	/* A lone Esc before a letter is Esc and the letter; Esc Esc is one Esc, then the next starts. */
	assert_string_equal(vt("\x1bq"), "<esc>q");
	assert_string_equal(vt("\x1b\x1b[A"), "<esc><up>");
	/* A control byte inside a sequence cancels it. */
	assert_string_equal(vt("\x1b[5\rx"), "x");
}

static void test_queue(void **state)
{
	(void)state;
	while (kbd_pop() >= 0)
		;
	assert_int_equal(kbd_pop(), -1);
	kbd_push('a');
	kbd_push(KEY_PGUP | KEY_MOD_SHIFT);
	assert_int_equal(kbd_pop(), 'a');
	assert_int_equal(kbd_pop(), KEY_PGUP | KEY_MOD_SHIFT);
	assert_int_equal(kbd_pop(), -1);
	/* A full queue drops the oldest and counts it. */
	for (int i = 0; i < KBD_QUEUE + 3; i++)
		kbd_push(i);
	assert_int_equal(kbd_dropped(), 3);
	for (int i = 3; i < KBD_QUEUE + 3; i++)
		assert_int_equal(kbd_pop(), i);
	assert_int_equal(kbd_pop(), -1);
}

static int usb(struct usbkbd_decoder *d, uint8_t mods, uint8_t k1, uint8_t k2, int out[6])
{
	uint8_t r[8] = { mods, 0, k1, k2, 0, 0, 0, 0 };

	return usbkbd_decode(d, r, sizeof(r), out);
}

static void test_usb_boot_reports(void **state)
{
	struct usbkbd_decoder d;
	int k[6];

	(void)state;
	usbkbd_decoder_init(&d);
	/* h (0x0b) pressed, still held, released: one key. */
	assert_int_equal(usb(&d, 0, 0x0b, 0, k), 1);
	assert_int_equal(k[0], 'h');
	assert_int_equal(usb(&d, 0, 0x0b, 0, k), 0);
	assert_int_equal(usb(&d, 0, 0, 0, k), 0);
	/* Left Shift + 1 = '!', right Shift + / (0x38) = '?', Enter (0x28), Backspace (0x2a), Esc (0x29). */
	assert_int_equal(usb(&d, 0x02, 0x1e, 0, k), 1);
	assert_int_equal(k[0], '!');
	assert_int_equal(usb(&d, 0x20, 0x38, 0, k), 1);
	assert_int_equal(k[0], '?');
	assert_int_equal(usb(&d, 0, 0x28, 0x2a, k), 2);
	assert_int_equal(k[0], '\r');
	assert_int_equal(k[1], '\b');
	assert_int_equal(usb(&d, 0, 0x29, 0, k), 1);
	assert_int_equal(k[0], KEY_ESC);
	/* Two keys in one report while the first is held: only the new one. */
	assert_int_equal(usb(&d, 0, 0x04, 0, k), 1);
	assert_int_equal(usb(&d, 0, 0x04, 0x05, k), 1);
	assert_int_equal(k[0], 'b');
	/* Ctrl-U (left Ctrl 0x01, u 0x18), Shift+PgUp (0x4b), PgDn (0x4e), Up (0x52). */
	usb(&d, 0, 0, 0, k);
	assert_int_equal(usb(&d, 0x01, 0x18, 0, k), 1);
	assert_int_equal(k[0], 0x15);
	assert_int_equal(usb(&d, 0x02, 0x4b, 0, k), 1);
	assert_int_equal(k[0], KEY_PGUP | KEY_MOD_SHIFT);
	assert_int_equal(usb(&d, 0, 0x4e, 0x52, k), 2);
	assert_int_equal(k[0], KEY_PGDN);
	assert_int_equal(k[1], KEY_UP);
	/* Caps Lock (0x39) toggles letters, not digits; rollover (0x01) changes nothing. */
	usb(&d, 0, 0, 0, k);
	assert_int_equal(usb(&d, 0, 0x39, 0, k), 0);
	assert_int_equal(usb(&d, 0, 0x04, 0x1f, k), 2);
	assert_int_equal(k[0], 'A');
	assert_int_equal(k[1], '2');
	assert_int_equal(usb(&d, 0, 0x01, 0x01, k), 0);
	assert_int_equal(usb(&d, 0, 0x04, 0x1f, k), 0); /* still held, as before the rollover */
	/* Too short a report is ignored. */
	assert_int_equal(usbkbd_decode(&d, (const uint8_t *)"\0", 1, k), 0);
}

static char text[64];
static uint64_t starts[4];

static const char *line(uint64_t n)
{
	static char buf[80];

	return conlog_line(n, buf, sizeof(buf)) < 0 ? "(gone)" : buf;
}

static void test_conlog_rings(void **state)
{
	(void)state;
	assert_int_equal(conlog_line(0, text, sizeof(text)), -1); /* not set up */
	conlog_setup(text, 16, starts, 4);
	conlog_write("one\r\ntwo\n", 9);
	assert_int_equal(conlog_first(), 0);
	assert_int_equal(conlog_end(), 2);
	assert_string_equal(line(0), "one");
	assert_string_equal(line(1), "two");
	conlog_write("thr", 3); /* the unfinished line counts */
	assert_int_equal(conlog_end(), 3);
	assert_string_equal(line(2), "thr");
	/* Four line slots: a fourth line pushes the first out. */
	conlog_write("ee\nfour\n", 8);
	assert_int_equal(conlog_first(), 1);
	assert_string_equal(line(0), "(gone)");
	assert_string_equal(line(2), "three");
	/* 16 bytes of text: "two" + "three" + "four" is 12; "fiftyfive" overwrites "two" and "three". */
	conlog_write("fiftyfive", 9);
	assert_int_equal(conlog_first(), 3);
	assert_string_equal(line(3), "four");
	assert_string_equal(line(4), "fiftyfive");
	/* Search, any case, both ways. */
	assert_int_equal(conlog_search(0, 1, "FIVE"), 4);
	assert_int_equal(conlog_search(4, -1, "our"), 3);
	assert_int_equal(conlog_search(0, 1, "two"), -1);
	/* A line longer than the ring keeps its last bytes. */
	conlog_write("\n0123456789abcdefghij", 21);
	assert_string_equal(line(5), "456789abcdefghij");
	assert_int_equal(conlog_first(), 5);
	/* A cut copy still says the whole length. */
	assert_int_equal(conlog_line(5, text + 48, 4), 16);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vt_sequences),
		cmocka_unit_test(test_queue),
		cmocka_unit_test(test_usb_boot_reports),
		cmocka_unit_test(test_conlog_rings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
