/* SPDX-License-Identifier: MIT */
/*
 * test_ps2kbd.c - host tests for drivers/ps2kbd.c.
 *
 * The decoder is fed byte sequences written out here by hand from the scan
 * code tables (set 1 and set 2), not derived from the driver's own tables.
 * The controller is a small model of an i8042 behind the ports the test
 * gives the driver (sim_in, sim_out): an output queue (each byte tagged keyboard or
 * mouse), the configuration byte, a keyboard that answers "get scan code
 * set", and faults (nothing on the bus, a mute controller, a stuck input
 * buffer). Every port access is counted, so a probe that never gives up
 * fails the test instead of hanging it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kbd.h"
#include "kerrno.h"
#include "ps2kbd.h"

/* Independent of the driver's names: the ports and bits as the PC/AT defines them. */
#define DATA 0x60
#define STATUS 0x64
#define ST_OBF 0x01
#define ST_IBF 0x02
#define ST_AUX 0x20
#define ST_PARITY 0x80
#define CFG_XLAT 0x40
#define ACK 0xFA
#define ACCESS_LIMIT 2000000 /* far above any bounded wait in the driver */
#define QMAX 64
#define LOGMAX 64

static struct {
	enum { CTL_OK, CTL_ABSENT, CTL_MUTE, CTL_IBF_STUCK } mode;
	uint8_t queue[QMAX];
	uint8_t aux[QMAX];
	uint8_t err[QMAX];
	int head, tail;
	uint8_t config;
	int kbd_set;	/* what "get scan code set" answers; 0: the keyboard does not answer */
	int expect_set; /* the keyboard got F0 and waits for its argument */
	uint8_t cmds[LOGMAX];
	int ncmds;
	uint8_t data_writes[LOGMAX];
	int ndata;
	long accesses;
} ctl;

static void push(uint8_t b, int aux, int err)
{
	assert_true(ctl.tail < QMAX);
	ctl.aux[ctl.tail] = (uint8_t)aux;
	ctl.err[ctl.tail] = (uint8_t)err;
	ctl.queue[ctl.tail++] = b;
}

static void count_access(void)
{
	if (++ctl.accesses > ACCESS_LIMIT)
		fail_msg("more than %d port accesses: a wait is not bounded", ACCESS_LIMIT);
}

static void sim_relax(void)
{
}

static uint8_t sim_in(uint16_t port)
{
	count_access();
	if (ctl.mode == CTL_ABSENT)
		return 0xFF;
	if (port == STATUS) {
		uint8_t st = 0;

		if (ctl.mode == CTL_IBF_STUCK)
			st |= ST_IBF;
		if (ctl.head < ctl.tail) {
			st |= ST_OBF;
			if (ctl.aux[ctl.head])
				st |= ST_AUX;
			if (ctl.err[ctl.head])
				st |= ST_PARITY;
		}
		return st;
	}
	assert_int_equal(port, DATA);
	return ctl.head < ctl.tail ? ctl.queue[ctl.head++] : 0;
}

static void sim_out(uint16_t port, uint8_t v)
{
	count_access();
	if (ctl.mode != CTL_OK)
		return;
	if (port == STATUS) {
		assert_true(ctl.ncmds < LOGMAX);
		ctl.cmds[ctl.ncmds++] = v;
		if (v == 0x20)
			push(ctl.config, 0, 0);
		return;
	}
	assert_int_equal(port, DATA);
	assert_true(ctl.ndata < LOGMAX);
	ctl.data_writes[ctl.ndata++] = v;
	if (!ctl.kbd_set)
		return;
	if (ctl.expect_set) {
		ctl.expect_set = 0;
		push(ACK, 0, 0);
		if (v == 0)
			push((uint8_t)ctl.kbd_set, 0, 0);
	} else if (v == 0xF0) {
		ctl.expect_set = 1;
		push(ACK, 0, 0);
	}
}

