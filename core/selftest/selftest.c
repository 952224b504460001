/* SPDX-License-Identifier: MIT */
/*
 * selftest.c - selftest=kstack|null|rodata: kernel faults caused on purpose.
 * Each must end in the exception report and a panic (exit 0x12 with
 * on_finish=exit), never in a triple fault or a reset.
 */
#include "kernel.h"
#include "memlayout.h"
#include "panic.h"
#include "tests.h"

/* A bound the compiler cannot see through: far more frames than any stack holds. */
static volatile uint64_t recurse_limit = 1ULL << 40;

/* Seed 001's infinite recursion; the volatile array defeats tail calls. */
static __attribute__((noinline)) uint64_t recurse(uint64_t n)
{
	volatile uint64_t pad[32];

	if (n > recurse_limit)
		return 0;
	pad[n % 32] = n;
	return recurse(n + 1) + pad[(n + 1) % 32];
}

static const uint64_t rodata_word = 0x600dc0de;
static volatile uint64_t *volatile null_ptr = (volatile uint64_t *)8;

void selftest_run(enum selftest t)
{
	switch (t) {
	case SELFTEST_KSTACK:
		kprintf("selftest: overflowing the boot stack; expect #DF on its IST stack\n");
		recurse(0);
		break;
	case SELFTEST_NULL:
		kprintf("selftest: reading address 0x8 in ring 0; expect #PF in the null guard\n");
		(void)*null_ptr;
		break;
	case SELFTEST_RODATA:
		kprintf("selftest: writing to .rodata in ring 0; expect #PF (CR0.WP)\n");
		*(volatile uint64_t *)(uintptr_t)&rodata_word = 0;
		break;
	case SELFTEST_NONE:
		return;
	}
	panic("selftest: %s did not fault", options_selftest_name(t));
}
