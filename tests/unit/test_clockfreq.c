/* SPDX-License-Identifier: MIT */
/*
 * test_clockfreq.c - the clock-rate arithmetic (core/x86/clockfreq.c): the
 * TSC rate CPUID leaves 0x15/0x16 enumerate, as Linux's native_calibrate_tsc
 * reads them, and counts against a reference clock, checked against 128-bit
 * arithmetic.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "clockfreq.h"

static struct cpuid_clock leaves(int intel, uint32_t max, uint32_t eax, uint32_t ebx, uint32_t ecx, uint32_t mhz)
{
	struct cpuid_clock c = { intel, max, eax, ebx, ecx, mhz };

	return c;
}

static void test_from_cpuid(void **state)
{
	struct cpuid_clock c;
	uint64_t crystal = 1;

	(void)state;
	/* The crystal enumerated: 19.2 MHz x 250 / 2. */
	c = leaves(1, 0x16, 2, 250, 19200000, 2400);
	assert_int_equal(clock_from_cpuid(&c, &crystal), 2400000000ULL);
	assert_int_equal(crystal, 19200000);
	/* Skylake: no crystal in 0x15, the base frequency of 0x16 gives it: 2,600 MHz x 2 / 216. */
	c = leaves(1, 0x16, 2, 216, 0, 2600);
	assert_int_equal(clock_from_cpuid(&c, &crystal), 2600ULL * 1000000 * 2 / 216 * 216 / 2);
	assert_int_equal(crystal, 2600ULL * 1000000 * 2 / 216);
	/* What does not say: another vendor, leaf 0x15 absent or zero, no crystal and no 0x16. */
	c = leaves(0, 0x16, 2, 250, 19200000, 2400);
	assert_int_equal(clock_from_cpuid(&c, &crystal), 0);
	assert_int_equal(crystal, 0);
	c = leaves(1, 0x14, 2, 250, 19200000, 2400);
	assert_int_equal(clock_from_cpuid(&c, &crystal), 0);
	c = leaves(1, 0x16, 0, 250, 19200000, 2400);
	assert_int_equal(clock_from_cpuid(&c, &crystal), 0);
	c = leaves(1, 0x16, 2, 0, 19200000, 2400);
	assert_int_equal(clock_from_cpuid(&c, &crystal), 0);
	c = leaves(1, 0x15, 2, 216, 0, 2600);
	assert_int_equal(clock_from_cpuid(&c, &crystal), 0);
	c = leaves(1, 0x16, 2, 216, 0, 0);
	assert_int_equal(clock_from_cpuid(&c, &crystal), 0);
	assert_int_equal(crystal, 0);
}

static void test_rate(void **state)
{
	(void)state;
	/* 2 ms of a 3.579545 MHz PM timer against a 2.4 GHz TSC. */
	assert_int_equal(clock_rate(4800000, 7159, 3579545), (uint64_t)((unsigned __int128)4800000 * 3579545 / 7159));
	assert_int_equal(clock_rate(123, 0, 3579545), 0);
	/* Random counts against 128-bit arithmetic, wherever ticks x ref_ticks fits 64 bits. */
	srand(17);
	for (int i = 0; i < 100000; i++) {
		uint64_t ref = (uint64_t)rand() % 5000000 + 1, hz = (uint64_t)rand() % 4000000000ULL + 1;
		uint64_t ticks = ((uint64_t)rand() << 16 ^ (uint64_t)rand()) % (UINT64_MAX / ref);

		assert_int_equal(clock_rate(ticks, ref, hz), (uint64_t)((unsigned __int128)ticks * hz / ref));
	}
}

static void test_delta(void **state)
{
	(void)state;
	assert_int_equal(clock_delta(100, 300, 24), 200);
	assert_int_equal(clock_delta(0xFFFFF0, 0x10, 24), 0x20); /* a 24-bit PM timer wrapped */
	assert_int_equal(clock_delta(0xFFFFFFF0, 0x10, 32), 0x20);
	assert_int_equal(clock_delta(0x1FFFFF0, 0x10, 24), 0x20); /* bits above the counter's are ignored */
	assert_int_equal(clock_delta(5, 3, 64), UINT64_MAX - 1);
}

/* The running CPU's leaves: whatever they say, a rate comes with a crystal or not at all. */
static void test_read_cpuid(void **state)
{
	struct cpuid_clock c;
	uint64_t crystal, hz;

	(void)state;
	clock_read_cpuid(&c);
	assert_true(c.max_leaf > 0);
	hz = clock_from_cpuid(&c, &crystal);
	assert_true(!hz || crystal);
	assert_true(hz || !crystal);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_from_cpuid),
		cmocka_unit_test(test_rate),
		cmocka_unit_test(test_delta),
		cmocka_unit_test(test_read_cpuid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
