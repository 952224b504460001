/* SPDX-License-Identifier: MIT */
/*
 * rules.c - what keeps the fuzzer alive and the machine intact, call by call.
 *
 * Everything not named here goes to the kernel as drawn. The rules:
 *
 *  - Ending or stopping the program (exit, exit_group, execve, rt_sigreturn,
 *    SIGKILL or SIGSTOP to itself, clone sharing its memory): such calls run
 *    in a child that may die of them (fuzz.c, in_child); the parent reaps it
 *    with a deadline. A child keeps none of the program's own protections.
 *  - Blocking forever (pause, sigsuspend, waits, futex waits, reads of an empty
 *    pipe or the terminal, select and poll without a timeout): a SIGALRM
 *    every TICK_US (handled, without SA_RESTART) ends any wait with EINTR, so
 *    these run as drawn; signal sets the program passes never block SIGALRM,
 *    and what unblocks or re-arms it is undone after the call.
 *  - The program's own memory (image, stack, state, the arena's guards) is
 *    never unmapped, re-protected, remapped, zeroed or written by a call:
 *    such ranges move into the arena.
 *  - Signals go only where they are caught: every signal but SIGKILL and
 *    SIGSTOP has a handler; a call that changes a handler, the mask, the
 *    FS base, a resource limit, the name, the timer, the working directory
 *    or the console's flags is undone at once.
 *  - Files: whatever a call creates, changes or removes lies in the scratch
 *    directory (/tmp/fuzz.PID): absolute paths outside it and ".."
 *    components are refused for such calls, as are descriptors that name
 *    something outside it (checked through /proc/self/fd); other paths are
 *    opened read-only. Device nodes are made only for the harmless devices.
 *  - The console: no random bytes are written to a terminal (one '.', or a
 *    pointer the kernel must refuse), descriptors 1 and 2 are never closed
 *    or replaced, the terminal's settings are only ever set to what they were.
 *  - Other processes: signals go to the program, its children and its own
 *    group only, and SIGKILL/SIGSTOP only from a child to itself.
 *  - On Linux (the build host) a few calls that would change the host are
 *    not drawn (calls.c, host_ok) or are narrowed here.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "fuzz.h"

#define SA_RESTORER_ 0x04000000
#define O_TMPFILE_BIT 020000000
#define AT_FDCWD_ (-100)
#define AT_EMPTY_PATH_ 0x1000
#define F_SETFL_ 4
#define F_GETLK_ 5
#define F_SETLK_ 6
#define F_SETLKW_ 7
#define F_SETOWN_ 8
#define TCSETS_ 0x5402
#define TCSETSF_ 0x5404
#define TIOCSTI_ 0x5412
#define TIOCGWINSZ_ 0x5413
#define FIONBIO_ 0x5421
#define TCXONC_ 0x540A
#define PR_SET_NAME_ 15
#define PR_GET_NAME_ 16

extern void fuzz_restorer(void);
__asm__(".text\n"
	".global fuzz_restorer\n"
	"fuzz_restorer:\n"
	"\tmov $15, %eax\n" /* rt_sigreturn */
	"\tsyscall\n");

struct ksigaction {
	uint64_t handler, flags, restorer, mask;
};

static const char *call_name(void);

/* Every signal is counted; a fault the kernel raised in the program itself is a finding. */
static void on_signal(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (sig > 0 && sig <= NSIG_)
		S.signals[sig]++;
	if ((sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE || sig == SIGTRAP) && si &&
	    si->si_code > 0) {
		if (S.in_child)
			sys1(SYS_exit_group, 70); /* a child may wreck itself: that is what it is for */
		say("FAIL: %s (code %d, address %p) in the program itself, at call %ld (%s)%s", strsignal(sig),
		    si->si_code, si->si_addr, S.call, call_name(), S.role ? " (child stream)" : "");
		sys1(SYS_exit_group, 70);
	}
}

static const char *cur_name;

static const char *call_name(void)
{
	return cur_name ? cur_name : "setup";
}

static int canonical_flags(int sig)
{
	/* No SA_RESTART for SIGALRM: it must end what blocks. */
	return (int)(SA_SIGINFO | SA_RESTORER_ | (sig != SIGALRM && sig % 2 ? SA_RESTART : 0));
}

static void install(int sig)
{
	struct ksigaction sa = { (uint64_t)(uintptr_t)on_signal, (uint64_t)canonical_flags(sig),
				 (uint64_t)(uintptr_t)fuzz_restorer, 0 };

	if (sig >= 1 && sig <= NSIG_ && sig != SIGKILL && sig != SIGSTOP)
		sys4(SYS_rt_sigaction, sig, &sa, 0, 8);
}

void install_handlers(void)
{
	uint64_t none = 0;

	for (int sig = 1; sig <= NSIG_; sig++)
		install(sig);
	sys4(SYS_rt_sigprocmask, SIG_SETMASK, &none, 0, 8);
}

/* The periodic SIGALRM that ends every blocking call. */
void arm_tick(void)
{
	struct {
		long isec, iusec, sec, usec;
	} it = { 0, TICK_US, 0, TICK_US };

	sys3(SYS_setitimer, 0 /* ITIMER_REAL */, &it, 0);
}

