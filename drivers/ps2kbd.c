/* SPDX-License-Identifier: MIT */
/*
 * ps2kbd.c - a PS/2 keyboard behind an i8042, polled (see ps2kbd.h).
 *
 * The controller: data port 0x60, status/command port 0x64, as the IBM
 * PC/AT Technical Reference (8042 keyboard controller) defines them. ACPI's
 * FADT says in IAPC_BOOT_ARCH whether a machine has one (from FADT revision
 * 3 on); without that answer, a status port that reads 0xff is an empty
 * bus. The firmware has already reset and set up the keyboard, so the probe
 * only reads the configuration byte (with the keyboard port disabled, so no
 * keystroke can be taken for it) and leaves the configuration as it was.
 *
 * The keyboard speaks scan code set 2; the controller translates it to set 1
 * when configuration bit 6 is set, which is what firmware leaves on almost
 * everywhere. Without translation the keyboard is asked which set it uses,
 * and set 2 is decoded by mapping each code to its set-1 equivalent first.
 */
#include "ps2kbd.h"

#include <stddef.h>
#include <stdint.h>

#include "kbd.h"
#include "kerrno.h"
#include "kstring.h"

/* ---- the decoder ------------------------------------------------------------ */

/* Prefixes and answers in the byte stream (both sets). */
#define SCAN_PREFIX_EXTENDED 0xE0
#define SCAN_PREFIX_PAUSE 0xE1
#define SCAN_PAUSE_FOLLOWS 2 /* bytes after each E1 of the Pause key's sequence */
#define SCAN_SET1_RELEASE 0x80
#define SCAN_SET1_CODE_MASK 0x7F
#define SCAN_SET2_RELEASE_PREFIX 0xF0
#define KBD_ANSWER_ACK 0xFA
#define KBD_ANSWER_RESEND 0xFE
#define KBD_ANSWER_ECHO 0xEE
#define KBD_ANSWER_OVERRUN 0xFF /* key detection error or buffer overrun (set 2; set 1 sends 0x00) */
#define KBD_ANSWER_OVERRUN_SET1 0x00

/* Set-1 make codes the decoder treats specially. */
#define SET1_ENTER 0x1C	 /* with E0: keypad Enter */
#define SET1_LCTRL 0x1D	 /* with E0: right Ctrl */
#define SET1_LSHIFT 0x2A /* with E0: a "fake shift" some keys wrap themselves in */
#define SET1_SLASH 0x35	 /* with E0: keypad / */
#define SET1_RSHIFT 0x36
#define SET1_CAPS_LOCK 0x3A
#define SET1_ESC 0x01
/* With E0: the cursor block and the paging keys. */
#define SET1_E0_HOME 0x47
#define SET1_E0_UP 0x48
#define SET1_E0_PGUP 0x49
#define SET1_E0_LEFT 0x4B
#define SET1_E0_RIGHT 0x4D
#define SET1_E0_END 0x4F
#define SET1_E0_DOWN 0x50
#define SET1_E0_PGDN 0x51
#define SET1_E0_INSERT 0x52
#define SET1_E0_DELETE 0x53
#define SET1_KP_MINUS 0x4A
#define SET1_KP_PLUS 0x4E

#define CTRL_MASK 0x1F /* Ctrl-letter: the letter's low five bits */
#define CASE_BIT 0x20  /* ASCII: lower case = upper case | 0x20 */

/*
 * US layout, by set-1 make code 0x00..0x39: unshifted and shifted. 0 is a
 * key without a character (Esc, Ctrl, Shift, Alt). 0x37 is keypad '*'.
 */
static const char set1_plain[] = "\0\0"
				 "1234567890-=\b\t"
				 "qwertyuiop[]\r\0"
				 "asdfghjkl;'`\0\\"
				 "zxcvbnm,./\0*\0 ";