static const struct ps2kbd_ports sim_ports = { sim_in, sim_out, sim_relax };

static int setup(void **state)
{
	(void)state;
	ps2kbd_set_ports(&sim_ports);
	memset(&ctl, 0, sizeof(ctl));
	ctl.config = CFG_XLAT | 0x05; /* translation on, keyboard interrupt and system flag set */
	return 0;
}

/* Feed bytes to a decoder; the characters it gives, as a string. */
static const char *feed(struct ps2kbd_decoder *d, const uint8_t *b, size_t n)
{
	static char out[64];
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		int c = ps2kbd_decode(d, b[i]);

		if (c >= KEY_SPECIAL) {
			/* Special keys as <name>, <S-name> with Shift, <C-name> with Ctrl. */
			static const char *const names[] = { "up",  "down", "right", "left",   "home",
							     "end", "pgup", "pgdn",  "insert", "delete" };
			int code = KEY_CODE(c) - KEY_SPECIAL;

			assert_true(code >= 0 && code < (int)(sizeof(names) / sizeof(names[0])));
			k += (size_t)snprintf(out + k, sizeof(out) - k, "<%s%s%s>", c & KEY_MOD_CTRL ? "C-" : "",
					      c & KEY_MOD_SHIFT ? "S-" : "", names[code]);
			assert_true(k + 1 < sizeof(out));
		} else if (c >= 0) {
			assert_true(c > 0 && c < 0x80);
			assert_true(k + 1 < sizeof(out));
			out[k++] = (char)c;
		}
	}
	out[k] = 0;
	return out;
}

#define FEED(d, ...)                                           \
	({                                                     \
		static const uint8_t seq_[] = { __VA_ARGS__ }; \
		feed(d, seq_, sizeof(seq_));                   \
	})

/* ---- decoder: set 1 ---- */

static void test_set1_letters_digits_shift_caps(void **state)
{
	struct ps2kbd_decoder d;

	(void)state;
	ps2kbd_decoder_init(&d, PS2KBD_SET1);
	/* c p u Enter: make and break codes. */
	assert_string_equal(FEED(&d, 0x2E, 0xAE, 0x19, 0x99, 0x16, 0x96, 0x1C, 0x9C), "cpu\r");
	/* Shift-h i Shift-1 (left shift held for H, right shift for !). */
	assert_string_equal(FEED(&d, 0x2A, 0x23, 0xA3, 0xAA, 0x17, 0x97, 0x36, 0x02, 0x82, 0xB6), "Hi!");
	/* Caps Lock: letters upper case, digits not; Shift inverts it for letters. */
	assert_string_equal(FEED(&d, 0x3A, 0xBA, 0x1E, 0x9E, 0x03, 0x83, 0x2A, 0x1E, 0x9E, 0xAA), "A2a");
	assert_string_equal(FEED(&d, 0x3A, 0xBA, 0x1E, 0x9E), "a");
	/* Punctuation, both ways: - = [ ] ; ' ` \ , . / space. */
	assert_string_equal(FEED(&d, 0x0C, 0x0D, 0x1A, 0x1B, 0x27, 0x28, 0x29, 0x2B, 0x33, 0x34, 0x35, 0x39),
			    "-=[];'`\\,./ ");
	assert_string_equal(FEED(&d, 0x36, 0x0C, 0x0D, 0x1A, 0x1B, 0x27, 0x28, 0x29, 0x2B, 0x33, 0x34, 0x35, 0xB6),
			    "_+{}:\"~|<>?");
	/* Backspace, Tab; the whole digit row. */
	assert_string_equal(FEED(&d, 0x0E, 0x8E, 0x0F), "\b\t");
	assert_string_equal(FEED(&d, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B), "1234567890");
	assert_string_equal(FEED(&d, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19), "qwertyuiop");
	assert_string_equal(FEED(&d, 0x1E, 0x1F, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26), "asdfghjkl");
	assert_string_equal(FEED(&d, 0x2C, 0x2D, 0x2E, 0x2F, 0x30, 0x31, 0x32), "zxcvbnm");
}