/* ---- helpers ---------------------------------------------------------------- */

static int in_buf(uint64_t p)
{
	return p >= (uint64_t)(uintptr_t)S.buf && p < (uint64_t)(uintptr_t)(S.buf + sizeof(S.buf));
}

static int is_unmappable(uint64_t p)
{
	return p >= 0x800000000000UL;
}

/* A path the call will change: its string is ours and stays in the scratch directory, or the kernel cannot read it. */
static void keep_in_scratch(uint64_t *path, uint64_t *dirfd)
{
	const char *s = (const char *)(uintptr_t)*path;

	if (is_unmappable(*path))
		return;
	if (!in_buf(*path) || !path_in_scratch(s) ||
	    (s[0] != '/' && dirfd && (int)*dirfd != AT_FDCWD_ && !fd_in_scratch((long)*dirfd))) {
		char *p = buf_slot(5);

		snprintf(p, 64, "new%d", (int)(rnd() % 3));
		*path = (uint64_t)(uintptr_t)p;
		if (dirfd && (int)*dirfd != AT_FDCWD_ && !fd_in_scratch((long)*dirfd))
			*dirfd = (uint64_t)AT_FDCWD_;
	}
}

/* A descriptor whose file the call changes (fchmod, fchown, ...): only one in the scratch directory. */
static void keep_fd_in_scratch(uint64_t *fd)
{
	if ((int)*fd >= 0 && !fd_in_scratch((long)*fd))
		*fd = (uint64_t)S.closed_fd;
}

/* For a terminal: a pointer the kernel must refuse, or one '.' from a valid buffer. */
static void console_safe(uint64_t *buf, uint64_t *len)
{
	if (rnd() % 2) {
		*buf = unmappable() - (rnd() % 2 ? 0 : rnd() % 64);
	} else {
		*buf = (uint64_t)(uintptr_t) ".";
		*len = *len ? 1 : 0;
	}
}

/* An address range a call would unmap, re-protect, remap or zero: moved into the arena (and cut) if it is ours. */
static void keep_off_self(uint64_t *addr, uint64_t *len)
{
	uint64_t end = (uint64_t)(uintptr_t)S.arena + ARENA;

	if (S.in_child || !hits_self(*addr, *len))
		return;
	*addr = arena_addr() & ~(PAGE - 1);
	if (hits_self(*addr, *len))
		*len = end - *addr;
}

/* Signals: never SIGKILL or SIGSTOP but from a child to itself, never to every process. */
static void keep_signal_home(uint64_t pid, uint64_t *sig)
{
	int p = (int)pid, s = (int)*sig;

	if ((s == SIGKILL || s == SIGSTOP) && !(S.in_child && p == S.pid))
		*sig = rnd() % 2 ? 0 : SIGUSR1;
	if (p == -1 && (int)*sig != 0)
		*sig = 0;
	if (S.on_linux && p < -1 && p != -S.pgid)
		*sig = 0;
}

/* The safe device numbers: null, zero, full, random, urandom, and ones no driver has. */
static uint64_t safe_dev(void)
{
	static const uint64_t devs[] = { 0x103, 0x105, 0x107, 0x108, 0x109, 0, 0xfa00, 0xfffff };

	return S.on_linux ? devs[rnd() % 6] : PICK(devs); /* the host has drivers for any number */
}

/* A symlink's target: a name in the scratch directory (no "..", not absolute outside it), or junk kept so. */
static uint64_t draw_target(void)
{
	static const char *const targets[] = { "f0", "d0", "d0/f0", "l0", "l1", "nope", "d0/d1/f", "x/", "" };
	char *p = buf_slot(4) + 2048;

	switch (rnd() % 6) {
	case 0:
		return rnd() % 2 ? unmappable() : 0;
	case 1:
		snprintf(p, 512, "%s/%s", S.scratch_dir, targets[rnd() % (sizeof(targets) / sizeof(char *))]);
		return (uint64_t)(uintptr_t)p;
	case 2:
		for (size_t i = 0, n = rnd() % 200; i <= n; i++)
			p[i] = i == n ? 0 : (char)(1 + rnd() % 255);
		if (!path_in_scratch(p))
			strcpy(p, "junk");
		return (uint64_t)(uintptr_t)p;
	default:
		strcpy(p, targets[rnd() % (sizeof(targets) / sizeof(char *))]);
		return (uint64_t)(uintptr_t)p;
	}
}

/* execve's path: programs that end at once, scripts of the scratch directory, and what cannot run. */
static uint64_t draw_exec_path(void)
{
	static const char *const progs[] = { "/bin/true",	"/bin/false",	"s0", "s1", "f0", "d0",
					     "/proc/self/maps", "/nonexistent", "l1", "p0", "/",  "/dev/null" };
	char *p = buf_slot(2);

	if (rnd() % 8 == 0)
		return draw_ptr();
	strcpy(p, progs[rnd() % (sizeof(progs) / sizeof(char *))]);
	return (uint64_t)(uintptr_t)p;
}

