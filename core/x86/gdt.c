/* SPDX-License-Identifier: MIT */
/*
 * gdt.c - Atlas's own GDT and TSS. The firmware's GDT lives in memory the
 * kernel no longer maps, so this runs before anything can fault.
 */
#include "kstring.h"
#include "trap.h"
#include "x86.h"

/* Descriptor bits (SDM Vol. 3A 3.4.5). */
#define SEG_P (1ULL << 47)
#define SEG_S (1ULL << 44) /* code/data, not system */
#define SEG_EXEC (1ULL << 43)
#define SEG_RW (1ULL << 41)
#define SEG_L (1ULL << 53) /* 64-bit code */
#define SEG_DPL(x) ((uint64_t)(x) << 45)
#define SEG_TSS_AVAIL (9ULL << 40)

struct __attribute__((packed)) tss64 {
	uint32_t rsvd0;
	uint64_t rsp[3];
	uint64_t rsvd1;
	uint64_t ist[7];
	uint64_t rsvd2;
	uint16_t rsvd3;
	uint16_t iomap_base;
};

static struct tss64 tss;
static uint64_t gdt[7] __attribute__((aligned(16)));

void tss_set_ist(unsigned n, uint64_t top)
{
	if (n >= 1 && n <= 7)
		tss.ist[n - 1] = top;
}

void tss_set_rsp0(uint64_t top)
{
	tss.rsp[0] = top;
}

void gdt_init(void)
{
	uint64_t base = (uint64_t)&tss, limit = sizeof(tss) - 1;
	struct desc_ptr p = { sizeof(gdt) - 1, (uint64_t)gdt };

	memset(&tss, 0, sizeof(tss));
	tss.iomap_base = sizeof(tss); /* no I/O bitmap: ring 3 gets no ports */
	gdt[0] = 0;
	gdt[GDT_KCODE >> 3] = SEG_P | SEG_S | SEG_EXEC | SEG_RW | SEG_L;
	gdt[GDT_KDATA >> 3] = SEG_P | SEG_S | SEG_RW;
	gdt[GDT_UDATA >> 3] = SEG_P | SEG_S | SEG_RW | SEG_DPL(3);
	gdt[GDT_UCODE >> 3] = SEG_P | SEG_S | SEG_EXEC | SEG_RW | SEG_L | SEG_DPL(3);
	/* A 64-bit TSS descriptor takes two slots. */
	gdt[GDT_TSS >> 3] = (limit & 0xFFFF) | ((base & 0xFFFFFF) << 16) | SEG_TSS_AVAIL | SEG_P |
			    (((limit >> 16) & 0xF) << 48) | (((base >> 24) & 0xFF) << 56);
	gdt[(GDT_TSS >> 3) + 1] = base >> 32;
	lgdt(&p);
	load_segments(GDT_KCODE, GDT_KDATA);
	ltr(GDT_TSS);
}
