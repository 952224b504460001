/* SPDX-License-Identifier: MIT */
/*
 * vtparse.h - the escape-sequence parser of the console: bytes in, one
 * action out at a time, as an xterm reads them (ECMA-48 syntax, the state
 * machine of the DEC VT500 series, UTF-8 text).
 *
 * Two readers use it, each with a parser of its own: the framebuffer
 * console's screen model (drivers/vt.c), which acts on every sequence, and
 * the console log (drivers/conlog.c), which keeps the text and the line
 * edits and drops the rest. Pure code, no state outside struct vtparse.
 *
 * Recognised: C0 controls (executed in any state but inside strings; CAN and
 * SUB abort a sequence), ESC sequences with intermediates, CSI sequences
 * with a private marker (? > = <), up to VTP_MAX_PARAMS numeric parameters
 * separated by ';' or ':' (sub-parameters: 38:5:n), intermediates, and the
 * strings OSC, DCS, SOS, PM and APC, which are consumed up to BEL or ST and
 * never acted on. 8-bit C1 controls are not recognised: in UTF-8 those bytes
 * are continuation bytes. Malformed UTF-8 prints U+FFFD.
 */
#ifndef ATLAS_VTPARSE_H
#define ATLAS_VTPARSE_H

#include <stddef.h>
#include <stdint.h>

/* The C0 controls the terminal and the console log act on (ECMA-48 8.3). */
#define C0_BS 0x08
#define C0_HT 0x09
#define C0_LF 0x0a
#define C0_VT 0x0b
#define C0_FF 0x0c
#define C0_CR 0x0d

#define VTP_MAX_PARAMS 16
#define VTP_PARAM_MAX 65535 /* larger numbers are taken as this */
#define VTP_REPLACEMENT 0xfffd

enum vtp_kind {
	VTP_NONE,    /* nothing complete yet */
	VTP_PRINT,   /* a character: cp */
	VTP_EXECUTE, /* a C0 control: final (0x00-0x1f) */
	VTP_ESC,     /* ESC [intermediate] final */
	VTP_CSI,     /* ESC [ [private] params [intermediate] final */
};

struct vtp_action {
	enum vtp_kind kind;
	uint32_t cp;	      /* VTP_PRINT */
	uint8_t final;	      /* VTP_EXECUTE, VTP_ESC, VTP_CSI */
	uint8_t intermediate; /* the last intermediate byte (0x20-0x2f), 0 for none */
	uint8_t private_mark; /* CSI: '?', '>', '=' or '<' right after the '[', 0 for none */
	uint8_t nparams;      /* CSI: parameters given (an empty one counts, as 0) */
	uint16_t sub;	      /* CSI: bit i set when parameter i followed a ':' */
	uint16_t params[VTP_MAX_PARAMS];
};

struct vtparse {
	uint8_t state;
	uint8_t intermediate, private_mark, nparams, ignore;
	uint16_t sub;
	uint16_t params[VTP_MAX_PARAMS];
	uint32_t cp;	    /* UTF-8: the code point so far */
	uint8_t need, have; /* UTF-8: continuation bytes needed and seen */
	uint32_t min;	    /* UTF-8: smallest code point the sequence's length allows */
};

/* A parser in the ground state. */
void vtparse_init(struct vtparse *p);

/*
 * Feed one byte. Returns the number of actions completed, 0, 1 or 2 (a
 * broken UTF-8 sequence gives U+FFFD and then what the byte itself is);
 * they are written to out[0..). out must hold 2.
 */
int vtparse_byte(struct vtparse *p, uint8_t b, struct vtp_action out[2]);

/* Parameter i of a CSI action, or def when it is absent or 0 (ECMA-48's default). */
uint32_t vtp_param(const struct vtp_action *a, unsigned i, uint32_t def);

#endif