static void test_set1_ctrl_keypad_and_silent_keys(void **state)
{
	struct ps2kbd_decoder d;

	(void)state;
	ps2kbd_decoder_init(&d, PS2KBD_SET1);
	/* Ctrl-U (left Ctrl), Ctrl-c (right Ctrl: E0 1D); Ctrl with a digit gives nothing. */
	assert_string_equal(FEED(&d, 0x1D, 0x16, 0x96, 0x9D), "\x15");
	assert_string_equal(FEED(&d, 0xE0, 0x1D, 0x2E, 0xE0, 0x9D, 0x2E), "\x03"
									  "c");
	assert_string_equal(FEED(&d, 0x1D, 0x02, 0x9D, 0x02), "1");
	/* Keypad Enter, /, *, -, +. */
	assert_string_equal(FEED(&d, 0xE0, 0x1C, 0xE0, 0x9C, 0xE0, 0x35, 0x37, 0x4A, 0x4E), "\r/*-+");
	/* Esc; Alt, F1 and Num Lock: nothing; arrows (with and without fake shifts) are special keys. */
	assert_string_equal(FEED(&d, 0x01, 0x81, 0x38, 0xB8, 0x3B, 0xBB, 0xE0, 0x48, 0xE0, 0xC8, 0xE0, 0x2A, 0xE0, 0x50,
				 0xE0, 0xD0, 0xE0, 0xAA, 0x45, 0xC5),
			    "\x1b<up><down>");
	/* Shift+PgUp, PgDn, Ctrl+Home, End (the scrollback's and the pager's keys). */
	assert_string_equal(FEED(&d, 0x2A, 0xE0, 0x49, 0xE0, 0xC9, 0xAA, 0xE0, 0x51, 0x1D, 0xE0, 0x47, 0x9D, 0xE0,
				 0x4F),
			    "<S-pgup><pgdn><C-home><end>");
	/* A fake shift (E0 2A) does not shift what follows. */
	assert_string_equal(FEED(&d, 0xE0, 0x2A, 0x1E, 0xE0, 0xAA), "a");
	/* Pause (E1 1D 45 E1 9D C5) and controller answers leave no trace. */
	assert_string_equal(FEED(&d, 0xE1, 0x1D, 0x45, 0xE1, 0x9D, 0xC5, 0xFA, 0xFE, 0xEE, 0x00, 0x1F), "s");
	/* An answer between E0 and its code cancels the prefix: this Shift is a real one. */
	assert_string_equal(FEED(&d, 0xE0, 0xFA, 0x2A, 0x1E, 0xAA), "A");
}

/* ---- decoder: set 2 ---- */

