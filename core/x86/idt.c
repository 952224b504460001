/* SPDX-License-Identifier: MIT */
/*
 * idt.c - the interrupt descriptor table: 32 exception gates for now.
 */
#include "entry.h"
#include "trap.h"
#include "x86.h"

#define GATE_INTERRUPT 0xE
#define GATE_P (1U << 7)

struct __attribute__((packed)) idt_gate {
	uint16_t off_lo;
	uint16_t sel;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t off_mid;
	uint32_t off_hi;
	uint32_t rsvd;
};

#define GATE_DPL(d) ((unsigned)(d) << 5)

static struct idt_gate idt[256] __attribute__((aligned(16)));

static void set_gate(unsigned v, uint64_t handler, unsigned ist)
{
	idt[v].off_lo = handler & 0xFFFF;
	idt[v].sel = GDT_KCODE;
	idt[v].ist = ist & 7;
	idt[v].type_attr = GATE_P | GATE_INTERRUPT;
	idt[v].off_mid = (handler >> 16) & 0xFFFF;
	idt[v].off_hi = handler >> 32;
	idt[v].rsvd = 0;
}

void idt_set_ist(unsigned vector, unsigned ist)
{
	idt[vector].ist = ist & 7;
}

void idt_init(void)
{
	struct desc_ptr p = { sizeof(idt) - 1, (uint64_t)idt };

	for (unsigned v = 0; v < NUM_EXCEPTIONS; v++)
		set_gate(v, trap_stubs[v], 0);
	/* int3 and into are instructions ring 3 may use: their gates must allow CPL 3. */
	idt[3].type_attr |= GATE_DPL(3);
	idt[4].type_attr |= GATE_DPL(3);
	set_gate(VEC_TIMER, (uint64_t)trap_stub_timer, 0);
	set_gate(VEC_SPURIOUS, (uint64_t)trap_stub_spurious, 0);
	lidt(&p);
}
