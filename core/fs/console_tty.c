/* SPDX-License-Identifier: MIT */
/*
 * console_tty.c - what the console terminal (core/fs/tty.c) runs on: output
 * to every console sink (the UART and the framebuffer console), input from
 * the keyboard queue (drivers/kbd.c: the UART, PS/2 and USB keyboards), and
 * the screen's size in text cells.
 *
 * The queue holds keys: characters, and special keys (arrows, paging keys)
 * that the serial terminal sent as escape sequences or a PC keyboard as
 * scan codes. The terminal takes bytes, so a special key becomes the VT100
 * sequence an xterm sends for it (what busybox's line editor and vi read),
 * and Shift+PgUp/PgDn page the screen's scrollback without reaching the
 * program, as on a Linux console.
 *
 * The screen answers what a program asks the terminal (the cursor position
 * for ESC [ 6 n, the device attributes): fbcon hands the answer over while
 * it draws, and it is queued here and read as input before any key, as a
 * terminal's answer is. A terminal on the serial port answers for itself,
 * so the screen answers only while it is the terminal being typed at: when
 * the last key came from a keyboard, or none came yet.
 */
#include "console.h"
#include "fbcon.h"
#include "kbd.h"
#include "tty.h"

#define ASCII_BS 0x08
#define ASCII_DEL 0x7F
#define REPLY_QUEUE 64 /* a few answers: each is at most VT_REPLY_MAX bytes */

static void con_write(const char *s, size_t n, int raw)
{
	(void)raw;
	console_write(s, n);
}

/* xterm's sequences for the special keys, by KEY_CODE(key) - KEY_SPECIAL. */
static const char *const special_seq[] = {
	[KEY_UP - KEY_SPECIAL] = "\033[A",	[KEY_DOWN - KEY_SPECIAL] = "\033[B",
	[KEY_RIGHT - KEY_SPECIAL] = "\033[C",	[KEY_LEFT - KEY_SPECIAL] = "\033[D",
	[KEY_HOME - KEY_SPECIAL] = "\033[H",	[KEY_END - KEY_SPECIAL] = "\033[F",
	[KEY_PGUP - KEY_SPECIAL] = "\033[5~",	[KEY_PGDN - KEY_SPECIAL] = "\033[6~",
	[KEY_INSERT - KEY_SPECIAL] = "\033[2~", [KEY_DELETE - KEY_SPECIAL] = "\033[3~",
};

/* xterm's application-mode cursor keys (CSI ? 1 h): the same keys with SS3. */
static const char *const special_app_seq[] = {
	[KEY_UP - KEY_SPECIAL] = "\033OA",   [KEY_DOWN - KEY_SPECIAL] = "\033OB", [KEY_RIGHT - KEY_SPECIAL] = "\033OC",
	[KEY_LEFT - KEY_SPECIAL] = "\033OD", [KEY_HOME - KEY_SPECIAL] = "\033OH", [KEY_END - KEY_SPECIAL] = "\033OF",
};

static const char *pending; /* the rest of a special key's sequence */

/* The screen's answers, waiting to be read: a ring of REPLY_QUEUE bytes. */
static struct {
	char buf[REPLY_QUEUE];
	unsigned head, tail;
} replies;

static void con_reply(const char *s, size_t n)
{
	if (kbd_last_source() == KBD_SRC_SERIAL)
		return; /* the serial terminal answers for itself */
	if (n > REPLY_QUEUE - (replies.head - replies.tail))
		return; /* a program asking faster than it reads: a real terminal's answers would be lost too */
	for (size_t i = 0; i < n; i++)
		replies.buf[replies.head++ % REPLY_QUEUE] = s[i];
}

static int con_getc(void)
{
	int k;

	if (replies.tail != replies.head)
		return (unsigned char)replies.buf[replies.tail++ % REPLY_QUEUE];
	if (pending && *pending)
		return (unsigned char)*pending++;
	for (;;) {
		k = kbd_read();
		if (k < 0)
			return -1;
		if (fbcon_scroll_key(k))
			continue; /* Shift+PgUp/PgDn: the scrollback's, not the program's */
		if (k < KEY_SPECIAL) {
			/* A PC keyboard's Backspace is BS; the terminal's erase character is DEL, as a VT100 sends it.
			 */
			return k == ASCII_BS && kbd_last_source() != KBD_SRC_SERIAL ? ASCII_DEL : k;
		}
		k = KEY_CODE(k) - KEY_SPECIAL;
		if (fbcon_app_cursor_keys() && (unsigned)k < sizeof(special_app_seq) / sizeof(special_app_seq[0]) &&
		    special_app_seq[k]) {
			pending = special_app_seq[k];
			return (unsigned char)*pending++;
		}
		if ((unsigned)k < sizeof(special_seq) / sizeof(special_seq[0]) && special_seq[k]) {
			pending = special_seq[k];
			return (unsigned char)*pending++;
		}
	}
}

static void con_size(unsigned *rows, unsigned *cols)
{
	uint32_t c, r;

	if (fbcon_ready()) {
		fbcon_size(&c, &r);
		*rows = r;
		*cols = c;
	}
}

/* A program reads the terminal: from now on the screen shows where typing goes. */
static void con_reading(void)
{
	fbcon_show_cursor(1);
}

static const struct tty_driver console_driver = { con_write, con_getc, con_size, con_reading };

void console_tty_init(void)
{
	fbcon_set_reply(con_reply);
	tty_console_init(&console_driver);
}
