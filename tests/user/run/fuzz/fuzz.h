/* SPDX-License-Identifier: MIT */
/*
 * fuzz.h - what the parts of the system-call fuzzer share (tests/user/run/fuzz.c
 * and tests/user/run/fuzz/). See fuzz.c for what the program does.
 *
 *   calls.c    the calls: every number of include/syscalls.h, each with its
 *              arguments' kinds (from the SA_* types, refined by hand)
 *   draw.c     values of each kind, and the structures calls read
 *   rules.c    what keeps the program alive and the machine intact: the
 *              rules before a call, the undo after it
 *   scratch.c  the scratch directory, the descriptor checks, the tree walk
 */
#ifndef FUZZ_H
#define FUZZ_H

#include <stdint.h>

#include "utest.h"

#define ARENA_PAGES 64
#define ARENA (ARENA_PAGES * PAGE)
#define MAX_SELF 32
#define CANARY 0x5AFEC0DEF00DD00DULL
#define ERRNO_MAX 4095
#define NOFILE 64		      /* the fuzzer's RLIMIT_NOFILE: descriptors stay few */
#define FSIZE (1UL << 20)	      /* its RLIMIT_FSIZE: no file in the scratch directory grows past 1 MiB */
#define TICK_US 20000		      /* the periodic SIGALRM that bounds every blocking call */
#define CHILD_DEADLINE_NS 60000000LL  /* a child running a risky call: SIGKILL after 60 ms */
#define KILL_DEADLINE_NS 5000000000LL /* ... and it must be gone 5 s after that */
#define RECENT 8		      /* children remembered as signal and wait targets */
#define NSIG_ 64

/* What an argument is: how it is drawn, and what the rules check. */
enum kind {
	K_NONE,	  /* an unused register: junk or 0 */
	K_INT,	  /* a number: 0, -1, INT_MIN, small values, random bits */
	K_FLAGS,  /* flags: known values and random bit sets */
	K_MODE,	  /* a file mode */
	K_LEN,	  /* a length, a count or an offset */
	K_ADDR,	  /* the start of an address range (its length: the next K_LEN) */
	K_OUT,	  /* memory the kernel writes: never the program's own */
	K_IN,	  /* memory the kernel reads (its length: the next K_LEN) */
	K_FD,	  /* a descriptor */
	K_DIRFD,  /* the directory of an *at() call */
	K_PATH,	  /* a path the call looks up or reads */
	K_WPATH,  /* a path the call creates, changes or removes: kept in the scratch directory */
	K_SIG,	  /* a signal number */
	K_PID,	  /* a process or thread id */
	K_TS,	  /* a struct timespec the kernel reads */
	K_SIGSET, /* a sigset_t the kernel reads (its size: the next argument) */
	K_IOV,	  /* an iovec array (its count: the next argument) */
	K_CLOCK,  /* a clock id */
	K_RES,	  /* an rlimit resource */
	K_STRUCT, /* a structure the call's rule fills in (draw.c) */
	K_KINDS
};

/* How a call runs: in the program, or in a child that may die of it. */
enum mode { RUN_HERE, RUN_CHILD };

struct call {
	long nr;
	const char *name;
	int implemented; /* SYS() in include/syscalls.h, not NOSYS() */
	int ruled;	 /* has hand-written kinds (calls.c); an unruled call runs in children only */
	int weight;
	int host_ok; /* drawn on Linux too */
	unsigned char kind[6];
};

extern const struct call *calls;
extern int ncalls;
void calls_init(void);

/* One drawn call. */
struct draw {
	const struct call *c;
	uint64_t a[6];
	enum mode mode;
	int risky; /* the child may run it without the program's own protections */
};

/* The program's state, between two canaries: a call that scribbles over it is caught. */
struct state {
	uint64_t canary_lo;
	uint64_t rng, seed;
	unsigned long self_lo[MAX_SELF], self_hi[MAX_SELF];
	int nself;
	char *arena;
	long open_fd, closed_fd, pipe_fd[2], dir_fd; /* descriptors drawn as "the one just ..." */
	long trace_from;			     /* print calls from this index on (-1: never) */
	long call;				     /* the index of the current call */
	unsigned long fs_base;
	int on_linux;
	int in_child; /* 1 in a child running risky calls: fewer protections, and it may die */
	int role;     /* 0 the main stream, 1 the child stream */
	long pid, pgid, stream_child;
	long recent[RECENT]; /* children that may still be waited for (0: none) */
	int nrecent;
	char scratch_dir[64]; /* "/tmp/fuzz.PID" */
	size_t scratch_len;
	char hostname[65];
	char comm[16]; /* the name at the start (prctl PR_SET_NAME is undone) */
	uint64_t rlim[16][2];
	unsigned char termios[60]; /* fd 1's termios at the start (a terminal's) */
	int have_termios;
	long console_fl[3]; /* the file status flags of descriptors 0-2 */
	/* counts */
	unsigned long ok, errors, enosys, efault, einval, enomem, eintr, ebadf, enoent;
	unsigned long children, child_killed, child_signaled, child_exited;
	unsigned long *by_call, *ok_by_call;
	volatile unsigned long signals[NSIG_ + 1];
	char buf[6 * PAGE]; /* structures, paths and arrays the program builds for a call */
	char maps[64 * 1024];
	uint64_t canary_hi;
};

extern struct state S;

/* draw.c */
uint64_t rnd(void);
uint64_t pick(const uint64_t *v, size_t n);
#define PICK(a) pick((a), sizeof(a) / sizeof((a)[0]))
uint64_t draw_int(void);
uint64_t draw_len(void);
uint64_t draw_ptr(void);
uint64_t arena_addr(void);
uint64_t draw_fd(void);
uint64_t draw_sig(void);
uint64_t draw_pid(void);
uint64_t draw_clock(void);
uint64_t unmappable(void);
uint64_t out_ptr(uint64_t p, uint64_t len);
int hits_self(unsigned long a, unsigned long len);
uint64_t draw_ts(int absolute);
uint64_t draw_timeval(int pair);
uint64_t draw_sigset(int keep_alarm);
uint64_t draw_path(int writable);
uint64_t draw_iov(int writing, long fd, uint64_t *count);
uint64_t draw_strv(int for_exec);
void draw_args(struct draw *d);
char *buf_slot(int i); /* one of six PAGE-sized slots of S.buf */

/* rules.c */
void rules_before(struct draw *d);
void rules_after(const struct draw *d, long r);
void install_handlers(void);
void arm_tick(void);

/* scratch.c */
int scratch_setup(void);
void scratch_refill(void);
void scratch_remove(void);
int path_in_scratch(const char *p);
int fd_in_scratch(long fd);
int fd_is_terminal(long fd);
void close_extra_fds(void);
void reap_children(void);

#endif
