/* SPDX-License-Identifier: MIT */
/*
 * ps2kbd.h - the PS/2 keyboard behind an i8042 controller, polled, for the
 * monitor after ExitBootServices (the PICs stay masked: no IRQ 1).
 *
 * drivers/ps2kbd.c holds the scan code decoder (set 1, and set 2 for a
 * controller that does not translate; US layout, Shift, Caps Lock, Ctrl),
 * which is pure, and detection and reading, which touch the controller only
 * through the ports ps2kbd_set_ports gives (drivers/ps2kbd_io.c on the
 * machine, a simulated controller in the host tests). Every wait is bounded, so a
 * missing i8042 costs a few hundred microseconds, never a hang.
 */
#ifndef ATLAS_PS2KBD_H
#define ATLAS_PS2KBD_H

#include <stdint.h>

/* ---- the decoder (pure) ---------------------------------------------------- */

/* Scan code sets (the keyboard's; with translation the controller hands over set 1). */
#define PS2KBD_SET1 1
#define PS2KBD_SET2 2

/* Characters the decoder gives besides printable ASCII. */
#define PS2KBD_ENTER '\r'
#define PS2KBD_BACKSPACE '\b'
#define PS2KBD_TAB '\t'

struct ps2kbd_decoder {
	int set;      /* PS2KBD_SET1 or PS2KBD_SET2 */
	int extended; /* an E0 prefix came: the next code is an extended key */
	int release;  /* set 2: an F0 prefix came: the next code is a release */
	int skip;     /* bytes of a Pause sequence (E1 ...) still to drop */
	int lshift, rshift, lctrl, rctrl, caps;
};

/* Start decoding set (PS2KBD_SET1 or PS2KBD_SET2), no modifiers held, Caps Lock off. */
void ps2kbd_decoder_init(struct ps2kbd_decoder *d, int set);

/*
 * Feed one byte from the keyboard. Returns the key a key press gives, as
 * kbd.h defines keys (US layout: printable ASCII, PS2KBD_ENTER for Enter and
 * keypad Enter, PS2KBD_BACKSPACE, PS2KBD_TAB, KEY_ESC, Ctrl-letter as its
 * control code 0x01..0x1a; the cursor block and paging keys as KEY_UP ...
 * KEY_DELETE with KEY_MOD_SHIFT / KEY_MOD_CTRL), or -1 for releases,
 * prefixes, modifiers, keys without a meaning here (function keys, Alt, Num
 * Lock) and controller answers (ACK, resend).
 */
int ps2kbd_decode(struct ps2kbd_decoder *d, uint8_t byte);

/* ---- the controller ------------------------------------------------------- */

/* What ACPI says about an 8042, for ps2kbd_probe. */
enum ps2kbd_fadt {
	PS2KBD_FADT_UNKNOWN, /* no FADT, or one older than revision 3 (no IAPC_BOOT_ARCH) */
	PS2KBD_FADT_8042,    /* IAPC_BOOT_ARCH has the 8042 flag */
	PS2KBD_FADT_NO_8042, /* IAPC_BOOT_ARCH lacks it: the controller is not touched */
};

/* What ps2kbd_probe found. */
struct ps2kbd_info {
	int present; /* a controller answered and the keyboard can be read */
	enum ps2kbd_fadt fadt;
	int translation; /* the controller translates to set 1 (configuration byte bit 6) */
	int set;	 /* the scan code set decoded: PS2KBD_SET1 or PS2KBD_SET2; 0 when absent */
	uint8_t config;	 /* the configuration byte as the probe read it (keyboard port disabled) */
	const char *why; /* when absent (or set 2 assumed): why, in words */
};

/*
 * Find the i8042 and get its keyboard ready to poll: no probe at all when the
 * FADT rules it out; otherwise a status port that reads 0xff means nothing is
 * there. Then disable the keyboard port, drop stale bytes, read the
 * configuration byte, enable the port again. Without translation the keyboard
 * is asked for its scan code set (set 3 cannot be decoded). Every wait is
 * bounded. Returns 0 when present, -ENODEV otherwise; *info says what was
 * found either way.
 */
int ps2kbd_probe(enum ps2kbd_fadt fadt, struct ps2kbd_info *info);

/*
 * The next key typed (as ps2kbd_decode gives them), or -1 when none is
 * waiting or there is no keyboard. Never waits; bytes from the mouse port and
 * bytes with a parity or timeout error are dropped.
 */
int ps2kbd_read_char(void);

/*
 * How the driver reaches the controller: its ports, and a pause between
 * polls. drivers/ps2kbd_io.c gives the machine's; the host tests give a
 * simulated controller. Set them before ps2kbd_probe (without them it finds
 * nothing).
 */
struct ps2kbd_ports {
	uint8_t (*in)(uint16_t port);
	void (*out)(uint16_t port, uint8_t v);
	void (*relax)(void);
};
void ps2kbd_set_ports(const struct ps2kbd_ports *p);

/*
 * drivers/ps2kbd_io.c: find the keyboard once (ACPI's FADT from boot_info,
 * then ps2kbd_probe); later calls return the first answer. 1 when present.
 */
int ps2kbd_present(void);
/* What the probe found (core/report/hwreport.c reports it). Finds the keyboard first. */
const struct ps2kbd_info *ps2kbd_info(void);

#endif
