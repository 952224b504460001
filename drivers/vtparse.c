/* SPDX-License-Identifier: MIT */
/*
 * vtparse.c - the console's escape-sequence parser (see vtparse.h).
 *
 * The states are those of the DEC VT500 parser as Paul Williams drew it
 * (vt100.net/emu/dec_ansi_parser), with the three device-control states
 * and the OSC state folded into one "string" state, since the console acts
 * on none of them, and a UTF-8 decoder in the ground state.
 */
#include "vtparse.h"

#include "kstring.h"

enum {
	ST_GROUND,
	ST_ESCAPE,
	ST_ESC_INTER,
	ST_CSI_ENTRY,
	ST_CSI_PARAM,
	ST_CSI_INTER,
	ST_CSI_IGNORE,
	ST_STRING,     /* OSC, DCS, SOS, PM, APC: up to BEL or ST */
	ST_STRING_ESC, /* an ESC inside a string: ST if '\' follows */
};

#define C0_BEL 0x07
#define C0_CAN 0x18
#define C0_SUB 0x1a
#define C0_ESC 0x1b
#define ASCII_DEL 0x7f
#define UTF8_SURROGATE_FIRST 0xd800
#define UTF8_SURROGATE_LAST 0xdfff
#define UTF8_MAX_CP 0x10ffff

void vtparse_init(struct vtparse *p)
{
	memset(p, 0, sizeof(*p));
}

uint32_t vtp_param(const struct vtp_action *a, unsigned i, uint32_t def)
{
	return i < a->nparams && a->params[i] ? a->params[i] : def;
}

static void clear_sequence(struct vtparse *p)
{
	p->intermediate = 0;
	p->private_mark = 0;
	p->nparams = 0;
	p->ignore = 0;
	p->sub = 0;
	memset(p->params, 0, sizeof(p->params));
}

/* A digit, ';' or ':' of a CSI sequence. */
static void param_byte(struct vtparse *p, uint8_t b)
{
	if (!p->nparams)
		p->nparams = 1;
	if (b == ';' || b == ':') {
		if (p->nparams == VTP_MAX_PARAMS) {
			p->ignore = 1; /* the rest are dropped */
			return;
		}
		if (b == ':')
			p->sub |= (uint16_t)(1u << p->nparams);
		p->nparams++;
		return;
	}
	if (!p->ignore) {
		uint32_t v = p->params[p->nparams - 1] * 10u + (uint32_t)(b - '0');

		p->params[p->nparams - 1] = (uint16_t)(v > VTP_PARAM_MAX ? VTP_PARAM_MAX : v);
	}
}

static int emit_print(struct vtp_action *a, uint32_t cp)
{
	memset(a, 0, sizeof(*a));
	a->kind = VTP_PRINT;
	a->cp = cp;
	return 1;
}

static int emit_simple(struct vtp_action *a, enum vtp_kind kind, uint8_t final, uint8_t intermediate)
{
	memset(a, 0, sizeof(*a));
	a->kind = kind;
	a->final = final;
	a->intermediate = intermediate;
	return 1;
}

static int emit_csi(struct vtparse *p, struct vtp_action *a, uint8_t final)
{
	memset(a, 0, sizeof(*a));
	a->kind = VTP_CSI;
	a->final = final;
	a->intermediate = p->intermediate;
	a->private_mark = p->private_mark;
	a->nparams = p->nparams;
	a->sub = p->sub;
	memcpy(a->params, p->params, sizeof(a->params));
	return 1;
}

/* A byte after ESC (also an ESC that ended a string). */
static int escape_byte(struct vtparse *p, uint8_t b, struct vtp_action *a)
{
	if (b >= 0x20 && b <= 0x2f) {
		p->intermediate = b;
		p->state = ST_ESC_INTER;
		return 0;
	}
	switch (b) {
	case '[':
		clear_sequence(p);
		p->state = ST_CSI_ENTRY;
		return 0;
	case ']': /* OSC */
	case 'P': /* DCS */
	case 'X': /* SOS */
	case '^': /* PM */
	case '_': /* APC */
		p->state = ST_STRING;
		return 0;
	default:
		break;
	}
	if (b >= 0x30 && b <= 0x7e) {
		p->state = ST_GROUND;
		return emit_simple(a, VTP_ESC, b, p->intermediate);
	}
	p->state = ST_GROUND; /* a byte of 0x80 or more: not a sequence */
	return 0;
}

