/* SPDX-License-Identifier: MIT */
/*
 * kbd.h - one input path for every keyboard Atlas drives: the serial
 * terminal, the PS/2 keyboard and USB HID keyboards behind xHCI. Each source
 * turns what it receives into keys (below) and pushes them into one queue;
 * the monitor, the scrollback and the log pager read that queue only.
 *
 * A key is an int: 0..0x7f is an ASCII character as a terminal sends it
 * (Enter is '\r', Backspace '\b', Esc 0x1b, Ctrl-letter 0x01..0x1a); from
 * KEY_SPECIAL up a key without a character (arrows, paging keys), optionally
 * with KEY_MOD_SHIFT / KEY_MOD_CTRL or-ed in.
 *
 * Polled, single CPU, no interrupts: kbd_read() pumps every source.
 */
#ifndef ATLAS_KBD_H
#define ATLAS_KBD_H

#include <stddef.h>
#include <stdint.h>

#define KEY_ESC 0x1b
#define KEY_SPECIAL 0x100
enum kbd_special {
	KEY_UP = KEY_SPECIAL,
	KEY_DOWN,
	KEY_RIGHT,
	KEY_LEFT,
	KEY_HOME,
	KEY_END,
	KEY_PGUP,
	KEY_PGDN,
	KEY_INSERT,
	KEY_DELETE,
};
#define KEY_MOD_SHIFT 0x1000
#define KEY_MOD_CTRL 0x2000
#define KEY_CODE(k) ((k)&0xfff) /* the key without its modifiers */

/* ---- the serial terminal's escape sequences (pure) ------------------------- */

/*
 * VT100/xterm input: ESC [ params final (CSI) and ESC O final (SS3). Arrows
 * (A B C D), Home/End (H F, 1~ 7~ / 4~ 8~), Insert/Delete (2~ 3~), PgUp/PgDn
 * (5~ 6~); a second parameter is xterm's modifier (2 Shift, 5 Ctrl, 6 both):
 * ESC [ 5 ; 2 ~ is Shift+PgUp. Other sequences are swallowed whole.
 */
struct kbd_vt {
	int state; /* 0 ground, 1 after ESC, 2 in CSI, 3 after SS3 */
	int param[2], nparam;
};

void kbd_vt_init(struct kbd_vt *v);
/* Feed one byte; stores 0, 1 or 2 keys in out[] and returns how many. */
int kbd_vt_feed(struct kbd_vt *v, int byte, int out[2]);

/* ---- the queue ----------------------------------------------------------------- */

#define KBD_QUEUE 64 /* keys waiting; one more push drops the oldest */

/* Where a key came from. */
#define KBD_SRC_SERIAL 1
#define KBD_SRC_PS2 2
#define KBD_SRC_USB 4

/* Add a key at the end of the queue (sources call this); src is its KBD_SRC_* (0: unknown). */
void kbd_push(int key);
void kbd_push_from(int key, unsigned src);

/* The oldest queued key, or -1 when none waits (does not pump the sources). */
int kbd_pop(void);

/* The KBD_SRC_* of the key kbd_pop returned last (0 when unknown). */
unsigned kbd_last_source(void);

/* Keys dropped because the queue was full. */
unsigned long kbd_dropped(void);

/* Free slots in the queue (a source takes no more keys than fit). */
unsigned kbd_room(void);

/*
 * drivers/kbd_pump.c, the kernel's part: pump every source once (UART bytes
 * through the escape decoder, the PS/2 controller, the USB keyboards' event
 * rings), then return the oldest key or -1. Never waits; callers loop with
 * pause().
 */
int kbd_read(void);

/* Bit mask of the sources that can give keys now. */
unsigned kbd_sources(void);

/* "the serial port, the PS/2 keyboard and a USB keyboard" for mask, into buf. Returns buf. */
const char *kbd_sources_text(unsigned mask, char *buf, size_t size);

#endif