static const char set1_shift[] = "\0\0"
				 "!@#$%^&*()_+\b\t"
				 "QWERTYUIOP{}\r\0"
				 "ASDFGHJKL:\"~\0|"
				 "ZXCVBNM<>?\0*\0 ";
#define SET1_TABLE_LEN (sizeof(set1_plain) - 1)

/*
 * Set-2 code -> the set-1 code of the same key: what the controller's
 * translation does. Extended keys use the same codes after their E0.
 * 0 means no set-1 code that the decoder uses (function keys among them).
 */
#define SET2_CODES 0x80
static const uint8_t set2_to_set1[SET2_CODES] = {
	[0x76] = 0x01,								   /* Esc */
	[0x16] = 0x02, [0x1E] = 0x03, [0x26] = 0x04, [0x25] = 0x05, [0x2E] = 0x06, /* 1 2 3 4 5 */
	[0x36] = 0x07, [0x3D] = 0x08, [0x3E] = 0x09, [0x46] = 0x0A, [0x45] = 0x0B, /* 6 7 8 9 0 */
	[0x4E] = 0x0C, [0x55] = 0x0D, [0x66] = 0x0E, [0x0D] = 0x0F,		   /* - = Backspace Tab */
	[0x15] = 0x10, [0x1D] = 0x11, [0x24] = 0x12, [0x2D] = 0x13, [0x2C] = 0x14, /* Q W E R T */
	[0x35] = 0x15, [0x3C] = 0x16, [0x43] = 0x17, [0x44] = 0x18, [0x4D] = 0x19, /* Y U I O P */
	[0x54] = 0x1A, [0x5B] = 0x1B, [0x5A] = 0x1C, [0x14] = 0x1D,		   /* [ ] Enter Ctrl */
	[0x1C] = 0x1E, [0x1B] = 0x1F, [0x23] = 0x20, [0x2B] = 0x21, [0x34] = 0x22, /* A S D F G */
	[0x33] = 0x23, [0x3B] = 0x24, [0x42] = 0x25, [0x4B] = 0x26,		   /* H J K L */
	[0x4C] = 0x27, [0x52] = 0x28, [0x0E] = 0x29, [0x12] = 0x2A, [0x5D] = 0x2B, /* ; ' ` LShift \ */
	[0x1A] = 0x2C, [0x22] = 0x2D, [0x21] = 0x2E, [0x2A] = 0x2F, [0x32] = 0x30, /* Z X C V B */
	[0x31] = 0x31, [0x3A] = 0x32, [0x41] = 0x33, [0x49] = 0x34, [0x4A] = 0x35, /* N M , . / */
	[0x59] = 0x36, [0x7C] = 0x37, [0x11] = 0x38, [0x29] = 0x39, [0x58] = 0x3A, /* RShift KP* Alt Space Caps */
	[0x77] = 0x45, [0x7E] = 0x46,						   /* Num Lock, Scroll Lock */
	[0x6C] = 0x47, [0x75] = 0x48, [0x7D] = 0x49, [0x7B] = 0x4A,		   /* KP 7 8 9 - (E0 75: Up) */
	[0x6B] = 0x4B, [0x73] = 0x4C, [0x74] = 0x4D, [0x79] = 0x4E,		   /* KP 4 5 6 + */
	[0x69] = 0x4F, [0x72] = 0x50, [0x7A] = 0x51, [0x70] = 0x52, [0x71] = 0x53, /* KP 1 2 3 0 . */
};

void ps2kbd_decoder_init(struct ps2kbd_decoder *d, int set)
{
	memset(d, 0, sizeof(*d));
	d->set = set;
}

static int is_lower(char c)
{
	return c >= 'a' && c <= 'z';
}

