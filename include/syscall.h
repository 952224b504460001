/* SPDX-License-Identifier: MIT */
/*
 * syscall.h - Atlas's system calls: the Linux x86-64 ABI (number in RAX,
 * arguments in RDI, RSI, RDX, R10, R8, R9, result or -errno in RAX) served
 * from one table indexed by number (core/proc/syscall_table.c, expanded
 * from include/syscalls.h), with the handlers in files by family:
 * sys_fs.c, sys_mm.c, sys_time.c, sys_proc.c, sys_misc.c.
 *
 * The table says, for every number, the call's name, its handler (NULL:
 * -ENOSYS) and its arguments' types. syscall_dispatch reads it to find the
 * handler (whose generated wrapper is the one place an argument Linux
 * declares int is cut to its low 32 bits and sign-extended), to name an
 * unimplemented call in the enosys record, and for log=syscalls, which
 * prints every call with its decoded arguments and result. tools/syscalls-md.c writes docs/syscalls.md
 * from the same list.
 */
#ifndef ATLAS_SYSCALL_H
#define ATLAS_SYSCALL_H

#include <stddef.h>
#include <stdint.h>

#include "trap.h"

#define SYS_ARGS 6
#define SYSCALL_NR 463 /* numbers 0..462 (mseal); above, all are unknown */

/* An argument's type as Linux declares it, which decides its conversion and how log=syscalls shows it. */
enum sys_arg {
	SA_NONE,      /* no (further) argument */
	SA_INT,	      /* int: low 32 bits, sign-extended; decimal */
	SA_INT_HEX,   /* int flags: as SA_INT; shown in hex */
	SA_FD,	      /* int directory fd: as SA_INT; AT_FDCWD shown by name */
	SA_UINT,      /* unsigned int: low 32 bits, zero-extended; decimal */
	SA_UINT_HEX,  /* unsigned int flags: as SA_UINT; hex */
	SA_UMODE,     /* umode_t: low 16 bits; octal */
	SA_LONG,      /* long, off_t: all 64 bits, signed; decimal */
	SA_ULONG,     /* unsigned long, size_t: all 64 bits; decimal */
	SA_ULONG_HEX, /* unsigned long addresses and flags: hex */
	SA_PTR,	      /* a user pointer: hex, or NULL */
	SA_STR,	      /* a user string (const char *): quoted */
	SA_BUF,	      /* a user buffer the call reads, of the next argument's length: its first bytes, quoted */
	SA_TYPES
};

/* How log=syscalls shows the result (a negative one is always -1 ERRNO). */
enum sys_ret {
	SR_INT,	     /* decimal */
	SR_HEX,	     /* an address (mmap, brk) */
	SR_NORETURN, /* exit, exit_group: shown as "= ?" before the call */
};

/*
 * A handler is typed: sys_NAME takes the C types its arguments' SA_* give
 * (int, unsigned int, int64_t, or uint64_t for addresses, sizes and flags
 * Linux declares unsigned long), as the prototypes below declare them, so a
 * handler whose parameters disagree with the list does not compile. The
 * caller is proc_current() (thread_current() for the thread). Returns the
 * result or -errno. The table holds one generated wrapper per call, which
 * passes the six raw registers on as those types (SYS_V_*): the one place
 * an argument Linux declares int is cut to its low 32 bits. The wrapper
 * takes them in registers, where its own parameters arrive, so that it
 * compiles to a jump to sys_NAME (an int parameter reads only the low half
 * of its register): one indirect call per system call, nothing else.
 */
typedef long (*sys_fn)(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5);

/*
 * One entry, 10 bytes (the table spans every number Linux uses, 463 of
 * them): the name and the handler are indices into syscall_names and
 * syscall_handlers, as syscall_name() and syscall_handler() read them.
 */
struct syscall_desc {
	uint16_t name;	 /* offset in syscall_names; 0: a number Linux does not use */
	uint8_t handler; /* index in syscall_handlers; 0: not implemented (-ENOSYS) */
	uint8_t ret;	 /* enum sys_ret */
	uint8_t arg[SYS_ARGS];
};

/* The table, indexed by number. */
extern const struct syscall_desc syscall_table[SYSCALL_NR];

/* The call's Linux name ("openat"), or NULL for a number Linux does not use (nr may be any value). */
const char *syscall_name(uint64_t nr);
/* The wrappers, by syscall_desc.handler; entry 0 is NULL (not implemented). */
extern const sys_fn syscall_handlers[];

/* d's handler, or NULL when Atlas does not implement it (inline: it is on every call's path). */
static inline sys_fn syscall_handler(const struct syscall_desc *d)
{
	return syscall_handlers[d->handler];
}

/*
 * core/x86/syscall_entry.S calls it for every SYSCALL, on the process's
 * kernel stack with interrupts off: run the call (which may switch
 * processes, or end this one) and leave its result in tf->rax.
 */
void syscall_dispatch(struct trap_frame *tf);

