/* SPDX-License-Identifier: MIT */
/*
 * syscall.h - Atlas's system calls: the Linux x86-64 ABI (number in RAX,
 * arguments in RDI, RSI, RDX, R10, R8, R9, result or -errno in RAX) served
 * from one table indexed by number (core/proc/syscall_table.c, expanded
 * from include/syscalls.h), with the handlers in files by family:
 * sys_fs.c, sys_mm.c, sys_time.c, sys_proc.c, sys_misc.c.
 *
 * The table says, for every number, the call's name, its handler (NULL:
 * -ENOSYS) and its arguments' types. syscall_dispatch reads it to convert
 * the arguments (the one place an argument Linux declares int is cut to its
 * low 32 bits and sign-extended), to name an unimplemented call in the
 * enosys record, and for log=syscalls, which prints every call with its
 * decoded arguments and result. tools/syscalls-md.c writes docs/syscalls.md
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

struct proc;

/*
 * A handler. a[] holds the arguments converted as the table's types say (an
 * int-declared argument is the sign-extended int: (int64_t)a[i] is its
 * value). Returns the result or -errno.
 */
typedef long (*sys_fn)(struct proc *p, const uint64_t *a);

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
/* d's handler, or NULL when Atlas does not implement it. */
sys_fn syscall_handler(const struct syscall_desc *d);

/*
 * core/x86/syscall_entry.S calls it for every SYSCALL, on the process's
 * kernel stack with interrupts off: run the call (which may switch
 * processes, or end this one) and leave its result in tf->rax.
 */
void syscall_dispatch(struct trap_frame *tf);

/* The handlers, declared from the list. */
#define SYS(nr, name, ...) long sys_##name(struct proc *p, const uint64_t *a);
#define NOSYS(nr, name)
#include "syscalls.h"
#undef SYS
#undef NOSYS

#endif