/* An E0 key of the cursor block as a kbd.h special key (Shift and Ctrl added), or -1. */
static int extended_key(const struct ps2kbd_decoder *d, uint8_t code)
{
	static const struct {
		uint8_t code;
		int key;
	} keys[] = {
		{ SET1_E0_HOME, KEY_HOME },	{ SET1_E0_UP, KEY_UP },	      { SET1_E0_PGUP, KEY_PGUP },
		{ SET1_E0_LEFT, KEY_LEFT },	{ SET1_E0_RIGHT, KEY_RIGHT }, { SET1_E0_END, KEY_END },
		{ SET1_E0_DOWN, KEY_DOWN },	{ SET1_E0_PGDN, KEY_PGDN },   { SET1_E0_INSERT, KEY_INSERT },
		{ SET1_E0_DELETE, KEY_DELETE },
	};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (keys[i].code == code)
			return keys[i].key | (d->lshift || d->rshift ? KEY_MOD_SHIFT : 0) |
			       (d->lctrl || d->rctrl ? KEY_MOD_CTRL : 0);
	return -1;
}

/* A set-1 make code, pressed or released, with or without E0: the key (kbd.h), or -1. */
static int key(struct ps2kbd_decoder *d, uint8_t code, int released, int extended)
{
	char c;

	if (code == SET1_LSHIFT || code == SET1_RSHIFT) {
		if (!extended)
			*(code == SET1_LSHIFT ? &d->lshift : &d->rshift) = !released;
		return -1;
	}
	if (code == SET1_LCTRL) {
		*(extended ? &d->rctrl : &d->lctrl) = !released;
		return -1;
	}
	if (released)
		return -1;
	if (code == SET1_CAPS_LOCK) {
		d->caps = !d->caps;
		return -1;
	}
	if (extended) /* keypad Enter and / have a character; the cursor block is a special key */
		return code == SET1_ENTER || code == SET1_SLASH ? set1_plain[code] : extended_key(d, code);
	if (code == SET1_ESC)
		return KEY_ESC;
	if (code == SET1_KP_MINUS)
		return '-';
	if (code == SET1_KP_PLUS)
		return '+';
	if (code >= SET1_TABLE_LEN || !set1_plain[code])
		return -1;
	c = set1_plain[code];
	if (is_lower(c)) {
		if (d->lctrl || d->rctrl)
			return c & CTRL_MASK;
		return (d->lshift || d->rshift) != d->caps ? c & ~CASE_BIT : c;
	}
	if (d->lctrl || d->rctrl)
		return -1;
	return d->lshift || d->rshift ? set1_shift[code] : c;
}

int ps2kbd_decode(struct ps2kbd_decoder *d, uint8_t byte)
{
	int released, extended;
	uint8_t code;

	if (d->skip) {
		d->skip--;
		return -1;
	}
	switch (byte) {
	case KBD_ANSWER_ACK:
	case KBD_ANSWER_RESEND:
	case KBD_ANSWER_ECHO:
	case KBD_ANSWER_OVERRUN:
	case KBD_ANSWER_OVERRUN_SET1:
		d->extended = d->release = 0;
		return -1;
	case SCAN_PREFIX_EXTENDED:
		d->extended = 1;
		return -1;
	case SCAN_PREFIX_PAUSE:
		d->extended = d->release = 0;
		d->skip = SCAN_PAUSE_FOLLOWS;
		return -1;
	default:
		break;
	}
	extended = d->extended;
	d->extended = 0;
	if (d->set == PS2KBD_SET2) {
		if (byte == SCAN_SET2_RELEASE_PREFIX) {
			d->release = 1;
			d->extended = extended; /* E0 F0 xx: an extended key's release */
			return -1;
		}
		released = d->release;
		d->release = 0;
		code = byte < SET2_CODES ? set2_to_set1[byte] : 0;
		if (!code)
			return -1;
	} else {
		released = !!(byte & SCAN_SET1_RELEASE);
		code = byte & SCAN_SET1_CODE_MASK;
	}
	return key(d, code, released, extended);
}

/* ---- the controller ----------------------------------------------------------- */

