/* SPDX-License-Identifier: MIT */
/*
 * draw.c - the fuzzer's values: numbers on the kernel's edges (0, -1,
 * INT_MIN, page boundaries, the top of the user half, the kernel half,
 * non-canonical addresses), valid buffers in the arena, descriptors just
 * opened and just closed, paths, and the structures calls read (timespecs,
 * signal sets, iovec arrays, argv arrays). The same seed draws the same
 * values, so a finding replays.
 */
#include <limits.h>

#include "fuzz.h"

uint64_t rnd(void)
{
	uint64_t x = S.rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	S.rng = x;
	return x * 0x2545F4914F6CDD1DULL;
}

uint64_t pick(const uint64_t *v, size_t n)
{
	return v[rnd() % n];
}

char *buf_slot(int i)
{
	return S.buf + (size_t)i * PAGE;
}

static const uint64_t lengths[] = {
	0,
	1,
	2,
	7,
	8,
	15,
	16,
	24,
	100,
	255,
	256,
	511,
	512,
	4095,
	4096,
	4097,
	8192,
	65536,
	1 << 20,
	1UL << 31,
	(uint64_t)INT_MAX,
	(uint64_t)INT_MIN,
	0xffffffffUL,
	0x7ffff000UL, /* Linux's MAX_RW_COUNT */
	1UL << 46,
	1UL << 47,
	(1UL << 47) - 4096,
	~0UL,
	~0UL - 4095,
	0x7fffffffffffUL,
	0x7fffffffffffffffUL,
	0x8000000000000000UL,
};

static const uint64_t bad_addrs[] = {
	0,				    /* NULL */
	1,				    /* unaligned NULL page */
	0x1000,				    /* null guard */
	0x3ff000,			    /* last null-guard page */
	0x7ffffffff000UL,		    /* last user page */
	0x7fffffffffffUL,		    /* last user byte */
	0x7fffffffff00UL,		    /* straddles the top of the user half */
	0x800000000000UL,		    /* first non-canonical */
	0x8000000000000000UL,		    /* middle of the hole */
	0xffff800000000000UL,		    /* first kernel address */
	0xffffffff80000000UL,		    /* kernel image */
	0xfffffffffffff000UL,		    /* last page */
	~0UL,				    /* -1 */
	(uint64_t)(int64_t)INT_MIN,	    /* INT_MIN, sign-extended */
	0x7fff00000000UL - 8 * 1024 * 1024, /* below the stack */
};

/* Addresses no call can ever map (not even the null page: root may map it on Linux). */
static const uint64_t unmappables[] = {
	0x800000000000UL, 0x8000000000000000UL, 0xffff800000000000UL, 0xffffffff80000000UL, ~0UL,
};

static const uint64_t ints[] = {
	0,
	1,
	2,
	3,
	4,
	5,
	7,
	8,
	9,
	14,
	15,
	16,
	17,
	19,
	0x20,
	0x22,
	0x32,
	64,
	65,
	0x100,
	0x400,
	0x800,
	0x1002,
	0x1003,
	0x4000,
	0x10000,
	0x80000,
	0x100000,
	0x4022,
	0x100022,
	0x5401,
	0x5413,
	0x541b,
	(uint64_t)-1,
	(uint64_t)-100, /* AT_FDCWD */
	(uint64_t)(int64_t)INT_MIN,
	(uint64_t)INT_MAX,
	0x80000000UL,
	0xffffffffUL,
	0x100000000UL, /* 1 in the upper half only: an int argument must ignore it */
};

uint64_t unmappable(void)
{
	return PICK(unmappables);
}

uint64_t draw_int(void)
{
	switch (rnd() % 8) {
	case 0:
		return rnd() >> (rnd() % 64);
	case 1:
		return rnd() % 32;
	default:
		return PICK(ints);
	}
}

uint64_t draw_len(void)
{
	return rnd() % 4 ? PICK(lengths) : rnd() % (3 * PAGE);
}

/* An address in the arena: a page start, its last bytes, or anywhere. */
uint64_t arena_addr(void)
{
	uint64_t page = (uint64_t)(uintptr_t)S.arena + (rnd() % ARENA_PAGES) * PAGE;

	switch (rnd() % 4) {
	case 0:
		return page;
	case 1:
		return page + PAGE - 1;
	case 2:
		return page + PAGE - 8;
	default:
		return page + rnd() % PAGE;
	}
}

