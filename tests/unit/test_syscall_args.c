/* SPDX-License-Identifier: MIT */
/*
 * test_syscall_args.c - an argument's declared type, applied in two places
 * (include/syscall.h): the SYS_V_* casts the generated wrappers pass to the
 * typed handlers, and sys_arg_value, which log=syscalls shows. They must
 * agree for every type and every register value, and both must do what
 * Linux does: an int is the register's low 32 bits, sign-extended, whatever
 * the upper half holds (glibc's `mov $0xffffff9c, %edi` is AT_FDCWD); an
 * unsigned int the low 32 bits; a umode_t the low 16 bits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "syscall.h"

/* Register values with every interesting upper and lower half. */
static const uint64_t values[] = {
	0,
	1,
	0xffffff9cULL, /* AT_FDCWD as glibc loads it */
	0xffffffffffffff9cULL,
	0x7fffffffULL,
	0x80000000ULL,
	0xffffffffULL,
	0x100000000ULL,
	0x1000001edULL, /* 0755 with a stray high bit */
	0xdeadbeef0001ffffULL,
	0x8000000000000000ULL,
	0xffffffffffffffffULL,
};

/* (uint64_t)SYS_V_t(a, 0): what the handler receives, widened back as C widens it. */
static uint64_t handler_sees(uint64_t raw, enum sys_arg t)
{
	const uint64_t a[SYS_ARGS] = { raw };

	switch (t) {
	case SA_INT:
		return (uint64_t)(int64_t)SYS_V_SA_INT(a, 0);
	case SA_INT_HEX:
		return (uint64_t)(int64_t)SYS_V_SA_INT_HEX(a, 0);
	case SA_FD:
		return (uint64_t)(int64_t)SYS_V_SA_FD(a, 0);
	case SA_UINT:
		return (uint64_t)SYS_V_SA_UINT(a, 0);
	case SA_UINT_HEX:
		return (uint64_t)SYS_V_SA_UINT_HEX(a, 0);
	case SA_UMODE:
		return (uint64_t)SYS_V_SA_UMODE(a, 0);
	case SA_LONG:
		return (uint64_t)SYS_V_SA_LONG(a, 0);
	case SA_ULONG:
		return (uint64_t)SYS_V_SA_ULONG(a, 0);
	case SA_ULONG_HEX:
		return (uint64_t)SYS_V_SA_ULONG_HEX(a, 0);
	case SA_PTR:
		return (uint64_t)SYS_V_SA_PTR(a, 0);
	case SA_STR:
		return (uint64_t)SYS_V_SA_STR(a, 0);
	case SA_BUF:
		return (uint64_t)SYS_V_SA_BUF(a, 0);
	default:
		fail_msg("type %d has no SYS_V_ cast in this test", (int)t);
		return 0;
	}
}

static void test_casts_agree_with_log_values(void **state)
{
	(void)state;
	for (int t = SA_INT; t < SA_TYPES; t++)
		for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++)
			if (handler_sees(values[i], (enum sys_arg)t) != sys_arg_value(values[i], (enum sys_arg)t))
				fail_msg("type %d, register %#llx: handler %#llx, log %#llx", t,
					 (unsigned long long)values[i],
					 (unsigned long long)handler_sees(values[i], (enum sys_arg)t),
					 (unsigned long long)sys_arg_value(values[i], (enum sys_arg)t));
}

/* Linux's values, written out (include/linux/syscalls.h's declared types). */
static void test_linux_values(void **state)
{
	(void)state;
	assert_int_equal((int64_t)sys_arg_value(0xffffff9cULL, SA_FD), -100);
	assert_int_equal((int64_t)sys_arg_value(0x1ffffff9cULL, SA_INT), -100);
	assert_int_equal(sys_arg_value(0xffffffffffffffffULL, SA_UINT), 0xffffffffULL);
	assert_int_equal(sys_arg_value(0x1000001edULL, SA_UMODE), 0755);
	assert_int_equal(sys_arg_value(0xdeadbeef0001ffffULL, SA_UMODE), 0xffff);
	assert_int_equal(sys_arg_value(0xffffffffffffff9cULL, SA_LONG), 0xffffffffffffff9cULL);
	assert_int_equal(sys_arg_value(0x8000000000000000ULL, SA_PTR), 0x8000000000000000ULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_casts_agree_with_log_values),
		cmocka_unit_test(test_linux_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