static void test_set2(void **state)
{
	struct ps2kbd_decoder d;

	(void)state;
	ps2kbd_decoder_init(&d, PS2KBD_SET2);
	/* h e l p Enter, with F0 releases. */
	assert_string_equal(FEED(&d, 0x33, 0xF0, 0x33, 0x24, 0xF0, 0x24, 0x4B, 0xF0, 0x4B, 0x4D, 0xF0, 0x4D, 0x5A, 0xF0,
				 0x5A),
			    "help\r");
	/* Left Shift (12) + 1 = !, right Shift (59) + / = ?, released shift: / again. */
	assert_string_equal(FEED(&d, 0x12, 0x16, 0xF0, 0x16, 0xF0, 0x12, 0x59, 0x4A, 0xF0, 0x59, 0x4A), "!?/");
	/* Caps Lock (58), Ctrl (14) + u (3C), right Ctrl (E0 14) + c (21). */
	assert_string_equal(FEED(&d, 0x58, 0xF0, 0x58, 0x1C, 0x58, 0xF0, 0x58, 0x1C), "Aa");
	assert_string_equal(FEED(&d, 0x14, 0x3C, 0xF0, 0x3C, 0xF0, 0x14, 0x3C), "\x15u");
	assert_string_equal(FEED(&d, 0xE0, 0x14, 0x21, 0xE0, 0xF0, 0x14, 0x21), "\x03"
										"c");
	/* Backspace (66), Tab (0D), space (29), keypad Enter (E0 5A) and / (E0 4A). */
	assert_string_equal(FEED(&d, 0x66, 0x0D, 0x29, 0xE0, 0x5A, 0xE0, 0xF0, 0x5A, 0xE0, 0x4A), "\b\t \r/");
	/* Arrows (E0 75 up, E0 72 down) and their releases, Esc (76); F1 (05): nothing. */
	assert_string_equal(FEED(&d, 0xE0, 0x75, 0xE0, 0xF0, 0x75, 0xE0, 0x72, 0x76, 0xF0, 0x76, 0x05, 0xF0, 0x05),
			    "<up><down>\x1b");
	/* Right Shift (59) + PgUp (E0 7D), then PgDn (E0 7A) after its release. */
	assert_string_equal(FEED(&d, 0x59, 0xE0, 0x7D, 0xE0, 0xF0, 0x7D, 0xF0, 0x59, 0xE0, 0x7A), "<S-pgup><pgdn>");
	/* Pause: E1 14 77 E1 F0 14 F0 77, then a key. */
	assert_string_equal(FEED(&d, 0xE1, 0x14, 0x77, 0xE1, 0xF0, 0x14, 0xF0, 0x77, 0x1B), "s");
	/* The release of an extended key must not release its plain twin: Ctrl still held. */
	assert_string_equal(FEED(&d, 0x14, 0xE0, 0xF0, 0x14, 0x3C, 0xF0, 0x14, 0x3C), "\x15u");
}

/* ---- the controller ---- */

static void test_probe_translated(void **state)
{
	struct ps2kbd_info info;

	(void)state;
	push(0x9C, 0, 0); /* a stale byte: dropped before the configuration is read */
	assert_int_equal(ps2kbd_probe(PS2KBD_FADT_8042, &info), 0);
	assert_int_equal(info.present, 1);
	assert_int_equal(info.translation, 1);
	assert_int_equal(info.set, PS2KBD_SET1);
	assert_int_equal(info.config, CFG_XLAT | 0x05);
	assert_null(info.why);
	/* Disable the keyboard port, read the configuration, enable it again; nothing else. */
	assert_int_equal(ctl.ncmds, 3);
	assert_int_equal(ctl.cmds[0], 0xAD);
	assert_int_equal(ctl.cmds[1], 0x20);
	assert_int_equal(ctl.cmds[2], 0xAE);
	assert_int_equal(ctl.ndata, 0); /* the keyboard itself is not asked anything */

	/* Typed keys come out as characters; mouse bytes and damaged bytes are dropped. */
	push(0x2E, 0, 0);
	push(0x08, 1, 0); /* from the mouse: would be '7' */
	push(0xAE, 0, 0);
	push(0x02, 0, 1); /* parity error: would be '1' */
	push(0x19, 0, 0);
	push(0x99, 0, 0);
	assert_int_equal(ps2kbd_read_char(), 'c');
	assert_int_equal(ps2kbd_read_char(), 'p');
	assert_int_equal(ps2kbd_read_char(), -1);
	assert_int_equal(ps2kbd_read_char(), -1);
}

