/* SPDX-License-Identifier: MIT */
/*
 * kbd.c - the one keyboard queue (see kbd.h): the serial terminal's escape
 * decoder and the queue. Pure, and host-tested (tests/unit/test_kbd.c);
 * the pump that asks each source for keys is drivers/kbd_pump.c.
 */
#include "kbd.h"

#include "kprintf.h"
#include "kstring.h"

#define VT_GROUND 0
#define VT_ESC 1
#define VT_CSI 2
#define VT_SS3 3
#define VT_PARAM_MAX 9999
#define XTERM_MOD_SHIFT 1 /* xterm's modifier parameter is 1 + these bits */
#define XTERM_MOD_CTRL 4
#define CSI_FINAL_MIN 0x40
#define CSI_FINAL_MAX 0x7e

void kbd_vt_init(struct kbd_vt *v)
{
	memset(v, 0, sizeof(*v));
}

static int letter_key(int c)
{
	switch (c) {
	case 'A':
		return KEY_UP;
	case 'B':
		return KEY_DOWN;
	case 'C':
		return KEY_RIGHT;
	case 'D':
		return KEY_LEFT;
	case 'H':
		return KEY_HOME;
	case 'F':
		return KEY_END;
	default:
		return -1;
	}
}

static int tilde_key(int p)
{
	switch (p) {
	case 1:
	case 7:
		return KEY_HOME;
	case 2:
		return KEY_INSERT;
	case 3:
		return KEY_DELETE;
	case 4:
	case 8:
		return KEY_END;
	case 5:
		return KEY_PGUP;
	case 6:
		return KEY_PGDN;
	default:
		return -1;
	}
}

static int with_mods(int key, int xterm_mod)
{
	int bits = xterm_mod > 1 ? xterm_mod - 1 : 0;

	if (key < 0)
		return -1;
	if (bits & XTERM_MOD_SHIFT)
		key |= KEY_MOD_SHIFT;
	if (bits & XTERM_MOD_CTRL)
		key |= KEY_MOD_CTRL;
	return key;
}

int kbd_vt_feed(struct kbd_vt *v, int byte, int out[2])
{
	int c = byte & 0xff, key;

	switch (v->state) {
	case VT_ESC:
		if (c == '[') {
			v->state = VT_CSI;
			v->param[0] = v->param[1] = 0;
			v->nparam = 0;
			return 0;
		}
		if (c == 'O') {
			v->state = VT_SS3;
			return 0;
		}
		if (c == KEY_ESC) { /* ESC ESC: the first was a key of its own */
			out[0] = KEY_ESC;
			return 1;
		}
		v->state = VT_GROUND;
		out[0] = KEY_ESC;
		out[1] = c;
		return 2;
	case VT_CSI:
		if (c >= '0' && c <= '9') {
			int *p = &v->param[v->nparam < 2 ? v->nparam : 1];

			if (*p <= VT_PARAM_MAX)
				*p = *p * 10 + (c - '0');
			return 0;
		}
		if (c == ';') {
			if (v->nparam < 2)
				v->nparam++;
			return 0;
		}
		if (c >= ' ' && c < CSI_FINAL_MIN)
			return 0; /* other parameter and intermediate bytes */
		v->state = VT_GROUND;
		if (c < CSI_FINAL_MIN || c > CSI_FINAL_MAX)
			return 0; /* a control byte cancels the sequence */
		key = c == '~' ? with_mods(tilde_key(v->param[0]), v->param[1]) :
				 with_mods(letter_key(c), v->nparam ? v->param[1] : v->param[0]);
		if (key < 0)
			return 0;
		out[0] = key;
		return 1;
	case VT_SS3:
		v->state = VT_GROUND;
		key = letter_key(c);
		if (key < 0)
			return 0;
		out[0] = key;
		return 1;
	default:
		if (c == KEY_ESC) {
			v->state = VT_ESC;
			return 0;
		}
		out[0] = c;
		return 1;
	}
}

/* ---- the queue ------------------------------------------------------------------ */

static struct {
	int keys[KBD_QUEUE];
	unsigned char src[KBD_QUEUE];
	unsigned head, count; /* oldest at head */
	unsigned long dropped;
	unsigned last_src;
} q;

void kbd_push(int key)
{
	kbd_push_from(key, 0);
}

void kbd_push_from(int key, unsigned src)
{
	if (q.count == KBD_QUEUE) {
		q.head = (q.head + 1) % KBD_QUEUE;
		q.count--;
		q.dropped++;
	}
	q.keys[(q.head + q.count) % KBD_QUEUE] = key;
	q.src[(q.head + q.count) % KBD_QUEUE] = (unsigned char)src;
	q.count++;
}

unsigned kbd_last_source(void)
{
	return q.last_src;
}

int kbd_pop(void)
{
	int key;

	if (!q.count)
		return -1;
	key = q.keys[q.head];
	q.last_src = q.src[q.head];
	q.head = (q.head + 1) % KBD_QUEUE;
	q.count--;
	return key;
}

unsigned long kbd_dropped(void)
{
	return q.dropped;
}

unsigned kbd_room(void)
{
	return KBD_QUEUE - q.count;
}

/* ---- what the monitor says it reads ---------------------------------------------- */

const char *kbd_sources_text(unsigned mask, char *buf, size_t size)
{
	static const char *const names[] = { "the serial port", "the PS/2 keyboard", "a USB keyboard" };
	size_t used = 0;
	unsigned n = 0, total = 0;

	for (unsigned i = 0; i < 3; i++)
		total += !!(mask & (1U << i));
	buf[0] = 0;
	for (unsigned i = 0; i < 3; i++) {
		if (!(mask & (1U << i)))
			continue;
		n++;
		used += (size_t)ksnprintf(buf + used, used < size ? size - used : 0, "%s%s",
					  n == 1     ? "" :
					  n == total ? " and " :
						       ", ",
					  names[i]);
		if (used >= size)
			break;
	}
	return buf;
}