/* The C type of each argument type, and the value of argument i of a[] as that type. */
#define SYS_T_SA_NONE void
#define SYS_T_SA_INT int
#define SYS_T_SA_INT_HEX int
#define SYS_T_SA_FD int
#define SYS_T_SA_UINT unsigned int
#define SYS_T_SA_UINT_HEX unsigned int
#define SYS_T_SA_UMODE unsigned int
#define SYS_T_SA_LONG int64_t
#define SYS_T_SA_ULONG uint64_t
#define SYS_T_SA_ULONG_HEX uint64_t
#define SYS_T_SA_PTR uint64_t
#define SYS_T_SA_STR uint64_t
#define SYS_T_SA_BUF uint64_t
#define SYS_V_SA_NONE(a, i)
#define SYS_V_SA_INT(a, i) ((int)(a)[i])
#define SYS_V_SA_INT_HEX(a, i) ((int)(a)[i])
#define SYS_V_SA_FD(a, i) ((int)(a)[i])
#define SYS_V_SA_UINT(a, i) ((unsigned int)(a)[i])
#define SYS_V_SA_UINT_HEX(a, i) ((unsigned int)(a)[i])
#define SYS_V_SA_UMODE(a, i) ((unsigned int)(uint16_t)(a)[i])
#define SYS_V_SA_LONG(a, i) ((int64_t)(a)[i])
#define SYS_V_SA_ULONG(a, i) ((a)[i])
#define SYS_V_SA_ULONG_HEX(a, i) ((a)[i])
#define SYS_V_SA_PTR(a, i) ((a)[i])
#define SYS_V_SA_STR(a, i) ((a)[i])
#define SYS_V_SA_BUF(a, i) ((a)[i])

#define SYS_CAT_(x, y) x##y
#define SYS_CAT(x, y) SYS_CAT_(x, y)
#define SYS_NARG_(t1, t2, t3, t4, t5, t6, n, ...) n
#define SYS_NARG(...) SYS_NARG_(__VA_ARGS__, 6, 5, 4, 3, 2, 1, 0)
#define SYS_TL_1(t1) SYS_T_##t1
#define SYS_TL_2(t1, t2) SYS_T_##t1, SYS_T_##t2
#define SYS_TL_3(t1, t2, t3) SYS_TL_2(t1, t2), SYS_T_##t3
#define SYS_TL_4(t1, t2, t3, t4) SYS_TL_3(t1, t2, t3), SYS_T_##t4
#define SYS_TL_5(t1, t2, t3, t4, t5) SYS_TL_4(t1, t2, t3, t4), SYS_T_##t5
#define SYS_TL_6(t1, t2, t3, t4, t5, t6) SYS_TL_5(t1, t2, t3, t4, t5), SYS_T_##t6
#define SYS_VL_1(a, t1) SYS_V_##t1(a, 0)
#define SYS_VL_2(a, t1, t2) SYS_V_##t1(a, 0), SYS_V_##t2(a, 1)
#define SYS_VL_3(a, t1, t2, t3) SYS_VL_2(a, t1, t2), SYS_V_##t3(a, 2)
#define SYS_VL_4(a, t1, t2, t3, t4) SYS_VL_3(a, t1, t2, t3), SYS_V_##t4(a, 3)
#define SYS_VL_5(a, t1, t2, t3, t4, t5) SYS_VL_4(a, t1, t2, t3, t4), SYS_V_##t5(a, 4)
#define SYS_VL_6(a, t1, t2, t3, t4, t5, t6) SYS_VL_5(a, t1, t2, t3, t4, t5), SYS_V_##t6(a, 5)
/* "int, uint64_t, ..." for a list of argument types; "void" for SA_NONE. */
#define SYS_CTYPES(...) SYS_CAT(SYS_TL_, SYS_NARG(__VA_ARGS__))(__VA_ARGS__)
/* "(int)a[0], a[1], ...": the arguments of a[] as those types; nothing for SA_NONE. */
#define SYS_CARGS(a, ...) SYS_CAT(SYS_VL_, SYS_NARG(__VA_ARGS__))(a, __VA_ARGS__)

/*
 * An argument as its handler sees it, widened back to 64 bits (what
 * (uint64_t)SYS_V_t(a, i) gives), for log=syscalls: Linux reads an argument
 * declared int (or unsigned int, umode_t) from the low bits of its register
 * whatever the upper ones hold. glibc loads AT_FDCWD with
 * `mov $0xffffff9c, %edi`, which zero-extends: as an int it is -100.
 * tests/unit/test_syscall_args.c checks it against the SYS_V_* casts.
 */
static inline uint64_t sys_arg_value(uint64_t raw, enum sys_arg t)
{
	switch (t) {
	case SA_INT:
	case SA_INT_HEX:
	case SA_FD:
		return (uint64_t)(int64_t)(int32_t)(uint32_t)raw;
	case SA_UINT:
	case SA_UINT_HEX:
		return (uint32_t)raw;
	case SA_UMODE:
		return (uint16_t)raw;
	default:
		return raw;
	}
}

/* The handlers, declared from the list. */
#define SYS(nr, name, ret, ...) long sys_##name(SYS_CTYPES(__VA_ARGS__));
#define NOSYS(nr, name)
#include "syscalls.h"
#undef SYS
#undef NOSYS

#endif
