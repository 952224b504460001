/* SPDX-License-Identifier: MIT */
/*
 * syscalls.h - the system-call handlers, one prototype per line of
 * include/systab.def, with each argument's C type given by its kind: the
 * table in core/proc/systab.c converts the registers to these types (and
 * nowhere else are they converted), so a handler can never see the upper
 * half of a register Linux declares int.
 *
 * Every handler returns the result or a negative errno, exactly as Linux's
 * does for the same case; the current thread's trap frame is
 * thread_current()->tf.
 */
#ifndef ATLAS_SYSCALLS_H
#define ATLAS_SYSCALLS_H

#include <stdint.h>

#define T_INT int
#define T_FD int
#define T_UINT unsigned
#define T_OCT unsigned
#define T_LONG int64_t
#define T_ULONG uint64_t
#define T_SIZE uint64_t
#define T_PTR uint64_t
#define T_STR uint64_t
#define T_HEX uint64_t

#define SC0(nr, name) long sys_##name(void);
#define SC1(nr, name, a) long sys_##name(T_##a);
#define SC2(nr, name, a, b) long sys_##name(T_##a, T_##b);
#define SC3(nr, name, a, b, c) long sys_##name(T_##a, T_##b, T_##c);
#define SC4(nr, name, a, b, c, d) long sys_##name(T_##a, T_##b, T_##c, T_##d);
#define SC5(nr, name, a, b, c, d, e) long sys_##name(T_##a, T_##b, T_##c, T_##d, T_##e);
#define SC6(nr, name, a, b, c, d, e, f) long sys_##name(T_##a, T_##b, T_##c, T_##d, T_##e, T_##f);
#include "systab.def"
#undef SC0
#undef SC1
#undef SC2
#undef SC3
#undef SC4
#undef SC5
#undef SC6

/* Argument kinds, for the syscall log (core/proc/systrace.c). */
enum sysarg { K_NONE, K_INT, K_FD, K_UINT, K_OCT, K_LONG, K_ULONG, K_SIZE, K_PTR, K_STR, K_HEX };

#define SYS_NR_MAX 512

struct sysent {
	const char *name;
	long (*fn)(const uint64_t *a);
	uint8_t nargs;
	uint8_t kind[6];
};

/* The entry for number nr, or NULL when Atlas does not implement it. */
const struct sysent *sys_entry(uint64_t nr);

/* Linux's name of an errno value ("ENOENT"), or NULL. */
const char *errno_name(long err);

/* log=syscalls: one line (or record) for a finished call. */
void systrace_log(uint64_t nr, const struct sysent *e, const uint64_t *a, long result);

#endif
