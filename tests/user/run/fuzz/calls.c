/* SPDX-License-Identifier: MIT */
/*
 * calls.c - the fuzzer's calls: every number include/syscalls.h lists, read
 * at build time (the same list the kernel's table is expanded from, so a
 * system call implemented tomorrow is fuzzed without a change here).
 *
 * Each argument's kind comes from its SA_* type (SA_STR a path, SA_PTR memory
 * the kernel writes, SA_BUF memory it reads, SA_FD a directory descriptor,
 * ...). The types cannot say that an unsigned int is a descriptor or that a
 * pointer is a struct timespec, so the table below refines them by hand.
 * A call implemented without an entry here is still drawn, from its SA_*
 * kinds, but only in a child that may die of it (fuzz.c names them at the
 * start, so the gap shows).
 */
#include <sys/syscall.h>

#include "fuzz.h"
#include "syscall.h" /* the SA_* types (include/syscall.h) */

struct raw {
	long nr;
	const char *name;
	int implemented;
	unsigned char sa[6];
};

/* clang-format off */
#define SYS(nr, name, ret, ...) { nr, #name, 1, { __VA_ARGS__ } },
#define NOSYS(nr, name) { nr, #name, 0, { SA_NONE } },
static const struct raw raw[] = {
#include "syscalls.h"
};
#undef SYS
#undef NOSYS
/* clang-format on */
#define NRAW ((int)(sizeof(raw) / sizeof(raw[0])))

struct rule {
	long nr;
	int weight;
	int host_ok;
	unsigned char kind[6];
};

/*
 * The hand-written kinds: weight (how often, relative), whether the call is
 * drawn on Linux too, and the arguments' kinds (K_NONE, and the arguments
 * not listed: the kind of the SA_* type). rules.c holds what each call
 * needs beyond its kinds.
 */
