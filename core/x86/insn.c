/* SPDX-License-Identifier: MIT */
/*
 * insn.c - enough of the x86 instruction encoding (SDM Vol. 2, 2.1) to say
 * why a #GP without a selector happened: skip the legacy and REX prefixes,
 * then look at the opcode. The instructions that need CPL 0 (or I/O
 * privilege; sysret and sysexit too) are named by opcode, so is a null
 * selector loaded into SS (mov ss, lss); any other such #GP is a memory
 * access to a non-canonical address.
 */
#include "trap.h"

#define OP_TWO_BYTE 0x0F
#define REX_FIRST 0x40
#define REX_LAST 0x4F
#define SREG_SS 2 /* ModRM.reg of mov Sreg naming SS */

static int is_prefix(uint8_t b)
{
	return b == 0x66 || b == 0x67 || b == 0xF0 || b == 0xF2 || b == 0xF3 || b == 0x2E || b == 0x36 || b == 0x3E ||
	       b == 0x26 || b == 0x64 || b == 0x65 || (b >= REX_FIRST && b <= REX_LAST);
}

const char *trap_gp_cause(const uint8_t *b, size_t n)
{
	size_t i = 0;

	if (n < 2)
		return "general protection";
	while (i < n - 2 && is_prefix(b[i]))
		i++;
	switch (b[i]) {
	case 0xFA: /* cli */
	case 0xFB: /* sti */
	case 0xF4: /* hlt */
	case 0xE4:
	case 0xE5:
	case 0xE6:
	case 0xE7: /* in/out imm8 */
	case 0xEC:
	case 0xED:
	case 0xEE:
	case 0xEF: /* in/out dx */
	case 0x6C:
	case 0x6D:
	case 0x6E:
	case 0x6F: /* ins/outs */
	case 0xCF: /* iret with a bad frame counts too */
		return "privileged instruction";
	case 0x8E: /* mov Sreg, r/m: a bad selector has its own error code; 0 is a null one */
		if (((b[i + 1] >> 3) & 7) == SREG_SS)
			return "null selector loaded into SS";
		break;
	case OP_TWO_BYTE:
		switch (b[i + 1]) {
		case 0x07: /* sysret */
		case 0x35: /* sysexit */
			return "privileged instruction";
		case 0xB2: /* lss */
			return "null selector loaded into SS";
		case 0x00: /* sldt/str/lldt/ltr */
		case 0x01: /* lgdt/lidt/..., and sgdt/sidt/smsw under UMIP */
		case 0x06: /* clts */
		case 0x08: /* invd */
		case 0x09: /* wbinvd */
		case 0x20:
		case 0x21:
		case 0x22:
		case 0x23: /* mov to/from CRn/DRn */
		case 0x30: /* wrmsr */
		case 0x32: /* rdmsr */
		case 0x33: /* rdpmc */
			return "privileged instruction";
		}
		break;
	}
	return "non-canonical address";
}