uint64_t draw_ptr(void)
{
	switch (rnd() % 8) {
	case 0:
	case 1:
		return PICK(bad_addrs);
	case 2:
		return PICK(bad_addrs) + (rnd() % 3) * PAGE - PAGE; /* next to an edge */
	default:
		return arena_addr();
	}
}

/* Whether [a, a + len) (len 0: one byte) meets the program's own memory. */
int hits_self(unsigned long a, unsigned long len)
{
	unsigned long end = a + (len ? len : 1);

	if (end < a)
		end = ~0UL;
	for (int i = 0; i < S.nself; i++)
		if (a < S.self_hi[i] && end > S.self_lo[i])
			return 1;
	return 0;
}

/* Memory the kernel may write len bytes to: anything but the program's own (the arena then). */
uint64_t out_ptr(uint64_t p, uint64_t len)
{
	return hits_self(p, len) ? arena_addr() : p;
}

uint64_t draw_fd(void)
{
	static const uint64_t fds[] = { 0,
					1,
					2,
					3,
					4,
					15,
					NOFILE - 1,
					NOFILE,
					1000,
					(uint64_t)-1,
					(uint64_t)(int64_t)INT_MIN,
					(uint64_t)INT_MAX,
					0x100000003UL };

	switch (rnd() % 8) {
	case 0:
	case 1:
		return (uint64_t)S.open_fd;
	case 2:
		return (uint64_t)S.closed_fd;
	case 3:
		return (uint64_t)S.pipe_fd[rnd() % 2];
	case 4:
		return (uint64_t)S.dir_fd;
	default:
		return PICK(fds);
	}
}

uint64_t draw_sig(void)
{
	static const uint64_t sigs[] = { 0,  1,	 2,  9,	 10, 12, 13, 14, 15, 17,	   18,	       19,
					 20, 21, 22, 31, 32, 33, 34, 64, 65, (uint64_t)-1, 0x10000000a };

	return rnd() % 3 ? 1 + rnd() % 64 : PICK(sigs);
}

/*
 * A process: itself, its group, children it has (or had), and ids that name
 * nobody. Never another process's id: the rules keep signals to themselves.
 */
uint64_t draw_pid(void)
{
	static const uint64_t pids[] = { 0,	  (uint64_t)-1,		0x7fffffff, (uint64_t)(int64_t)INT_MIN,
					 4194304, (uint64_t)-0x7fffffff };

	switch (rnd() % 6) {
	case 0:
	case 1:
		return (uint64_t)S.pid;
	case 2:
		return (uint64_t)-S.pgid;
	case 3:
		if (S.nrecent)
			return (uint64_t)S.recent[rnd() % RECENT];
		return 0;
	default:
		return PICK(pids);
	}
}

uint64_t draw_clock(void)
{
	static const uint64_t clocks[] = { 0,	      1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 16, (uint64_t)-1, (uint64_t)-6,
					   0x7fffffff };

	return PICK(clocks);
}

/*
 * A struct timespec the kernel reads, never a long wait: the periodic
 * SIGALRM ends any wait within TICK_US, but sleeping the full tick on every
 * draw would slow the run. absolute: a clock_nanosleep TIMER_ABSTIME or
 * futex deadline (small values are in the past).
 */
uint64_t draw_ts(int absolute)
{
	static const int64_t ns[] = { 0, 0, 0, 1, 1000, 999999999, -1, 1000000000, INT64_MIN, 100000 };
	int64_t *ts = (int64_t *)(void *)buf_slot(1);

	switch (rnd() % 8) {
	case 0:
		return 0; /* NULL: no timeout, or none given */
	case 1:
		return rnd() % 2 ? unmappable() : arena_addr() | 7; /* unreadable, or whatever the arena holds */
	default:
		ts[0] = rnd() % 8 ? 0 : rnd() % 2 ? -1 : absolute ? 1 : 0;
		ts[1] = ns[rnd() % (sizeof(ns) / sizeof(ns[0]))];
		return (uint64_t)(uintptr_t)ts;
	}
}

/* A struct timeval (or two: an itimerval) of small or invalid values. */
uint64_t draw_timeval(int pair)
{
	static const int64_t us[] = { 0, 0, 1, 1000, 999999, 1000000, -1 };
	int64_t *tv = (int64_t *)(void *)buf_slot(1);

	if (rnd() % 8 == 0)
		return rnd() % 2 ? 0 : unmappable();
	for (int i = 0; i < (pair ? 2 : 1); i++) {
		tv[2 * i] = rnd() % 8 ? 0 : rnd() % 2 ? -1 : 1;
		tv[2 * i + 1] = us[rnd() % (sizeof(us) / sizeof(us[0]))];
	}
	return (uint64_t)(uintptr_t)tv;
}