/* The byte b in ground state with a UTF-8 sequence possibly open. */
static int ground_byte(struct vtparse *p, uint8_t b, struct vtp_action *a)
{
	if (p->need) {
		if ((b & 0xc0) == 0x80) {
			p->cp = (p->cp << 6) | (b & 0x3f);
			if (++p->have < p->need)
				return 0;
			p->need = 0;
			if (p->cp < p->min || p->cp > UTF8_MAX_CP ||
			    (p->cp >= UTF8_SURROGATE_FIRST && p->cp <= UTF8_SURROGATE_LAST))
				return emit_print(a, VTP_REPLACEMENT);
			return emit_print(a, p->cp);
		}
		return -1; /* broken: the caller prints U+FFFD and feeds b again */
	}
	if (b < 0x80)
		return b == ASCII_DEL ? 0 : emit_print(a, b);
	p->have = 0;
	if ((b & 0xe0) == 0xc0) {
		p->cp = b & 0x1f;
		p->need = 1;
		p->min = 0x80;
	} else if ((b & 0xf0) == 0xe0) {
		p->cp = b & 0x0f;
		p->need = 2;
		p->min = 0x800;
	} else if ((b & 0xf8) == 0xf0) {
		p->cp = b & 0x07;
		p->need = 3;
		p->min = 0x10000;
	} else {
		return emit_print(a, VTP_REPLACEMENT); /* a stray continuation byte or 0xf8..0xff */
	}
	return 0;
}

/* One byte, at most one action; -1 when b must be fed again (after a broken UTF-8 sequence). */
static int step(struct vtparse *p, uint8_t b, struct vtp_action *a)
{
	if (p->state == ST_STRING || p->state == ST_STRING_ESC) {
		if (p->state == ST_STRING_ESC) {
			if (b == '\\') {
				p->state = ST_GROUND;
				return 0;
			}
			clear_sequence(p);
			p->state = ST_ESCAPE;
			return escape_byte(p, b, a); /* the ESC began a new sequence */
		}
		if (b == C0_ESC)
			p->state = ST_STRING_ESC;
		else if (b == C0_BEL || b == C0_CAN || b == C0_SUB)
			p->state = ST_GROUND;
		return 0;
	}
	if (b < 0x20 || b == ASCII_DEL) {
		if (p->state == ST_GROUND && p->need) {
			p->need = 0;
			return -1;
		}
		if (b == C0_ESC) {
			clear_sequence(p);
			p->state = ST_ESCAPE;
			return 0;
		}
		if (b == C0_CAN || b == C0_SUB) {
			p->state = ST_GROUND;
			return 0;
		}
		if (b == ASCII_DEL)
			return 0;
		return emit_simple(a, VTP_EXECUTE, b, 0); /* executed in the middle of a sequence too */
	}
	switch (p->state) {
	case ST_GROUND: {
		int r = ground_byte(p, b, a);

		if (r < 0)
			p->need = 0;
		return r;
	}
	case ST_ESCAPE:
		return escape_byte(p, b, a);
	case ST_ESC_INTER:
		if (b <= 0x2f) {
			p->intermediate = b;
			return 0;
		}
		p->state = ST_GROUND;
		return b < 0x7f ? emit_simple(a, VTP_ESC, b, p->intermediate) : 0;
	case ST_CSI_ENTRY:
		if (b >= 0x3c && b <= 0x3f) {
			p->private_mark = b;
			p->state = ST_CSI_PARAM;
			return 0;
		}
		/* fall through */
	case ST_CSI_PARAM:
		if ((b >= '0' && b <= '9') || b == ';' || b == ':') {
			param_byte(p, b);
			p->state = ST_CSI_PARAM;
			return 0;
		}
		if (b >= 0x3c && b <= 0x3f) {
			p->state = ST_CSI_IGNORE; /* a private marker in the middle: malformed */
			return 0;
		}
		/* fall through */
	case ST_CSI_INTER:
		if (b >= 0x20 && b <= 0x2f) {
			p->intermediate = b;
			p->state = ST_CSI_INTER;
			return 0;
		}
		if (b >= 0x30 && b <= 0x3f) {
			p->state = ST_CSI_IGNORE;
			return 0;
		}
		p->state = ST_GROUND;
		return b >= 0x40 && b <= 0x7e ? emit_csi(p, a, b) : 0;
	case ST_CSI_IGNORE:
		if (b >= 0x40 && b <= 0x7e)
			p->state = ST_GROUND;
		return 0;
	default:
		p->state = ST_GROUND;
		return 0;
	}
}

int vtparse_byte(struct vtparse *p, uint8_t b, struct vtp_action out[2])
{
	int r = step(p, b, &out[0]);

	if (r >= 0)
		return r;
	/* A UTF-8 sequence broken by b: U+FFFD for it, then b on its own. */
	emit_print(&out[0], VTP_REPLACEMENT);
	r = step(p, b, &out[1]);
	return 1 + (r > 0);
}