/* i8042 ports. */
#define I8042_DATA_PORT 0x60
#define I8042_STATUS_PORT 0x64	/* read */
#define I8042_COMMAND_PORT 0x64 /* write */

/* Status register. */
#define I8042_STATUS_OBF (1U << 0)     /* output buffer full: a byte waits at the data port */
#define I8042_STATUS_IBF (1U << 1)     /* input buffer full: the last write is not taken yet */
#define I8042_STATUS_AUX_OBF (1U << 5) /* the waiting byte came from the auxiliary (mouse) port */
#define I8042_STATUS_TIMEOUT (1U << 6)
#define I8042_STATUS_PARITY (1U << 7)
#define I8042_STATUS_ERRORS (I8042_STATUS_TIMEOUT | I8042_STATUS_PARITY)
#define I8042_STATUS_FLOATING 0xFF /* what a port with nothing behind it reads */

/* Controller commands. */
#define I8042_CMD_READ_CONFIG 0x20
#define I8042_CMD_DISABLE_KBD 0xAD
#define I8042_CMD_ENABLE_KBD 0xAE

/* Configuration byte. */
#define I8042_CONFIG_TRANSLATE (1U << 6)

/* Keyboard commands and what "get scan code set" answers. */
#define KBD_CMD_SCAN_CODE_SET 0xF0
#define KBD_SCAN_CODE_SET_GET 0x00
#define KBD_SET1 0x01
#define KBD_SET2 0x02
#define KBD_SET3 0x03

/*
 * Polls of the status port before a wait gives up: each inb takes about a
 * microsecond on real hardware, so a controller gets ~10 ms to take a
 * command and the keyboard ~100 ms to answer one.
 */
#define I8042_POLL_LIMIT 10000
#define KBD_POLL_LIMIT 100000
#define I8042_FLUSH_MAX 32    /* stale bytes dropped before a command; more means a stuck OBF */
#define READ_BYTES_PER_CALL 8 /* ps2kbd_read_char takes at most this many bytes per call */

/* The controller's ports, as ps2kbd_set_ports gave them. */
static const struct ps2kbd_ports *ports;

void ps2kbd_set_ports(const struct ps2kbd_ports *p)
{
	ports = p;
}

static struct {
	struct ps2kbd_info info;
	struct ps2kbd_decoder dec;
} kbd;

/* Wait (bounded) until the controller has taken the last write. 0 or -ETIMEDOUT. */
static int wait_writable(void)
{
	for (int i = 0; i < I8042_POLL_LIMIT; i++) {
		if (!(ports->in(I8042_STATUS_PORT)&I8042_STATUS_IBF))
			return 0;
		ports->relax();
	}
	return -ETIMEDOUT;
}

static int write_port(uint16_t port, uint8_t v)
{
	int err = wait_writable();

	if (err)
		return err;
	ports->out(port, v);
	return 0;
}

/* Wait (bounded, limit polls) for a byte from the keyboard side; mouse bytes are dropped. The byte, or -ETIMEDOUT. */
static int read_byte(int limit)
{
	for (int i = 0; i < limit; i++) {
		uint8_t st = ports->in(I8042_STATUS_PORT);

		if (st & I8042_STATUS_OBF) {
			uint8_t b = ports->in(I8042_DATA_PORT);

			if (!(st & I8042_STATUS_AUX_OBF))
				return b;
			continue;
		}
		ports->relax();
	}
	return -ETIMEDOUT;
}

/* Drop what waits in the output buffer. 0, or -EIO when it never empties. */
static int flush(void)
{
	for (int i = 0; i < I8042_FLUSH_MAX; i++) {
		if (!(ports->in(I8042_STATUS_PORT)&I8042_STATUS_OBF))
			return 0;
		ports->in(I8042_DATA_PORT);
	}
	return -EIO;
}