/* clang-format off */
static const struct rule rules[] = {
	{ SYS_read, 6, 1, { K_FD, K_OUT, K_LEN } },
	{ SYS_write, 6, 1, { K_FD, K_IN, K_LEN } },
	{ SYS_open, 4, 1, { K_PATH, K_FLAGS, K_MODE } },
	{ SYS_close, 4, 1, { K_FD } },
	{ SYS_stat, 3, 1, { K_PATH, K_OUT } },
	{ SYS_fstat, 3, 1, { K_FD, K_OUT } },
	{ SYS_lstat, 3, 1, { K_PATH, K_OUT } },
	{ SYS_poll, 2, 1, { K_STRUCT, K_LEN, K_INT } },
	{ SYS_lseek, 3, 1, { K_FD, K_LEN, K_INT } },
	{ SYS_mmap, 8, 1, { K_ADDR, K_LEN, K_FLAGS, K_FLAGS, K_FD, K_LEN } },
	{ SYS_mprotect, 6, 1, { K_ADDR, K_LEN, K_FLAGS } },
	{ SYS_munmap, 6, 1, { K_ADDR, K_LEN } },
	{ SYS_brk, 4, 1, { K_STRUCT } },
	{ SYS_rt_sigaction, 3, 1, { K_SIG, K_STRUCT, K_OUT, K_LEN } },
	{ SYS_rt_sigprocmask, 3, 1, { K_INT, K_SIGSET, K_OUT, K_LEN } },
	{ SYS_rt_sigreturn, 1, 1, { K_NONE } },
	{ SYS_ioctl, 3, 0, { K_FD, K_FLAGS, K_OUT } },
	{ SYS_pread64, 3, 1, { K_FD, K_OUT, K_LEN, K_LEN } },
	{ SYS_pwrite64, 3, 1, { K_FD, K_IN, K_LEN, K_LEN } },
	{ SYS_readv, 3, 1, { K_FD, K_IOV, K_LEN } },
	{ SYS_writev, 3, 1, { K_FD, K_IOV, K_LEN } },
	{ SYS_access, 2, 1, { K_PATH, K_INT } },
	{ SYS_pipe, 2, 1, { K_STRUCT } },
	{ SYS_select, 2, 1, { K_INT, K_STRUCT, K_STRUCT, K_STRUCT, K_STRUCT } },
	{ SYS_sched_yield, 1, 1, { K_NONE } },
	{ SYS_mincore, 2, 1, { K_ADDR, K_LEN, K_OUT } },
	{ SYS_madvise, 5, 1, { K_ADDR, K_LEN, K_INT } },
	{ SYS_dup, 2, 1, { K_FD } },
	{ SYS_dup2, 2, 1, { K_FD, K_FD } },
	{ SYS_pause, 1, 1, { K_NONE } },
	{ SYS_nanosleep, 1, 1, { K_TS, K_OUT } },
	{ SYS_getitimer, 1, 1, { K_INT, K_OUT } },
	{ SYS_alarm, 1, 1, { K_INT } },
	{ SYS_setitimer, 1, 1, { K_INT, K_STRUCT, K_OUT } },
	{ SYS_getpid, 1, 1, { K_NONE } },
	{ SYS_sendfile, 2, 1, { K_FD, K_FD, K_OUT, K_LEN } },
	{ SYS_clone, 2, 1, { K_STRUCT, K_STRUCT, K_OUT, K_OUT, K_STRUCT } },
	{ SYS_fork, 1, 1, { K_NONE } },
	{ SYS_vfork, 1, 1, { K_NONE } },
	{ SYS_execve, 2, 1, { K_PATH, K_STRUCT, K_STRUCT } },
	{ SYS_exit, 1, 1, { K_INT } },
	{ SYS_wait4, 2, 1, { K_PID, K_OUT, K_FLAGS, K_OUT } },
	{ SYS_kill, 3, 1, { K_PID, K_SIG } },
	{ SYS_uname, 1, 1, { K_OUT } },
	{ SYS_fcntl, 3, 1, { K_FD, K_INT, K_STRUCT } },
	{ SYS_fsync, 1, 1, { K_FD } },
	{ SYS_fdatasync, 1, 1, { K_FD } },
	{ SYS_truncate, 2, 1, { K_WPATH, K_LEN } },
	{ SYS_ftruncate, 2, 1, { K_FD, K_LEN } },
	{ SYS_getcwd, 1, 1, { K_OUT, K_LEN } },
	{ SYS_chdir, 2, 1, { K_PATH } },
	{ SYS_fchdir, 1, 1, { K_FD } },
	{ SYS_rename, 2, 1, { K_WPATH, K_WPATH } },
	{ SYS_mkdir, 2, 1, { K_WPATH, K_MODE } },
	{ SYS_rmdir, 2, 1, { K_WPATH } },
	{ SYS_creat, 2, 1, { K_WPATH, K_MODE } },
	{ SYS_link, 2, 1, { K_WPATH, K_WPATH } },
	{ SYS_unlink, 2, 1, { K_WPATH } },
	{ SYS_symlink, 2, 1, { K_STRUCT, K_WPATH } },
	{ SYS_readlink, 2, 1, { K_PATH, K_OUT, K_LEN } },
	{ SYS_chmod, 2, 1, { K_WPATH, K_MODE } },
	{ SYS_fchmod, 1, 1, { K_FD, K_MODE } },
	{ SYS_chown, 1, 1, { K_WPATH, K_INT, K_INT } },
	{ SYS_fchown, 1, 1, { K_FD, K_INT, K_INT } },
	{ SYS_lchown, 1, 1, { K_WPATH, K_INT, K_INT } },
	{ SYS_umask, 1, 1, { K_MODE } },
	{ SYS_gettimeofday, 1, 1, { K_OUT, K_OUT } },
	{ SYS_getrlimit, 1, 1, { K_RES, K_OUT } },
	{ SYS_getrusage, 1, 1, { K_INT, K_OUT } },
	{ SYS_sysinfo, 1, 1, { K_OUT } },
	{ SYS_times, 1, 1, { K_OUT } },
	{ SYS_getuid, 1, 1, { K_NONE } },
	{ SYS_getgid, 1, 1, { K_NONE } },
	{ SYS_setuid, 1, 0, { K_INT } },
	{ SYS_setgid, 1, 0, { K_INT } },
	{ SYS_geteuid, 1, 1, { K_NONE } },
	{ SYS_getegid, 1, 1, { K_NONE } },
	{ SYS_setpgid, 1, 1, { K_PID, K_PID } },
	{ SYS_getppid, 1, 1, { K_NONE } },
	{ SYS_getpgrp, 1, 1, { K_NONE } },
	{ SYS_setsid, 1, 1, { K_NONE } },
	{ SYS_setreuid, 1, 0, { K_INT, K_INT } },
	{ SYS_setregid, 1, 0, { K_INT, K_INT } },
	{ SYS_getgroups, 1, 1, { K_INT, K_OUT } },
	{ SYS_setgroups, 1, 0, { K_INT, K_IN } },
	{ SYS_setresuid, 1, 0, { K_INT, K_INT, K_INT } },
	{ SYS_getresuid, 1, 1, { K_OUT, K_OUT, K_OUT } },
	{ SYS_setresgid, 1, 0, { K_INT, K_INT, K_INT } },
	{ SYS_getresgid, 1, 1, { K_OUT, K_OUT, K_OUT } },
	{ SYS_getpgid, 1, 1, { K_PID } },
	{ SYS_getsid, 1, 1, { K_PID } },
	{ SYS_rt_sigpending, 1, 1, { K_OUT, K_LEN } },
	{ SYS_rt_sigtimedwait, 1, 1, { K_SIGSET, K_OUT, K_TS, K_LEN } },
	{ SYS_rt_sigsuspend, 1, 1, { K_SIGSET, K_LEN } },
	{ SYS_sigaltstack, 1, 1, { K_STRUCT, K_OUT } },
	{ SYS_mknod, 1, 1, { K_WPATH, K_MODE, K_INT } },
	{ SYS_statfs, 1, 1, { K_PATH, K_OUT } },
	{ SYS_fstatfs, 1, 1, { K_FD, K_OUT } },
	{ SYS_getpriority, 1, 1, { K_INT, K_PID } },
	{ SYS_setpriority, 1, 1, { K_INT, K_PID, K_INT } },
	{ SYS_sched_getparam, 1, 1, { K_PID, K_OUT } },
	{ SYS_sched_setscheduler, 1, 1, { K_PID, K_INT, K_STRUCT } },
	{ SYS_sched_getscheduler, 1, 1, { K_PID } },
	{ SYS_prctl, 2, 1, { K_INT, K_STRUCT, K_INT, K_INT, K_INT } },
	{ SYS_arch_prctl, 2, 1, { K_INT, K_STRUCT } },
	{ SYS_setrlimit, 1, 1, { K_RES, K_STRUCT } },
	{ SYS_sync, 1, 1, { K_NONE } },
	{ SYS_sethostname, 1, 0, { K_STRUCT, K_LEN } },
	{ SYS_gettid, 1, 1, { K_NONE } },
	{ SYS_tkill, 2, 1, { K_PID, K_SIG } },
	{ SYS_time, 1, 1, { K_OUT } },
	{ SYS_futex, 3, 1, { K_OUT, K_INT, K_INT, K_TS, K_OUT, K_INT } },
	{ SYS_sched_setaffinity, 1, 1, { K_PID, K_LEN, K_IN } },
	{ SYS_sched_getaffinity, 1, 1, { K_PID, K_LEN, K_OUT } },
	{ SYS_getdents64, 3, 1, { K_FD, K_OUT, K_LEN } },
	{ SYS_set_tid_address, 1, 1, { K_OUT } },
	{ SYS_fadvise64, 1, 1, { K_FD, K_LEN, K_LEN, K_INT } },
	{ SYS_clock_settime, 1, 0, { K_CLOCK, K_STRUCT } },
	{ SYS_clock_gettime, 2, 1, { K_CLOCK, K_OUT } },
	{ SYS_clock_getres, 1, 1, { K_CLOCK, K_OUT } },
	{ SYS_clock_nanosleep, 1, 1, { K_CLOCK, K_FLAGS, K_TS, K_OUT } },
	{ SYS_exit_group, 1, 1, { K_INT } },
	{ SYS_tgkill, 2, 1, { K_PID, K_PID, K_SIG } },
	{ SYS_waitid, 2, 1, { K_INT, K_PID, K_OUT, K_FLAGS, K_OUT } },
	{ SYS_openat, 4, 1, { K_DIRFD, K_PATH, K_FLAGS, K_MODE } },
	{ SYS_mkdirat, 2, 1, { K_DIRFD, K_WPATH, K_MODE } },
	{ SYS_mknodat, 1, 1, { K_DIRFD, K_WPATH, K_MODE, K_INT } },
	{ SYS_fchownat, 1, 1, { K_DIRFD, K_WPATH, K_INT, K_INT, K_FLAGS } },
	{ SYS_newfstatat, 2, 1, { K_DIRFD, K_PATH, K_OUT, K_FLAGS } },
	{ SYS_unlinkat, 2, 1, { K_DIRFD, K_WPATH, K_FLAGS } },
	{ SYS_renameat, 1, 1, { K_DIRFD, K_WPATH, K_DIRFD, K_WPATH } },
	{ SYS_linkat, 1, 1, { K_DIRFD, K_WPATH, K_DIRFD, K_WPATH, K_FLAGS } },
	{ SYS_symlinkat, 1, 1, { K_STRUCT, K_DIRFD, K_WPATH } },
	{ SYS_readlinkat, 1, 1, { K_DIRFD, K_PATH, K_OUT, K_LEN } },
	{ SYS_fchmodat, 1, 1, { K_DIRFD, K_WPATH, K_MODE } },
	{ SYS_faccessat, 1, 1, { K_DIRFD, K_PATH, K_INT } },
	{ SYS_pselect6, 1, 1, { K_INT, K_STRUCT, K_STRUCT, K_STRUCT, K_TS, K_STRUCT } },
	{ SYS_ppoll, 1, 1, { K_STRUCT, K_LEN, K_TS, K_SIGSET, K_LEN } },
	{ SYS_set_robust_list, 1, 1, { K_IN, K_LEN } },
	{ SYS_get_robust_list, 1, 1, { K_PID, K_OUT, K_OUT } },
	{ SYS_utimensat, 2, 1, { K_DIRFD, K_WPATH, K_STRUCT, K_FLAGS } },
	{ SYS_dup3, 2, 1, { K_FD, K_FD, K_FLAGS } },
	{ SYS_pipe2, 2, 1, { K_STRUCT, K_FLAGS } },
	{ SYS_preadv, 2, 1, { K_FD, K_IOV, K_LEN, K_LEN, K_LEN } },
	{ SYS_pwritev, 2, 1, { K_FD, K_IOV, K_LEN, K_LEN, K_LEN } },
	{ SYS_prlimit64, 1, 1, { K_PID, K_RES, K_STRUCT, K_OUT } },
	{ SYS_syncfs, 1, 1, { K_FD } },
	{ SYS_renameat2, 1, 1, { K_DIRFD, K_WPATH, K_DIRFD, K_WPATH, K_FLAGS } },
	{ SYS_getrandom, 3, 1, { K_OUT, K_LEN, K_FLAGS } },
	{ SYS_execveat, 1, 1, { K_DIRFD, K_PATH, K_STRUCT, K_STRUCT, K_FLAGS } },
	{ SYS_statx, 2, 1, { K_DIRFD, K_PATH, K_FLAGS, K_FLAGS, K_OUT } },
	{ 439 /* faccessat2 */, 1, 1, { K_DIRFD, K_PATH, K_INT, K_FLAGS } },
};
/* clang-format on */
#define NRULES ((int)(sizeof(rules) / sizeof(rules[0])))

