/* SPDX-License-Identifier: MIT */
/*
 * syscall_table.c - the system-call table, indexed by number: include/
 * syscalls.h expanded four times. The names are one blob, a struct of
 * char arrays, so that each name's place in it is offsetof(); the handlers
 * one array of wrappers, numbered by an enum, each passing the six
 * argument registers to the typed sys_NAME as its C types (include/
 * syscall.h). Numbers Linux does not use stay zero.
 */
#include "syscall.h"

#include <stddef.h>

/* "\0read\0write\0...": a leading empty name, so that offset 0 means none. */
static const struct syscall_name_blob {
	char none_;
#define SYS(nr, name_, ...) char name_[sizeof(#name_)];
#define NOSYS(nr, name_) char name_[sizeof(#name_)];
#include "syscalls.h"
#undef SYS
#undef NOSYS
} syscall_names = {
	0,
#define SYS(nr, name_, ...) #name_,
#define NOSYS(nr, name_) #name_,
#include "syscalls.h"
#undef SYS
#undef NOSYS
};

enum {
	SYS_H_NONE,
#define SYS(nr, name_, ...) SYS_H_##name_,
#define NOSYS(nr, name_)
#include "syscalls.h"
#undef SYS
#undef NOSYS
	SYS_H_COUNT
};

/* w_NAME(a0..a5): sys_NAME with the registers as its parameters' types (a jump, once compiled). */
#define SYS(nr, name_, ret_, ...)                                                                           \
	static long w_##name_(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5) \
	{                                                                                                   \
		const uint64_t a[SYS_ARGS] = { a0, a1, a2, a3, a4, a5 };                                    \
                                                                                                            \
		(void)a;                                                                                    \
		return sys_##name_(SYS_CARGS(a, __VA_ARGS__));                                              \
	}
#define NOSYS(nr, name_)
#include "syscalls.h"
#undef SYS
#undef NOSYS

const sys_fn syscall_handlers[SYS_H_COUNT] = {
#define SYS(nr, name_, ...) [SYS_H_##name_] = w_##name_,
#define NOSYS(nr, name_)
#include "syscalls.h"
#undef SYS
#undef NOSYS
};

#define NAME(name_) ((uint16_t)offsetof(struct syscall_name_blob, name_))

const struct syscall_desc syscall_table[SYSCALL_NR] = {
#define SYS(nr, name_, ret_, ...) \
	[nr] = { .name = NAME(name_), .handler = SYS_H_##name_, .ret = ret_, .arg = { __VA_ARGS__ } },
#define NOSYS(nr, name_) [nr] = { .name = NAME(name_) },
#include "syscalls.h"
#undef SYS
#undef NOSYS
};

_Static_assert(sizeof(struct syscall_name_blob) <= UINT16_MAX, "syscall names must fit 16-bit offsets");
_Static_assert(SYS_H_COUNT <= UINT8_MAX, "syscall handlers must fit an 8-bit index");

const char *syscall_name(uint64_t nr)
{
	if (nr >= SYSCALL_NR || !syscall_table[nr].name)
		return NULL;
	return (const char *)&syscall_names + syscall_table[nr].name;
}