/* Send a keyboard command byte and expect its ACK (bytes typed meanwhile are skipped). 0 or negative. */
static int kbd_command(uint8_t cmd)
{
	int err = write_port(I8042_DATA_PORT, cmd);

	for (int tries = 0; !err && tries < I8042_FLUSH_MAX; tries++) {
		int b = read_byte(KBD_POLL_LIMIT);

		if (b < 0)
			return b;
		if (b == KBD_ANSWER_ACK)
			return 0;
	}
	return err ? err : -EIO;
}

/* Ask a non-translated keyboard for its scan code set: KBD_SET1..KBD_SET3, or negative. */
static int kbd_scan_code_set(void)
{
	int err = kbd_command(KBD_CMD_SCAN_CODE_SET);

	if (!err)
		err = kbd_command(KBD_SCAN_CODE_SET_GET);
	return err ? err : read_byte(KBD_POLL_LIMIT);
}

/* Choose the set to decode when the controller does not translate. */
static void pick_untranslated_set(struct ps2kbd_info *info)
{
	int set = kbd_scan_code_set();

	switch (set) {
	case KBD_SET1:
		info->set = PS2KBD_SET1;
		break;
	case KBD_SET2:
		info->set = PS2KBD_SET2;
		break;
	case KBD_SET3:
		info->set = 0;
		info->why = "the keyboard uses scan code set 3, which is not decoded";
		break;
	default:
		info->set = PS2KBD_SET2;
		info->why = "the keyboard did not say its scan code set; assuming set 2";
		break;
	}
}

int ps2kbd_probe(enum ps2kbd_fadt fadt, struct ps2kbd_info *info)
{
	int config, err;

	memset(info, 0, sizeof(*info));
	info->fadt = fadt;
	memset(&kbd, 0, sizeof(kbd));
	if (fadt == PS2KBD_FADT_NO_8042) {
		info->why = "the ACPI FADT (IAPC_BOOT_ARCH) says there is no 8042";
		goto absent;
	}
	if (!ports) {
		info->why = "no way to reach the controller's ports";
		goto absent;
	}
	if (ports->in(I8042_STATUS_PORT) == I8042_STATUS_FLOATING) {
		info->why = "the status port reads 0xff: no controller";
		goto absent;
	}
	if (flush()) {
		info->why = "the output buffer never empties";
		goto absent;
	}
	err = write_port(I8042_COMMAND_PORT, I8042_CMD_DISABLE_KBD);
	if (!err)
		err = flush();
	if (!err)
		err = write_port(I8042_COMMAND_PORT, I8042_CMD_READ_CONFIG);
	config = err ? err : read_byte(I8042_POLL_LIMIT);
	/* Whatever happened, give the keyboard its port back. */
	err = write_port(I8042_COMMAND_PORT, I8042_CMD_ENABLE_KBD);
	if (config < 0) {
		info->why = "no answer to read-configuration";
		goto absent;
	}
	if (err) {
		info->why = "the controller does not take commands";
		goto absent;
	}
	info->config = (uint8_t)config;
	info->translation = !!(config & I8042_CONFIG_TRANSLATE);
	if (info->translation)
		info->set = PS2KBD_SET1;
	else
		pick_untranslated_set(info);
	if (!info->set)
		goto absent;
	info->present = 1;
	kbd.info = *info;
	ps2kbd_decoder_init(&kbd.dec, info->set);
	return 0;

absent:
	kbd.info = *info;
	return -ENODEV;
}

int ps2kbd_read_char(void)
{
	if (!kbd.info.present)
		return -1;
	for (int i = 0; i < READ_BYTES_PER_CALL; i++) {
		uint8_t st = ports->in(I8042_STATUS_PORT);
		uint8_t b;
		int c;

		if (!(st & I8042_STATUS_OBF))
			return -1;
		b = ports->in(I8042_DATA_PORT);
		if (st & (I8042_STATUS_AUX_OBF | I8042_STATUS_ERRORS))
			continue;
		c = ps2kbd_decode(&kbd.dec, b);
		if (c >= 0)
			return c;
	}
	return -1;
}