/* The break: drawn about the current one. */
static uint64_t draw_brk(void)
{
	uint64_t cur = (uint64_t)sys1(SYS_brk, 0);

	switch (rnd() % 5) {
	case 0:
		return draw_ptr();
	case 1:
		return cur + rnd() % (64 * MiB);
	case 2:
		return cur - rnd() % (1 * MiB);
	case 3:
		return cur + draw_len();
	default:
		return 0;
	}
}

static uint64_t draw_sigaction(void)
{
	struct ksigaction *sa = (void *)(buf_slot(5) + 1024);

	if (rnd() % 6 == 0)
		return rnd() % 2 ? 0 : draw_ptr();
	switch (rnd() % 4) {
	case 0:
		sa->handler = 1; /* SIG_IGN */
		break;
	case 1:
		sa->handler = 0; /* SIG_DFL */
		break;
	default:
		sa->handler = (uint64_t)(uintptr_t)on_signal;
	}
	sa->flags = rnd() % 2 ? (uint64_t)(SA_SIGINFO | SA_RESTORER_) : rnd() & 0xffffffffUL;
	sa->restorer = (uint64_t)(uintptr_t)fuzz_restorer;
	sa->mask = rnd() % 2 ? 0 : rnd();
	if (S.in_child) {
		/* Anything, including handlers at random addresses. */
		if (rnd() % 4 == 0)
			sa->handler = draw_ptr();
		if (rnd() % 4 == 0)
			sa->restorer = draw_ptr();
		return (uint64_t)(uintptr_t)sa;
	}
	/* The program keeps working handlers until the call is undone: no alternate stack, no reset. */
	sa->flags |= SA_RESTORER_;
	sa->flags &= ~(uint64_t)(SA_ONSTACK | SA_RESETHAND);
	return (uint64_t)(uintptr_t)sa;
}

static uint64_t draw_rlimit(void)
{
	static const uint64_t vals[] = { 0, 1, 3, 64, 1024, 1 << 20, ~0UL, ~0UL - 1, 1UL << 40 };
	uint64_t *rl = (uint64_t *)(void *)(buf_slot(5) + 2048);

	if (rnd() % 6 == 0)
		return rnd() % 2 ? 0 : draw_ptr();
	rl[0] = PICK(vals);
	rl[1] = rnd() % 2 ? ~0UL : PICK(vals);
	return (uint64_t)(uintptr_t)rl;
}

/* pollfd entries for the descriptors the program knows, or something else. */
static uint64_t draw_pollfds(uint64_t *nfds)
{
	struct {
		int fd;
		short events, revents;
	} *p = (void *)buf_slot(0);
	uint64_t n = rnd() % 6;

	if (rnd() % 8 == 0) {
		*nfds = PICK(((const uint64_t[]){ 0, 1, NOFILE, NOFILE + 1, 1UL << 32, ~0UL }));
		return rnd() % 2 ? 0 : draw_ptr();
	}
	for (uint64_t i = 0; i < n; i++) {
		p[i].fd = (int)draw_fd();
		p[i].events = (short)(rnd() % 2 ? 1 | 4 : rnd());
		p[i].revents = (short)rnd();
	}
	*nfds = rnd() % 8 ? n : PICK(((const uint64_t[]){ NOFILE, NOFILE + 1, 1024, ~0UL }));
	return (uint64_t)(uintptr_t)p;
}

/* An fd_set of the low descriptors (select writes it back: the program's buffer). */
static uint64_t draw_fdset(int i)
{
	uint64_t *set = (uint64_t *)(void *)(buf_slot(4) + 128 * i);

	switch (rnd() % 6) {
	case 0:
		return 0;
	case 1:
		return out_ptr(draw_ptr(), 128);
	default:
		memset(set, 0, 128);
		set[0] = rnd() & 0xffffffffUL & (rnd() | 0x7);
		if (rnd() % 8 == 0)
			set[rnd() % 16] = ~0UL;
		return (uint64_t)(uintptr_t)set;
	}
}

static uint64_t draw_futex_op(void)
{
	static const uint64_t ops[] = { 0, 1, 3, 4, 5, 9, 10, 2, 6, 7, 13, 128, 129, 137, 265, 393, 14 };

	return rnd() % 8 ? PICK(ops) : draw_int();
}

/* ---- before a call ------------------------------------------------------------ */

static void file_rules(struct draw *d)
{
	const struct call *c = d->c;

	for (int k = 0; k < 6; k++)
		if (c->kind[k] == K_WPATH)
			keep_in_scratch(&d->a[k], k > 0 && c->kind[k - 1] == K_DIRFD ? &d->a[k - 1] : NULL);
}