/* Numbers no kernel has: -ENOSYS everywhere (not drawn on Linux). */
static const long unassigned[] = { 335, 463, 1000, 0x7fffffff, -1 };

static struct call table[NRAW + 8];
const struct call *calls = table;
int ncalls;

static unsigned char from_sa(unsigned char sa)
{
	switch (sa) {
	case SA_INT:
	case SA_UINT:
		return K_INT;
	case SA_INT_HEX:
	case SA_UINT_HEX:
	case SA_ULONG_HEX:
		return K_FLAGS;
	case SA_FD:
		return K_DIRFD;
	case SA_UMODE:
		return K_MODE;
	case SA_LONG:
	case SA_ULONG:
		return K_LEN;
	case SA_PTR:
		return K_OUT;
	case SA_STR:
		return K_WPATH;
	case SA_BUF:
		return K_IN;
	default:
		return K_NONE;
	}
}

void calls_init(void)
{
	ncalls = 0;
	for (int i = 0; i < NRAW; i++) {
		struct call *c = &table[ncalls];
		const struct rule *r = NULL;

		for (int k = 0; k < NRULES && !r; k++)
			if (rules[k].nr == raw[i].nr)
				r = &rules[k];
		c->nr = raw[i].nr;
		c->name = raw[i].name;
		c->implemented = raw[i].implemented;
		c->ruled = r != NULL;
		/* Unimplemented numbers: one in sixteen is drawn (-ENOSYS whatever the arguments). */
		c->weight = r ? r->weight : c->implemented || c->nr % 16 == 0;
		c->host_ok = r ? r->host_ok : 0;
		for (int k = 0; k < 6; k++)
			c->kind[k] = r && r->kind[k] != K_NONE ? r->kind[k] : from_sa(raw[i].sa[k]);
		ncalls++;
	}
	/* Numbers past the table and nonsense ones. */
	for (size_t i = 0; i < sizeof(unassigned) / sizeof(unassigned[0]); i++)
		table[ncalls++] = (struct call){ unassigned[i], "unassigned", 0, 1, 1, 0, { K_INT, K_INT, K_INT } };
}