static void test_probe_untranslated(void **state)
{
	struct ps2kbd_info info;

	(void)state;
	ctl.config = 0x01;
	ctl.kbd_set = 2;
	assert_int_equal(ps2kbd_probe(PS2KBD_FADT_UNKNOWN, &info), 0);
	assert_int_equal(info.translation, 0);
	assert_int_equal(info.set, PS2KBD_SET2);
	assert_null(info.why);
	assert_int_equal(ctl.ndata, 2);
	assert_int_equal(ctl.data_writes[0], 0xF0);
	assert_int_equal(ctl.data_writes[1], 0x00);
	push(0x2B, 0, 0); /* f in set 2 */
	push(0xF0, 0, 0);
	push(0x2B, 0, 0);
	assert_int_equal(ps2kbd_read_char(), 'f');
	assert_int_equal(ps2kbd_read_char(), -1);

	/* A keyboard in set 1 without translation is decoded as set 1. */
	setup(NULL);
	ctl.config = 0x01;
	ctl.kbd_set = 1;
	assert_int_equal(ps2kbd_probe(PS2KBD_FADT_UNKNOWN, &info), 0);
	assert_int_equal(info.set, PS2KBD_SET1);

	/* Set 3 cannot be decoded: no keyboard for the monitor. */
	setup(NULL);
	ctl.config = 0x01;
	ctl.kbd_set = 3;
	assert_int_equal(ps2kbd_probe(PS2KBD_FADT_UNKNOWN, &info), -ENODEV);
	assert_int_equal(info.present, 0);
	assert_non_null(strstr(info.why, "set 3"));
	push(0x2B, 0, 0);
	assert_int_equal(ps2kbd_read_char(), -1);

	/* A keyboard that does not answer: set 2 assumed, and said so. */
	setup(NULL);
	ctl.config = 0x01;
	ctl.kbd_set = 0;
	assert_int_equal(ps2kbd_probe(PS2KBD_FADT_UNKNOWN, &info), 0);
	assert_int_equal(info.set, PS2KBD_SET2);
	assert_non_null(strstr(info.why, "assuming set 2"));
}

static void test_probe_absent(void **state)
{
	struct ps2kbd_info info;

	(void)state;
	/* The FADT rules it out: the ports are not touched at all. */
	assert_int_equal(ps2kbd_probe(PS2KBD_FADT_NO_8042, &info), -ENODEV);
	assert_int_equal(info.present, 0);
	assert_int_equal(ctl.accesses, 0);
	assert_non_null(strstr(info.why, "FADT"));
	assert_int_equal(ps2kbd_read_char(), -1);
	assert_int_equal(ctl.accesses, 0);

	/* Nothing on the bus. */
	ctl.mode = CTL_ABSENT;
	assert_int_equal(ps2kbd_probe(PS2KBD_FADT_UNKNOWN, &info), -ENODEV);
	assert_non_null(strstr(info.why, "0xff"));
	assert_true(ctl.accesses < 10);

	/* A controller that never answers read-configuration: bounded, then absent. */
	setup(NULL);
	ctl.mode = CTL_MUTE;
	assert_int_equal(ps2kbd_probe(PS2KBD_FADT_8042, &info), -ENODEV);
	assert_non_null(strstr(info.why, "read-configuration"));

	/* An input buffer that never empties. */
	setup(NULL);
	ctl.mode = CTL_IBF_STUCK;
	assert_int_equal(ps2kbd_probe(PS2KBD_FADT_UNKNOWN, &info), -ENODEV);
	assert_int_equal(info.present, 0);
	assert_int_equal(ps2kbd_read_char(), -1);

	/* An output buffer that never empties (a stream of bytes): given up on. */
	setup(NULL);
	for (int i = 0; i < QMAX; i++)
		push(0x1E, 0, 0);
	assert_int_equal(ps2kbd_probe(PS2KBD_FADT_UNKNOWN, &info), -ENODEV);
	assert_non_null(strstr(info.why, "never empties"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_set1_letters_digits_shift_caps, setup),
		cmocka_unit_test_setup(test_set1_ctrl_keypad_and_silent_keys, setup),
		cmocka_unit_test_setup(test_set2, setup),
		cmocka_unit_test_setup(test_probe_translated, setup),
		cmocka_unit_test_setup(test_probe_untranslated, setup),
		cmocka_unit_test_setup(test_probe_absent, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