/* open, openat, creat: writing flags only in the scratch directory. */
static void open_rules(struct draw *d, int pi, int fi)
{
	const uint64_t wr = O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND | O_TMPFILE_BIT;
	uint64_t *flags = &d->a[fi];

	if (rnd() % 3 == 0)
		*flags = PICK(((const uint64_t[]){ O_RDONLY, O_RDWR | O_CREAT, O_WRONLY | O_CREAT | O_TRUNC,
						   O_RDONLY | O_DIRECTORY, O_PATH, O_RDWR | O_APPEND,
						   O_WRONLY | O_EXCL | O_CREAT, O_TMPFILE | O_RDWR,
						   O_NONBLOCK | O_RDONLY, O_NOFOLLOW, O_CLOEXEC | O_RDWR }));
	if (!(*flags & wr))
		return;
	{
		const char *s = (const char *)(uintptr_t)d->a[pi];
		uint64_t *dirfd = pi > 0 ? &d->a[pi - 1] : NULL;
		int inside = is_unmappable(d->a[pi]) ||
			     (in_buf(d->a[pi]) && path_in_scratch(s) &&
			      (s[0] == '/' || !dirfd || (int)*dirfd == AT_FDCWD_ || fd_in_scratch((long)*dirfd)));

		if (!inside)
			*flags &= ~wr;
	}
}

/* A process argument of wait4/waitid/setpgid: never the child stream's (it is reaped at the end). */
static void keep_off_stream(uint64_t *pid)
{
	if ((int)*pid == -1 && S.stream_child)
		*pid = 0;
}