/* A signal set the kernel reads; keep_alarm: SIGALRM stays unblocked (it ends blocking calls). */
uint64_t draw_sigset(int keep_alarm)
{
	uint64_t *set = (uint64_t *)(void *)(buf_slot(1) + 64);

	switch (rnd() % 6) {
	case 0:
		return 0;
	case 1:
		return draw_ptr();
	default:
		*set = rnd() % 2 ? rnd() : rnd() % 2 ? ~0UL : 1UL << (rnd() % 64);
		if (keep_alarm)
			*set &= ~(1UL << (14 - 1));
		return (uint64_t)(uintptr_t)set;
	}
}

/* Names inside the scratch directory (scratch.c makes them). */
static const char *const scratch_names[] = {
	"f0",	"f1",	 "f2",	 "d0",	    "d0/f0", "d0/d1", "d0/d1/f", "l0",	"l1",	"l2",
	"l3",	"p0",	 "h0",	 "s0",	    "s1",    "new0",  "new1",	 "d2",	"d2/x", "d0/new",
	"f0/x", "l2/f0", "./f1", "d0/./f0", "x//y",  "",      ".",	 "l0/", "d0/",	"new2/",
};

/* Paths outside it, looked up or read only. */
static const char *const outside_names[] = {
	"/proc/self/maps",
	"/proc/self/status",
	"/proc/self/",
	"/proc/self/mapsX",
	"/proc/self/../self/maps",
	"/",
	"/proc/1/maps",
	"/dev/null",
	"/dev/zero",
	"/proc/self/maps/",
	"/proc/self/fd/0",
	"/proc/self/fd/",
	"/proc",
	"/proc/self/exe",
	"/proc/self/cwd",
	"/proc/self/cwd/f0",
	"/proc/self/task",
	"/proc/meminfo",
	"/tmp",
	"/bin/busybox",
	"/bin/sh",
	"/bin/true",
	"/etc/passwd",
	"/etc",
	"/..",
	"/../../etc",
	"/dev/full",
	"/dev/urandom",
	"/proc/self/fd/1/x",
	"/proc/self/root",
	"..",
	"../..",
	"/nonexistent/x",
};

/*
 * A path in S.buf (or a bad pointer). writable: the call creates, changes or
 * removes what it names, so only names in the scratch directory (relative,
 * or absolute under it) and bad pointers are drawn; rules.c checks the rest.
 */
uint64_t draw_path(int writable)
{
	char *p = buf_slot(2);
	size_t n;

	switch (rnd() % 12) {
	case 0:
		return writable ? unmappable() - rnd() % 2 : draw_ptr();
	case 1:
		/* No terminator in a whole page of 'a's: ENAMETOOLONG before the end. */
		memset(p, 'a', PAGE);
		return (uint64_t)(uintptr_t)p;
	case 2:
		/* Random bytes: junk names, sometimes with slashes; rules.c keeps ".." out of writable ones. */
		n = rnd() % 300;
		for (size_t i = 0; i < n; i++)
			p[i] = (char)(1 + rnd() % 255);
		p[n] = 0;
		return (uint64_t)(uintptr_t)p;
	case 3:
		/* A component of 255 or 256 bytes, or a path of 4095 or 4096 (with its NUL: one more). */
		n = rnd() % 2 ? 255 + rnd() % 2 : 4094 + rnd() % 3;
		memset(p, 'n', n);
		if (n > 300)
			for (size_t i = 1; i < n; i += 2)
				p[i] = '/';
		p[n] = 0;
		return (uint64_t)(uintptr_t)p;
	case 4:
		snprintf(p, PAGE, "%s/%s", S.scratch_dir,
			 scratch_names[rnd() % (sizeof(scratch_names) / sizeof(char *))]);
		return (uint64_t)(uintptr_t)p;
	case 5:
		if (!writable) {
			strcpy(p, outside_names[rnd() % (sizeof(outside_names) / sizeof(char *))]);
			return (uint64_t)(uintptr_t)p;
		}
		/* fall through */
	default:
		strcpy(p, scratch_names[rnd() % (sizeof(scratch_names) / sizeof(char *))]);
		return (uint64_t)(uintptr_t)p;
	}
}

