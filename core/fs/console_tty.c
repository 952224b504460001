/* SPDX-License-Identifier: MIT */
/*
 * console_tty.c - what the console terminal (core/fs/tty.c) runs on: output
 * to every console sink (the UART and the framebuffer console), input from
 * the UART and the PS/2 keyboard, whichever has a key, and the screen's size
 * in text cells.
 */
#include "console.h"
#include "fbcon.h"
#include "ps2kbd.h"
#include "serial.h"
#include "tty.h"

#define ASCII_BS 0x08
#define ASCII_DEL 0x7F

static void con_write(const char *s, size_t n, int raw)
{
	(void)raw;
	console_write(s, n);
}

static int con_getc(void)
{
	int c = serial_read_byte();

	if (c >= 0)
		return c;
	c = ps2kbd_read_char();
	/* The PC keyboard's Backspace is BS; the terminal's erase character is DEL, as a VT100 sends it. */
	return c == ASCII_BS ? ASCII_DEL : c;
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

static const struct tty_driver console_driver = { con_write, con_getc, con_size };

void console_tty_init(void)
{
	tty_console_init(&console_driver);
}