void rules_before(struct draw *d)
{
	const struct call *c = d->c;
	uint64_t *a = d->a;
	int loose = S.in_child;

	cur_name = c->name;
	file_rules(d);
	switch (c->nr) {
	case SYS_read:
	case SYS_pread64:
		if ((int)a[0] == 0)
			a[0] = (uint64_t)S.closed_fd; /* a terminal on stdin waits for a line */
		break;
	case SYS_write:
	case SYS_pwrite64:
		if (S.on_linux && c->nr == SYS_pwrite64 && (int)a[0] <= 2)
			a[0] = (uint64_t)S.closed_fd; /* the host's stdout may be a file */
		if (fd_is_terminal((long)a[0]))
			console_safe(&a[1], &a[2]);
		break;
	case SYS_readv:
	case SYS_preadv:
	case SYS_writev:
	case SYS_pwritev:
		if (((int)a[0] == 0 && (c->nr == SYS_readv || c->nr == SYS_preadv)) ||
		    (S.on_linux && c->nr == SYS_pwritev && (int)a[0] <= 2))
			a[0] = (uint64_t)S.closed_fd;
		a[1] = draw_iov(c->nr == SYS_writev || c->nr == SYS_pwritev, (long)a[0], &a[2]);
		break;
	case SYS_sendfile:
		if (fd_is_terminal((long)a[0]))
			a[3] = a[3] ? 1 : 0;
		break;
	case SYS_close:
		if ((int)a[0] == 1 || (int)a[0] == 2)
			a[0] = (uint64_t)S.closed_fd;
		break;
	case SYS_dup2:
	case SYS_dup3:
		if ((int)a[1] == 1 || (int)a[1] == 2)
			a[1] = 3 + rnd() % 8;
		break;
	case SYS_lseek:
		if (S.on_linux && (int)a[0] <= 2)
			a[0] = (uint64_t)S.closed_fd; /* the host's stdout may be a file */
		break;
	case SYS_open:
		open_rules(d, 0, 1);
		break;
	case SYS_openat:
		open_rules(d, 1, 2);
		break;
	case SYS_fchmod:
	case SYS_fchown:
	case SYS_ftruncate:
		keep_fd_in_scratch(&a[0]);
		break;
	case SYS_utimensat:
		if (rnd() % 4 == 0)
			a[1] = 0; /* the descriptor itself */
		if (!a[1] || (in_buf(a[1]) && !*(const char *)(uintptr_t)a[1]))
			keep_fd_in_scratch(&a[0]);
		a[2] = rnd() % 4 ? draw_ts(1) : draw_ptr(); /* two timespecs: the second is whatever follows */
		break;
	case SYS_fchownat:
	case SYS_linkat:
		/* An empty path with AT_EMPTY_PATH names the descriptor. */
		if (rnd() % 4 == 0)
			a[4] |= AT_EMPTY_PATH_;
		if (in_buf(a[1]) && !*(const char *)(uintptr_t)a[1])
			keep_fd_in_scratch(&a[0]);
		break;
	case SYS_symlink:
		a[0] = draw_target();
		break;
	case SYS_symlinkat:
		a[0] = draw_target();
		break;
	case SYS_mknod:
	case SYS_mknodat: {
		int mi = c->nr == SYS_mknod ? 1 : 2;
		unsigned type = (unsigned)a[mi] & 0170000;

		if (rnd() % 2)
			a[mi] = (a[mi] & 07777) |
				PICK(((const uint64_t[]){ 0, 0100000, 0010000, 0140000, 0020000, 0060000, 0040000 }));
		type = (unsigned)a[mi] & 0170000;
		if (S.on_linux && type == 0060000)
			a[mi] = (a[mi] & 07777) | 0020000; /* no block devices on the host */
		if (type == 0020000 || type == 0060000 || type == 0170000 || type == 0160000)
			a[mi + 1] = safe_dev();
		break;
	}
	case SYS_execve:
		a[0] = draw_exec_path();
		a[1] = draw_strv(1);
		a[2] = draw_strv(0);
		break;
	case SYS_execveat:
		a[1] = draw_exec_path();
		a[2] = draw_strv(1);
		a[3] = draw_strv(0);
		break;
	case SYS_mmap:
		keep_off_self(&a[0], &a[1]);
		if (rnd() % 2)
			a[3] = (rnd() % 4 ? 0x22 : 0x4022) | (rnd() % 3 ? 0 : 0x10); /* private anonymous (+fixed) */
		if (rnd() % 2)
			a[2] = rnd() % 8;
		if ((a[3] & 0x10) && !S.in_child && hits_self(a[0], a[1]))
			a[3] &= ~0x10UL;
		if (S.on_linux)
			a[3] &= ~(uint64_t)(0x8000 | 0x2000 | 0x40000); /* MAP_POPULATE, MAP_LOCKED, MAP_HUGETLB */
		break;
	case SYS_mprotect:
	case SYS_munmap:
	case SYS_madvise:
		keep_off_self(&a[0], &a[1]);
		if (c->nr == SYS_madvise && S.on_linux && (a[2] > 19 || a[2] == 9))
			a[2] = 4; /* no MADV_POPULATE_*, HWPOISON, SOFT_OFFLINE, REMOVE on the host */
		break;
	case SYS_brk:
		a[0] = draw_brk();
		if (!loose && hits_self(a[0], 1))
			a[0] = 0;
		break;
	case SYS_ioctl: {
		unsigned req;

		if (rnd() % 2)
			a[1] = PICK(((const uint64_t[]){ 0x5401, 0x5402, 0x5403, 0x5404, 0x5413, 0x540f, 0x5410, 0x5429,
							 0x540e, 0x5422, 0x541b, 0x5411, 0x540b, 0x5409, 0x5421, 0x5414,
							 0x540a, 0x5412 }));
		req = (unsigned)a[1];
		if (req == TIOCSTI_)
			a[1] = TIOCGWINSZ_; /* no typing into the console */
		else if (req == TCXONC_)
			a[2] = 1; /* TCOON: output must go on */
		else if (req == 0x5414 /* TIOCSWINSZ */)
			a[2] = unmappable();
		else if (req >= TCSETS_ && req <= TCSETSF_)
			/* The terminal's settings only as they were, or from a pointer it cannot read. */
			a[2] = S.have_termios && rnd() % 2 ?
				       (uint64_t)(uintptr_t)memcpy(buf_slot(5), S.termios, sizeof(S.termios)) :
				       unmappable();
		break;
	}
	case SYS_fcntl:
		if (rnd() % 2)
			a[1] = PICK(((const uint64_t[]){ 0,    1,    2,	   3,	 4,    5,  6,  7,  8,	 9,    10,  11,
							 1030, 1031, 1032, 1033, 1034, 36, 37, 38, 1024, 1025, 1026 }));
		switch ((unsigned)a[1]) {
		case F_GETLK_:
		case F_SETLK_:
		case F_SETLKW_:
		case 36:
		case 37:
		case 38: {
			int16_t *fl = (int16_t *)(void *)(buf_slot(5) + 3072);

			fl[0] = (int16_t)(rnd() % 4); /* type */
			fl[1] = (int16_t)(rnd() % 4); /* whence */
			((int64_t *)(void *)fl)[1] = (int64_t)draw_len();
			((int64_t *)(void *)fl)[2] = (int64_t)draw_len();
			a[2] = rnd() % 4 ? (uint64_t)(uintptr_t)fl : out_ptr(draw_ptr(), 32);
			break;
		}
		case F_SETOWN_:
			if (S.on_linux)
				a[2] = (uint64_t)S.pid;
			break;
		default:
			a[2] = draw_int();
		}
		break;
	case SYS_pipe:
	case SYS_pipe2:
		a[0] = rnd() % 6 ? (uint64_t)(uintptr_t)(buf_slot(5) + 3584) : out_ptr(draw_ptr(), 8);
		break;
	case SYS_poll:
		a[0] = draw_pollfds(&a[1]);
		a[2] = PICK(((const uint64_t[]){ 0, 0, 1, 5, (uint64_t)-1, (uint64_t)(int64_t)INT32_MIN, 0x7fffffff }));
		break;
	case SYS_ppoll:
		a[0] = draw_pollfds(&a[1]);
		a[4] = rnd() % 4 ? 8 : draw_len();
		break;
	case SYS_select:
		a[0] = PICK(((const uint64_t[]){ 0, 1, 3, 5, 10, 63, 64, 65, 1024, 1025, (uint64_t)-1, 0x7fffffff }));
		for (int i = 1; i <= 3; i++)
			a[i] = draw_fdset(i - 1);
		a[4] = draw_timeval(0);
		break;
	case SYS_pselect6: {
		uint64_t *sig = (uint64_t *)(void *)(buf_slot(4) + 512);

		a[0] = PICK(((const uint64_t[]){ 0, 1, 3, 5, 10, 63, 64, 65, 1024, 1025, (uint64_t)-1, 0x7fffffff }));
		for (int i = 1; i <= 3; i++)
			a[i] = draw_fdset(i - 1);
		sig[0] = draw_sigset(!loose);
		sig[1] = rnd() % 4 ? 8 : draw_len();
		a[5] = rnd() % 4 ? (uint64_t)(uintptr_t)sig : rnd() % 2 ? 0 : draw_ptr();
		if (!loose && !in_buf(a[5]) && a[5])
			a[5] = unmappable();
		break;
	}
	case SYS_rt_sigaction: {
		struct ksigaction *sa;

		a[1] = draw_sigaction();
		a[3] = rnd() % 6 ? 8 : draw_len();
		sa = in_buf(a[1]) ? (struct ksigaction *)(uintptr_t)a[1] : NULL;
		if (!loose && sa && sa->handler == 0) {
			int s = (int)a[0];

			if (s != SIGCHLD && s != SIGURG && s != SIGWINCH && s != SIGCONT)
				sa->handler = 1;
		}
		if (!loose && !sa && a[1] && !is_unmappable(a[1]))
			a[1] = unmappable(); /* not random bytes as a handler */
		break;
	}
	case SYS_rt_sigprocmask:
		a[3] = rnd() % 6 ? 8 : draw_len();
		break;
	case SYS_rt_sigsuspend:
	case SYS_rt_sigpending:
		a[1] = rnd() % 6 ? 8 : draw_len();
		break;
	case SYS_rt_sigtimedwait:
		a[3] = rnd() % 6 ? 8 : draw_len();
		break;
	case SYS_sigaltstack: {
		uint64_t *ss = (uint64_t *)(void *)(buf_slot(5) + 2560);

		ss[0] = draw_ptr();
		ss[1] = PICK(((const uint64_t[]){ 0, 1, 2, 4, 0x80000000, 0x80000002, 7 }));
		ss[2] = PICK(((const uint64_t[]){ 0, 2047, 2048, 8192, 65536, ~0UL, 1UL << 40 }));
		a[0] = rnd() % 6 ? (uint64_t)(uintptr_t)ss : rnd() % 2 ? 0 : draw_ptr();
		break;
	}
	case SYS_kill:
	case SYS_tkill:
		keep_signal_home(a[0], &a[1]);
		break;
	case SYS_tgkill:
		if (rnd() % 2)
			a[1] = a[0];
		keep_signal_home(a[0], &a[2]);
		keep_signal_home(a[1], &a[2]);
		break;
	case SYS_wait4:
		keep_off_stream(&a[0]);
		a[2] = rnd() % 2 ? (uint64_t)PICK(((const uint64_t[]){ 0, 1, 2, 8, 0x40000000, 0x80000000, 0x40000001,
								       0x20000000 })) :
				   a[2];
		break;
	case SYS_waitid:
		a[0] = rnd() % 4 ? rnd() % 4 : draw_int(); /* P_ALL, P_PID, P_PGID, P_PIDFD */
		if ((int)a[0] == 0 && S.stream_child) {
			a[0] = 2; /* P_PGID of its own group: not the child stream */
			a[1] = 0;
		}
		a[3] = rnd() % 2 ? (uint64_t)PICK(((const uint64_t[]){ 4, 5, 2, 8, 0x1000004, 0x40000004, 0 })) : a[3];
		break;
	case SYS_setpgid:
		if (S.on_linux && (int)a[0] != S.pid && (int)a[0] != 0)
			a[0] = 0;
		break;
	case SYS_clone: {
		static const uint64_t kinds[] = { 0,
						  CLONE_VFORK,
						  CLONE_FILES,
						  CLONE_FS,
						  CLONE_SIGHAND,
						  CLONE_THREAD,
						  CLONE_VM,
						  CLONE_VM | CLONE_VFORK,
						  CLONE_PARENT,
						  CLONE_SETTLS,
						  CLONE_PARENT_SETTID,
						  CLONE_CHILD_SETTID,
						  CLONE_CHILD_CLEARTID,
						  CLONE_NEWNS,
						  CLONE_PIDFD,
						  CLONE_UNTRACED,
						  CLONE_VM | CLONE_SIGHAND | CLONE_THREAD };
		uint64_t flags = rnd() % 2 ? SIGCHLD | PICK(kinds) : rnd() & rnd();

		if (!loose) {
			unsigned exit_sig = (unsigned)(flags & 0xff);

			flags &= ~(uint64_t)CLONE_VM; /* a child sharing the memory runs in a child only */
			/* Its exit signal: not one the handler takes for a fault in the program (si_code CLD_EXITED is
			 * 1). */
			if (exit_sig == SIGSEGV || exit_sig == SIGBUS || exit_sig == SIGILL || exit_sig == SIGFPE ||
			    exit_sig == SIGTRAP)
				flags = (flags & ~0xffUL) | SIGCHLD;
		}
		a[0] = flags;
		a[1] = rnd() % 2 ? 0 : draw_ptr(); /* the child never uses its stack (fuzz_spawn_exit) */
		a[4] = rnd() % 2 ? 0 : draw_ptr();
		break;
	}
	case SYS_setrlimit:
	case SYS_prlimit64:
		a[c->nr == SYS_setrlimit ? 1 : 2] = draw_rlimit();
		if (!loose && !in_buf(a[c->nr == SYS_setrlimit ? 1 : 2]) && a[c->nr == SYS_setrlimit ? 1 : 2])
			a[c->nr == SYS_setrlimit ? 1 : 2] = unmappable(); /* not random limits, even for one call */
		if (!loose && (int)a[c->nr == SYS_setrlimit ? 0 : 1] == 0 /* RLIMIT_CPU: SIGKILL at the hard limit */)
			a[c->nr == SYS_setrlimit ? 1 : 2] = unmappable();
		if (S.on_linux) {
			/* The host: only what the limit already is. */
			int res = (int)a[c->nr == SYS_setrlimit ? 0 : 1];

			if (res >= 0 && res < 16 && in_buf(a[c->nr == SYS_setrlimit ? 1 : 2]))
				memcpy((void *)(uintptr_t)a[c->nr == SYS_setrlimit ? 1 : 2], S.rlim[res], 16);
			if (c->nr == SYS_prlimit64 && (int)a[0] != 0 && (int)a[0] != S.pid)
				a[2] = 0;
		}
		break;
	case SYS_prctl:
		a[0] = rnd() % 4 ? PICK(((const uint64_t[]){ 1, 2, 3, 4, 15, 16, 38, 39, 0, 1000 })) : a[0];
		if ((int)a[0] == PR_SET_NAME_)
			a[1] = rnd() % 4 ? (uint64_t)(uintptr_t) "fuzz-renamed-too-long-name" : draw_ptr();
		else if ((int)a[0] == PR_GET_NAME_ || (int)a[0] == 2)
			a[1] = out_ptr(draw_ptr(), 16);
		else
			a[1] = draw_int();
		if (S.on_linux && (int)a[0] != 1 && (int)a[0] != 2 && (int)a[0] != 3 && (int)a[0] != 15 &&
		    (int)a[0] != 16 && (int)a[0] != 39)
			a[0] = 0x7fffffff; /* EINVAL */
		break;
	case SYS_arch_prctl:
		if (rnd() % 2 || S.on_linux)
			a[0] = 0x1001 + rnd() % 4; /* ARCH_SET_GS..ARCH_GET_GS */
		a[1] = rnd() % 2 ? draw_ptr() : (uint64_t)(uintptr_t)(buf_slot(5) + 3840);
		if (a[0] == ARCH_GET_FS || a[0] == 0x1004)
			a[1] = out_ptr(a[1], 8);
		break;
	case SYS_sethostname:
		a[0] = rnd() % 4 ? (uint64_t)(uintptr_t)S.hostname : unmappable();
		a[1] = rnd() % 2 ? strlen(S.hostname) : draw_len();
		if (in_buf(a[0]) || a[0] == (uint64_t)(uintptr_t)S.hostname)
			if (a[1] <= 64 && a[1] != strlen(S.hostname))
				a[1] = strlen(S.hostname); /* the name stays what it was */
		break;
	case SYS_clock_settime:
		if ((int)a[0] == 0) {
			int64_t *ts = (int64_t *)(void *)(buf_slot(5) + 3900);

			/* The wall clock only to what it is now (or to values it must refuse). */
			sys2(SYS_clock_gettime, 0, ts);
			if (rnd() % 3 == 0)
				ts[1] = rnd() % 2 ? -1 : 1000000000;
			a[1] = rnd() % 4 ? (uint64_t)(uintptr_t)ts : unmappable();
		} else {
			a[1] = rnd() % 2 ? unmappable() : draw_ts(0);
		}
		break;
	case SYS_clock_nanosleep:
		a[1] = rnd() % 2 ? 1 /* TIMER_ABSTIME */ : a[1];
		a[2] = draw_ts(a[1] & 1);
		break;
	case SYS_futex:
		a[1] = draw_futex_op();
		a[3] = draw_ts((a[1] & 127) == 9);
		a[4] = out_ptr(a[4], 8);
		break;
	case SYS_setitimer:
		a[1] = draw_timeval(1);
		break;
	case SYS_sched_setscheduler: {
		int *prio = (int *)(void *)(buf_slot(5) + 3960);

		*prio = (int)PICK(((const uint64_t[]){ 0, 1, 50, 99, 100, (uint64_t)-1 }));
		a[2] = rnd() % 4 ? (uint64_t)(uintptr_t)prio : draw_ptr();
		a[1] = rnd() % 2 ? rnd() % 8 : a[1];
		if (S.on_linux && ((int)a[1] == 1 || (int)a[1] == 2 || (int)a[1] == 6))
			a[1] = 0; /* no real-time or deadline class on the host */
		break;
	}
	case SYS_setpriority:
		a[2] = rnd() % 2 ? (uint64_t)(int64_t)((int)(rnd() % 41) - 20) : a[2];
		if (S.on_linux && (int)a[2] < 0)
			a[2] = 0;
		break;
	case SYS_getgroups:
		a[1] = out_ptr(a[1], PAGE);
		break;
	}
}