/* An iovec array in S.buf: count entries with drawn bases and lengths. */
uint64_t draw_iov(int writing, long fd, uint64_t *count)
{
	struct iovec_ {
		uint64_t base, len;
	} *v = (void *)buf_slot(0);
	uint64_t n = rnd() % 6;

	if (rnd() % 8 == 0) {
		*count = rnd() % 4;
		return draw_ptr(); /* the array itself is bad */
	}
	if (rnd() % 10 == 0)
		n = PICK(((const uint64_t[]){ 1024, 1025, (uint64_t)-1, 0x100000001UL }));
	*count = n;
	for (uint64_t i = 0; i < n && i < PAGE / sizeof(*v); i++) {
		v[i].len = rnd() % 3 ? rnd() % (2 * PAGE) : draw_len();
		v[i].base = draw_ptr();
		if (!writing)
			v[i].base = out_ptr(v[i].base, v[i].len);
		if (writing && fd_is_terminal(fd)) {
			/* Not random bytes on the console: a pointer it must refuse, or one '.'. */
			if (rnd() % 2) {
				v[i].base = unmappable();
			} else {
				v[i].base = (uint64_t)(uintptr_t) ".";
				v[i].len = v[i].len ? 1 : 0;
			}
		}
	}
	return (uint64_t)(uintptr_t)v;
}

/*
 * An argv or envp array for execve: NULL, a bad pointer, or a short array of
 * harmless words (a program that runs takes them as its arguments).
 */
uint64_t draw_strv(int for_exec)
{
	static const char *const words[] = { "true", "false", "fuzz", "--exit", "A=1", "", "x y" };
	uint64_t *v = (uint64_t *)(void *)(buf_slot(3) + (for_exec ? 0 : 512));
	int n = (int)(rnd() % 4);

	switch (rnd() % 6) {
	case 0:
		return 0;
	case 1:
		return draw_ptr();
	default:
		for (int i = 0; i < n; i++)
			v[i] = rnd() % 10 ? (uint64_t)(uintptr_t)words[rnd() % (sizeof(words) / sizeof(char *))] :
					    draw_ptr();
		v[n] = rnd() % 10 ? 0 : draw_ptr(); /* sometimes no NULL at the end */
		return (uint64_t)(uintptr_t)v;
	}
}

/* Every argument by its kind; the call's rules refine them next (rules.c). */
void draw_args(struct draw *d)
{
	for (int k = 0; k < 6; k++) {
		uint64_t *a = &d->a[k];

		switch (d->c->kind[k]) {
		case K_NONE:
			*a = rnd() % 2 ? 0 : rnd(); /* unused registers hold junk too */
			break;
		case K_INT:
		case K_RES:
			*a = d->c->kind[k] == K_RES && rnd() % 2 ? rnd() % 17 : draw_int();
			break;
		case K_FLAGS:
			*a = rnd() % 3 ? draw_int() : rnd() & rnd();
			break;
		case K_MODE:
			*a = rnd() % 4 ? rnd() % 010000 : rnd() % 2 ? 0170000 | (rnd() % 010000) : rnd();
			break;
		case K_LEN:
			*a = draw_len();
			break;
		case K_ADDR:
			*a = rnd() % 3 ? arena_addr() & ~(PAGE - 1) : draw_ptr();
			break;
		case K_OUT:
		case K_IN:
		case K_STRUCT:
			*a = draw_ptr();
			break;
		case K_FD:
			*a = draw_fd();
			break;
		case K_DIRFD:
			*a = rnd() % 3 ? (uint64_t)-100 /* AT_FDCWD */ : draw_fd();
			break;
		case K_PATH:
		case K_WPATH:
			*a = draw_path(d->c->kind[k] == K_WPATH);
			break;
		case K_SIG:
			*a = draw_sig();
			break;
		case K_PID:
			*a = draw_pid();
			break;
		case K_TS:
			*a = draw_ts(0);
			break;
		case K_SIGSET:
			*a = draw_sigset(!S.in_child);
			break;
		case K_IOV:
			*a = 0; /* rules.c: once the descriptor is known */
			break;
		case K_CLOCK:
			*a = draw_clock();
			break;
		}
	}
	/* A length after memory the kernel writes bounds it; a struct is at most a page. */
	for (int k = 0; k < 6; k++)
		if (d->c->kind[k] == K_OUT)
			d->a[k] = out_ptr(d->a[k], k < 5 && d->c->kind[k + 1] == K_LEN ? d->a[k + 1] : PAGE);
}