/* ---- after a call ----------------------------------------------------------------------------- */

static void remember_child(long pid)
{
	S.recent[S.nrecent++ % RECENT] = pid;
}

static void forget_child(long pid)
{
	for (int i = 0; i < RECENT; i++)
		if (S.recent[i] == pid)
			S.recent[i] = 0;
}

void rules_after(const struct draw *d, long r)
{
	const struct call *c = d->c;
	const uint64_t *a = d->a;

	/* The working directory: back to the scratch directory, in children too. */
	if ((c->nr == SYS_chdir || c->nr == SYS_fchdir) && r == 0)
		sys1(SYS_chdir, S.scratch_dir);
	if (S.in_child)
		return;
	switch (c->nr) {
	case SYS_rt_sigaction:
		install((int)a[0]);
		break;
	case SYS_rt_sigprocmask: {
		uint64_t none = 0;

		sys4(SYS_rt_sigprocmask, SIG_SETMASK, &none, 0, 8);
		break;
	}
	case SYS_alarm:
	case SYS_setitimer:
		arm_tick();
		break;
	case SYS_arch_prctl:
		sys2(SYS_arch_prctl, ARCH_SET_FS, S.fs_base);
		break;
	case SYS_prctl:
		if ((int)a[0] == PR_SET_NAME_)
			sys2(SYS_prctl, PR_SET_NAME_, S.comm);
		break;
	case SYS_setrlimit:
	case SYS_prlimit64: {
		int res = (int)a[c->nr == SYS_setrlimit ? 0 : 1];

		if (res >= 0 && res < 16)
			sys2(SYS_setrlimit, res, S.rlim[res]);
		break;
	}
	case SYS_fcntl:
	case SYS_ioctl:
		if ((int)a[0] >= 0 && (int)a[0] <= 2 &&
		    ((c->nr == SYS_fcntl && (int)a[1] == F_SETFL_) ||
		     (c->nr == SYS_ioctl && (unsigned)a[1] == FIONBIO_)))
			sys3(SYS_fcntl, (int)a[0], F_SETFL_, S.console_fl[(int)a[0]]);
		if (c->nr == SYS_fcntl && r >= 0 && ((int)a[1] == 0 || (int)a[1] == 1030))
			S.open_fd = r;
		break;
	case SYS_setpgid:
		if (sys1(SYS_getpgid, 0) != S.pgid)
			sys2(SYS_setpgid, 0, 0);
		break;
	case SYS_open:
	case SYS_openat:
	case SYS_creat:
	case SYS_dup:
	case SYS_dup2:
	case SYS_dup3:
		if (r >= 0)
			S.open_fd = r;
		if (r == 1 || r == 2)
			fail("call %ld: %s returned descriptor %ld, which was open", S.call, c->name, r);
		if (r >= NOFILE)
			fail("call %ld: %s returned descriptor %ld, past RLIMIT_NOFILE %d", S.call, c->name, r, NOFILE);
		break;
	case SYS_close:
		if (r == 0)
			S.closed_fd = (long)(int)a[0];
		break;
	case SYS_pipe:
	case SYS_pipe2:
		if (r == 0 && a[0] == (uint64_t)(uintptr_t)(buf_slot(5) + 3584)) {
			const int *fds = (const int *)(const void *)(buf_slot(5) + 3584);

			S.pipe_fd[0] = fds[0];
			S.pipe_fd[1] = fds[1];
			if (fds[0] == 1 || fds[0] == 2 || fds[1] == 1 || fds[1] == 2 || fds[0] < 0 || fds[1] < 0 ||
			    fds[0] >= NOFILE || fds[1] >= NOFILE)
				fail("call %ld: %s returned descriptors %d and %d", S.call, c->name, fds[0], fds[1]);
			if (rnd() % 8) {
				sys3(SYS_fcntl, fds[0], F_SETFL_, O_NONBLOCK);
				sys3(SYS_fcntl, fds[1], F_SETFL_, O_NONBLOCK);
			}
		}
		break;
	case SYS_fork:
	case SYS_vfork:
	case SYS_clone:
		if (r > 0)
			remember_child(r);
		break;
	case SYS_wait4:
		if (r > 0)
			forget_child(r);
		break;
	case SYS_mmap:
		if (r >= 0 && (uint64_t)r >= 0x800000000000UL)
			fail("call %ld: mmap returned %#lx, outside user space", S.call, (unsigned long)r);
		break;
	case SYS_read:
	case SYS_write:
	case SYS_pread64:
	case SYS_pwrite64:
	case SYS_getrandom:
	case SYS_readlink:
	case SYS_getdents64:
	case SYS_getcwd: {
		uint64_t len = c->nr == SYS_getrandom ? a[1] : a[2];

		if (c->nr == SYS_getcwd)
			len = a[1];
		if (r > 0 && (uint64_t)r > len)
			fail("call %ld: %s(len %#llx) returned %ld, more than asked", S.call, c->name,
			     (unsigned long long)len, r);
		break;
	}
	}
}
