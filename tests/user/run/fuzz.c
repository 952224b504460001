/* SPDX-License-Identifier: MIT */
/*
 * fuzz - seeded random system calls (issue 18, part 3).
 *
 *   fuzz SEED CALLS [INDEX [TRACE]]  CALLS calls drawn from SEED (+ INDEX: run="\fuzz.elf*N SEED
 *                                    CALLS" runs N copies at once, each with its own seed); from call
 *                                    number TRACE on, each call is printed with its arguments and result
 *
 * Every call is one of the numbers Atlas implements or a few it does not,
 * with arguments drawn from values that sit on the kernel's edges: 0, -1,
 * INT_MIN, page boundaries, the last user page, the kernel half,
 * non-canonical addresses, valid buffers, huge lengths, descriptors just
 * opened and just closed. The same seed gives the same calls, so a finding
 * replays: the progress lines name the seed and the call index, and every
 * finding becomes a regression test of its own in tests/user.
 *
 * The program must outlive its own calls, so the draws are kept from
 * hurting it, and only it: exit and exit_group are never drawn; an address
 * range a call would unmap, re-protect, remap, zero or write into is moved
 * to the fuzzing arena when it touches the program's own image, stack or
 * scratch memory (listed from /proc/self/maps at the start); descriptors 1
 * and 2 are never closed, descriptor 0 is never read (a terminal there
 * waits for a line: on Atlas too), and what is written to 1 and 2 is one '.' (so the
 * console stays readable, and a valid buffer still reaches the copy);
 * ARCH_SET_FS is undone at once (musl's TLS); sleeps are short. Everything
 * else, bad pointers above all, goes to the kernel as drawn.
 *
 * Checks: the process survives every call (it exits 0; the boot tests and
 * tools/fuzz.py expect that), each result is a plausible value or -errno (-1..-4095), mmap never
 * returns an address outside user space, and the program's own state is
 * intact after every call (a canary on each side of it).
 *
 * On Linux (run it natively: build/user/run/fuzz.elf SEED CALLS) the same draws run with what could harm the host
 * left out: no O_CREAT/O_TRUNC/write modes for open, no ioctl, no reads from
 * stdin, no unimplemented numbers, no MAP_POPULATE/MAP_LOCKED, no madvise
 * that populates or poisons pages, arch_prctl only on FS/GS. Child processes: once fork exists,
 * fuzz_children() runs a second stream in a child (the hook is below; today
 * fork is -ENOSYS on Atlas and the program says so).
 */
#include <limits.h>
#include <sys/mman.h>

#include "utest.h"

#define ARENA_PAGES 64
#define ARENA (ARENA_PAGES * PAGE)
#define MAX_SELF 32
#define PROGRESS_EVERY 1000
#define CANARY 0x5AFEC0DEF00DD00DULL
#define ERRNO_MAX 4095

/* Linux numbers (syscall_64.tbl) this program draws. */
enum {
	NR_read = 0,
	NR_write = 1,
	NR_open = 2,
	NR_close = 3,
	NR_lseek = 8,
	NR_mmap = 9,
	NR_mprotect = 10,
	NR_munmap = 11,
	NR_brk = 12,
	NR_ioctl = 16,
	NR_readv = 19,
	NR_writev = 20,
	NR_sched_yield = 24,
	NR_madvise = 28,
	NR_nanosleep = 35,
	NR_getpid = 39,
	NR_fork = 57,
	NR_uname = 63,
	NR_getuid = 102,
	NR_getppid = 110,
	NR_arch_prctl = 158,
	NR_gettid = 186,
	NR_set_tid_address = 218,
	NR_clock_gettime = 228,
	NR_openat = 257,
	NR_getrandom = 318,
};

/* What an argument is, for drawing and for keeping the program alive. */
enum arg {
	A_NONE,
	A_FD,	 /* a descriptor */
	A_IN,	 /* a pointer the kernel reads len bytes from (len: the next A_LEN) */
	A_OUT,	 /* a pointer the kernel writes len bytes to */
	A_LEN,	 /* a length */
	A_ADDR,	 /* an address range start (mmap, munmap, mprotect, madvise): len is the next A_LEN */
	A_INT,	 /* flags, prot, advice, whence, clock, code */
	A_PATH,	 /* a pointer to a path */
	A_IOV,	 /* a pointer to an iovec array (count: the next A_LEN) */
	A_TS,	 /* a pointer to a timespec the kernel reads */
	A_BRK,	 /* a break */
	A_FSVAL, /* arch_prctl's second argument */
};

struct call {
	long nr;
	const char *name;
	int weight;
	int host_ok; /* drawn on Linux too */
	enum arg a[6];
};

/* clang-format off */
static const struct call calls[] = {
	{ NR_read, "read", 6, 1, { A_FD, A_OUT, A_LEN } },
	{ NR_write, "write", 6, 1, { A_FD, A_IN, A_LEN } },
	{ NR_open, "open", 4, 1, { A_PATH, A_INT, A_INT } },
	{ NR_openat, "openat", 4, 1, { A_INT, A_PATH, A_INT, A_INT } },
	{ NR_close, "close", 4, 1, { A_FD } },
	{ NR_lseek, "lseek", 4, 1, { A_FD, A_LEN, A_INT } },
	{ NR_mmap, "mmap", 8, 1, { A_ADDR, A_LEN, A_INT, A_INT, A_FD, A_LEN } },
	{ NR_mprotect, "mprotect", 6, 1, { A_ADDR, A_LEN, A_INT } },
	{ NR_munmap, "munmap", 6, 1, { A_ADDR, A_LEN } },
	{ NR_madvise, "madvise", 5, 1, { A_ADDR, A_LEN, A_INT } },
	{ NR_brk, "brk", 4, 1, { A_BRK } },
	{ NR_ioctl, "ioctl", 2, 0, { A_FD, A_INT, A_OUT } },
	{ NR_readv, "readv", 3, 1, { A_FD, A_IOV, A_LEN } },
	{ NR_writev, "writev", 3, 1, { A_FD, A_IOV, A_LEN } },
	{ NR_sched_yield, "sched_yield", 1, 1, { A_NONE } },
	{ NR_nanosleep, "nanosleep", 1, 1, { A_TS, A_OUT } },
	{ NR_getpid, "getpid", 1, 1, { A_NONE } },
	{ NR_gettid, "gettid", 1, 1, { A_NONE } },
	{ NR_uname, "uname", 2, 1, { A_OUT } },
	{ NR_arch_prctl, "arch_prctl", 2, 1, { A_INT, A_FSVAL } },
	{ NR_set_tid_address, "set_tid_address", 1, 1, { A_OUT } },
	{ NR_clock_gettime, "clock_gettime", 3, 1, { A_INT, A_OUT } },
	{ NR_getrandom, "getrandom", 3, 1, { A_OUT, A_LEN, A_INT } },
	{ NR_getuid, "getuid", 1, 1, { A_NONE } },
	{ NR_getppid, "getppid", 1, 1, { A_NONE } },
	/* Numbers nothing implements (-ENOSYS): not drawn on Linux. */
	{ 335, "unassigned_335", 1, 0, { A_INT, A_INT } },
	{ 1000, "nr_1000", 1, 0, { A_INT } },
	{ 0x7fffffff, "nr_int_max", 1, 0, { A_NONE } },
	{ -1, "nr_minus_1", 1, 0, { A_NONE } },
};
/* clang-format on */
#define NCALLS (sizeof(calls) / sizeof(calls[0]))

/* The program's state, between two canaries: a call that scribbles over it is caught. */
static struct {
	uint64_t canary_lo;
	uint64_t rng;
	unsigned long self_lo[MAX_SELF], self_hi[MAX_SELF];
	int nself;
	char *arena;
	long open_fd, closed_fd; /* the last descriptor opened, the last one closed */
	long trace_from;	 /* print calls from this index on (-1: never) */
	unsigned long fs_base;
	int on_linux;
	unsigned long by_nr[NCALLS], ok, errors, enosys, efault, einval, enomem;
	char scratch[4 * PAGE]; /* iovecs, timespecs and paths the program builds */
	char maps[64 * 1024];
	uint64_t canary_hi;
} S;

static uint64_t rnd(void)
{
	uint64_t x = S.rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	S.rng = x;
	return x * 0x2545F4914F6CDD1DULL;
}

static uint64_t pick(const uint64_t *v, size_t n)
{
	return v[rnd() % n];
}

#define PICK(a) pick((a), sizeof(a) / sizeof((a)[0]))

/* ---- the program's own memory -------------------------------------------------- */

/* Everything mapped at the start is the program's (image, stack, [vdso] on Linux, ...). */
static void list_self(void)
{
	const char *cur;
	struct map m;

	read_file("/proc/self/maps", S.maps, sizeof(S.maps));
	/* [heap] too: Linux names the .bss area [heap] when the break starts right after it. */
	for (cur = S.maps; next_map(&cur, &m) && S.nself < MAX_SELF;) {
		S.self_lo[S.nself] = m.start;
		S.self_hi[S.nself] = m.end;
		S.nself++;
	}
}

/* Whether [a, a + len) (len 0: one byte) meets the program's own memory. */
static int hits_self(unsigned long a, unsigned long len)
{
	unsigned long end = a + (len ? len : 1);

	if (end < a)
		end = ~0UL;
	for (int i = 0; i < S.nself; i++)
		if (a < S.self_hi[i] && end > S.self_lo[i])
			return 1;
	return 0;
}

/* ---- drawing values ---------------------------------------------------------- */

static const uint64_t lengths[] = {
	0,
	1,
	2,
	7,
	8,
	15,
	16,
	100,
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
	1UL << 46,
	1UL << 47,
	(1UL << 47) - 4096,
	~0UL,
	~0UL - 4095,
	0x7fffffffffffUL,
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

/*
 * Addresses no call can ever map (not even the null page: root may map it on
 * Linux): what the program hands the kernel when the bytes there must not matter.
 */
static const uint64_t unmappable[] = {
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
	14,
	15,
	16,
	0x20,
	0x22,
	0x32,
	0x100,
	0x1002,
	0x1003,
	0x4000,
	0x100000,
	0x4022,
	0x100022,
	0x5413,
	0x541b,
	(uint64_t)-1,
	(uint64_t)(int64_t)INT_MIN,
	(uint64_t)INT_MAX,
	0x80000000UL,
	(uint64_t)-100,
};

static uint64_t draw_int(void)
{
	return rnd() % 4 ? PICK(ints) : rnd() >> (rnd() % 64);
}

static uint64_t draw_len(void)
{
	return rnd() % 4 ? PICK(lengths) : rnd() % (3 * PAGE);
}

/* An address in the arena: a page start, its last byte, or anywhere. */
static uint64_t arena_addr(void)
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

static uint64_t draw_ptr(void)
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

static uint64_t draw_fd(void)
{
	static const uint64_t fds[] = {
		0, 1, 2, 3, 15, 16, 1000, (uint64_t)-1, (uint64_t)(int64_t)INT_MIN, (uint64_t)INT_MAX
	};

	switch (rnd() % 4) {
	case 0:
		return (uint64_t)S.open_fd;
	case 1:
		return (uint64_t)S.closed_fd;
	default:
		return PICK(fds);
	}
}

/* A path in scratch (or a bad pointer): the /proc files, near misses, junk, no terminator. */
static uint64_t draw_path(void)
{
	static const char *const paths[] = {
		"/proc/self/maps",
		"/proc/self/status",
		"/proc/self/",
		"/proc/self/mapsX",
		"/proc/self/../self/maps",
		"",
		"/",
		"/proc/1/maps",
		"/dev/null",
		"proc/self/maps",
		"/proc/self/maps/",
	};
	char *p = S.scratch + 2 * PAGE;

	switch (rnd() % 6) {
	case 0:
		return draw_ptr();
	case 1:
		/* No terminator: a full PAGE of 'a's. */
		memset(p, 'a', PAGE);
		return (uint64_t)(uintptr_t)p;
	case 2: {
		size_t n = rnd() % 300;

		for (size_t i = 0; i < n; i++)
			p[i] = (char)(1 + rnd() % 255);
		p[n] = 0;
		return (uint64_t)(uintptr_t)p;
	}
	case 3:
		snprintf(p, PAGE, "/proc/%ld/%s", sys0(NR_getpid), rnd() % 2 ? "maps" : "status");
		return (uint64_t)(uintptr_t)p;
	default:
		strcpy(p, paths[rnd() % (sizeof(paths) / sizeof(paths[0]))]);
		return (uint64_t)(uintptr_t)p;
	}
}

/* A valid-looking buffer for the kernel to write into, safe for the program. */
static uint64_t out_ptr(uint64_t p, uint64_t len)
{
	return hits_self(p, len) ? arena_addr() : p;
}

/* An address range a call would unmap, re-protect, remap or zero: moved into the arena (and cut) if it is ours. */
static void keep_off_self(uint64_t *addr, uint64_t *len)
{
	uint64_t end = (uint64_t)(uintptr_t)S.arena + ARENA;

	if (!hits_self(*addr, *len))
		return;
	*addr = arena_addr() & ~(PAGE - 1);
	if (hits_self(*addr, *len))
		*len = end - *addr;
}

/*
 * For descriptors 1 and 2: a bad pointer the kernel must refuse, or one '.'
 * from a valid buffer (random bytes would garble the console; the fuzz
 * calls may have mapped any other address).
 */
static void console_safe(uint64_t *buf, uint64_t *len)
{
	if (rnd() % 2) {
		*buf = PICK(unmappable) - (rnd() % 2 ? 0 : rnd() % 64);
	} else {
		*buf = (uint64_t)(uintptr_t) ".";
		*len = *len ? 1 : 0;
	}
}

/* An iovec array in scratch: count entries with drawn bases and lengths. */
static uint64_t draw_iov(int writing, long fd, uint64_t *count)
{
	struct iovec_ {
		uint64_t base, len;
	} *v = (void *)S.scratch;
	uint64_t n = rnd() % 6;

	if (rnd() % 8 == 0)
		return draw_ptr(); /* the array itself is bad */
	if (rnd() % 10 == 0)
		n = rnd() % 2 ? 1025 : (uint64_t)-1; /* more than IOV_MAX */
	*count = n;
	for (uint64_t i = 0; i < n && i < 64; i++) {
		v[i].len = draw_len();
		v[i].base = draw_ptr();
		if (!writing)
			v[i].base = out_ptr(v[i].base, v[i].len);
		if (writing && (fd == 1 || fd == 2))
			console_safe(&v[i].base, &v[i].len);
	}
	return (uint64_t)(uintptr_t)v;
}

/* ---- one call ------------------------------------------------------------------- */

static void check_canaries(long i, const struct call *c)
{
	if (S.canary_lo != CANARY || S.canary_hi != CANARY)
		fail("call %ld (%s) overwrote the program's own state", i, c->name);
}

static void count(long r)
{
	if (r >= 0 || r < -ERRNO_MAX) {
		S.ok++;
		return;
	}
	S.errors++;
	S.enosys += r == -38;
	S.efault += r == -14;
	S.einval += r == -22;
	S.enomem += r == -12;
}

/* The break may be anywhere from the start of the heap up, so draws are about the current break. */
static uint64_t draw_brk(void)
{
	uint64_t cur = (uint64_t)sys1(NR_brk, 0);

	switch (rnd() % 5) {
	case 0:
		return PICK(bad_addrs);
	case 1:
		return cur + rnd() % (64 * MiB);
	case 2:
		return cur - rnd() % (1 * MiB);
	case 3:
		return cur + PICK(lengths);
	default:
		return 0;
	}
}

static void one_call(long i)
{
	const struct call *c;
	uint64_t a[6] = { 0 }, total = 0, w;
	long r;

	for (size_t k = 0; k < NCALLS; k++)
		total += (uint64_t)calls[k].weight;
	do {
		w = rnd() % total;
		c = calls;
		while (w >= (uint64_t)c->weight)
			w -= (uint64_t)(c++)->weight;
	} while (S.on_linux && !c->host_ok);

	for (int k = 0; k < 6; k++) {
		switch (c->a[k]) {
		case A_NONE:
			a[k] = rnd() % 2 ? 0 : rnd(); /* unused registers hold junk too */
			break;
		case A_FD:
			a[k] = draw_fd();
			break;
		case A_IN:
		case A_OUT:
			a[k] = draw_ptr();
			break;
		case A_LEN:
			a[k] = draw_len();
			break;
		case A_ADDR:
			a[k] = rnd() % 3 ? arena_addr() & ~(PAGE - 1) : draw_ptr();
			break;
		case A_INT:
			a[k] = draw_int();
			break;
		case A_PATH:
			a[k] = draw_path();
			break;
		case A_IOV:
			a[k] = 0; /* filled below, once the descriptor is known */
			break;
		case A_TS: {
			int64_t *ts = (int64_t *)(void *)(S.scratch + PAGE);
			static const int64_t ns[] = { 0, 0, 0, 0, 1000, -1, 1000000000, INT64_MIN };

			ts[0] = rnd() % 8 ? 0 : -1;
			ts[1] = ns[rnd() % 8];
			/* Never a readable buffer the program does not control: random bytes would sleep for years. */
			a[k] = rnd() % 6 ? (uint64_t)(uintptr_t)ts : PICK(unmappable);
			break;
		}
		case A_BRK:
			a[k] = draw_brk();
			break;
		case A_FSVAL:
			a[k] = rnd() % 2 ? draw_ptr() : (uint64_t)(uintptr_t)(S.scratch + 3 * PAGE);
			break;
		}
	}

	/* Keep the program alive: see the comment at the top. */
	switch (c->nr) {
	case NR_read:
	case NR_getrandom:
		a[1 - (c->nr == NR_getrandom)] = out_ptr(a[1 - (c->nr == NR_getrandom)],
							 a[2 - (c->nr == NR_getrandom)]);
		if (c->nr == NR_read && a[0] == 0)
			a[0] = (uint64_t)S.closed_fd; /* a terminal on stdin blocks (on Atlas too, since it has one) */
		break;
	case NR_write:
		if (a[0] == 1 || a[0] == 2)
			console_safe(&a[1], &a[2]);
		break;
	case NR_readv:
	case NR_writev:
		a[1] = draw_iov(c->nr == NR_writev, (long)a[0], &a[2]);
		if (c->nr == NR_readv && a[0] == 0)
			a[0] = (uint64_t)S.closed_fd;
		break;
	case NR_close:
		if (a[0] == 1 || a[0] == 2)
			a[0] = (uint64_t)S.closed_fd;
		break;
	case NR_lseek:
		if (S.on_linux && a[0] <= 2)
			a[0] = (uint64_t)S.closed_fd; /* the host's stdout may be a file */
		break;
	case NR_open:
	case NR_openat:
		if (S.on_linux) {
			int f = c->nr == NR_open ? 1 : 2;

			a[f] &= ~(uint64_t)(O_CREAT | O_TRUNC | O_WRONLY | O_RDWR | O_TMPFILE | O_APPEND);
		}
		break;
	case NR_mmap:
		/* A fixed mapping over the program is moved to the arena; so is munmap/mprotect/madvise below. */
		keep_off_self(&a[0], &a[1]);
		if (rnd() % 2)
			a[3] = (rnd() % 4 ? 0x22 : 0x4022) | (rnd() % 3 ? 0 : 0x10); /* private anonymous (+fixed) */
		if (rnd() % 2)
			a[2] = rnd() % 8;
		if (S.on_linux)
			a[3] &= ~(uint64_t)(0x8000 | 0x2000 | 0x40000); /* MAP_POPULATE, MAP_LOCKED, MAP_HUGETLB */
		break;
	case NR_mprotect:
	case NR_munmap:
	case NR_madvise:
		keep_off_self(&a[0], &a[1]);
		if (c->nr == NR_madvise && S.on_linux && (a[2] > 19 || a[2] == 9))
			a[2] = 4; /* no MADV_POPULATE_*, HWPOISON, SOFT_OFFLINE, REMOVE on the host */
		break;
	case NR_uname:
	case NR_set_tid_address:
	case NR_ioctl:
		a[c->nr == NR_ioctl ? 2 : 0] = out_ptr(a[c->nr == NR_ioctl ? 2 : 0], 400);
		break;
	case NR_clock_gettime:
		a[1] = out_ptr(a[1], 16);
		if (rnd() % 2)
			a[0] = rnd() % 8;
		break;
	case NR_nanosleep:
		a[1] = out_ptr(a[1], 16);
		break;
	case NR_arch_prctl:
		if (rnd() % 2 || S.on_linux)
			a[0] = 0x1001 + rnd() % 4; /* ARCH_SET_GS..ARCH_GET_GS */
		if (a[0] == ARCH_GET_FS || a[0] == 0x1004)
			a[1] = out_ptr(a[1], 8);
		break;
	}

	if (S.trace_from >= 0 && i >= S.trace_from)
		say("call %ld: %s(%#llx, %#llx, %#llx, %#llx, %#llx, %#llx)", i, c->name, (unsigned long long)a[0],
		    (unsigned long long)a[1], (unsigned long long)a[2], (unsigned long long)a[3],
		    (unsigned long long)a[4], (unsigned long long)a[5]);
	r = sys6(c->nr, (long)a[0], (long)a[1], (long)a[2], (long)a[3], (long)a[4], (long)a[5]);
	if (S.trace_from >= 0 && i >= S.trace_from)
		say("call %ld: = %ld", i, r);
	S.by_nr[c - calls]++;
	count(r);

	/* Undo what the program cannot live with, and check what it can check. */
	if (c->nr == NR_arch_prctl)
		sys2(NR_arch_prctl, ARCH_SET_FS, S.fs_base);
	if (c->nr == NR_mmap && r >= 0 && (uint64_t)r >= 0x800000000000UL)
		fail("call %ld: mmap returned %#lx, outside user space (seed %#llx)", i, (unsigned long)r,
		     (unsigned long long)S.rng);
	if ((c->nr == NR_read || c->nr == NR_write || c->nr == NR_getrandom) && r > 0 &&
	    (uint64_t)r > a[c->nr == NR_getrandom ? 1 : 2])
		fail("call %ld: %s(len %#llx) returned %ld, more than asked", i, c->name,
		     (unsigned long long)a[c->nr == NR_getrandom ? 1 : 2], r);
	if (c->nr == NR_open || c->nr == NR_openat) {
		if (r == 1 || r == 2)
			fail("call %ld: %s returned descriptor %ld, which is open", i, c->name, r);
		if (r >= 0)
			S.open_fd = r;
	}
	if (c->nr == NR_close && r == 0)
		S.closed_fd = (long)a[0];
	check_canaries(i, c);
}

/*
 * The hook for child processes: once fork exists, a child runs its own
 * stream (seed + 0x1000) while the parent goes on, and the parent waits for
 * it at the end. Until then fork is -ENOSYS and nothing else happens.
 */
static long fuzz_children(uint64_t seed, long n)
{
	long pid;

	if (S.on_linux)
		return -1; /* not on the build host */
	pid = sys0(NR_fork);
	if (pid == 0) {
		S.rng = (seed + 0x1000) * 0x9E3779B97F4A7C15ULL | 1;
		for (long i = 0; i < n; i++)
			one_call(i);
		exit(0);
	}
	return pid;
}

int main(int argc, char **argv)
{
	uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 0) : 1;
	long n = argc > 2 ? strtol(argv[2], NULL, 0) : 1000, child;

	if (argc > 3)
		seed += strtoull(argv[3], NULL, 0);
	S.trace_from = argc > 4 ? strtol(argv[4], NULL, 0) : -1;
	S.canary_lo = S.canary_hi = CANARY;
	S.rng = seed * 0x9E3779B97F4A7C15ULL | 1;
	S.on_linux = !on_atlas();
	S.closed_fd = 9;
	S.open_fd = 10;
	CHECK(sys2(NR_arch_prctl, ARCH_GET_FS, &S.fs_base) == 0, "arch_prctl(ARCH_GET_FS) failed");
	list_self();
	S.arena = mmap(NULL, ARENA, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(S.arena != MAP_FAILED, "no arena");
	child = fuzz_children(seed, n);
	say("seed %llu: %ld calls%s%s", (unsigned long long)seed, n, S.on_linux ? " (Linux: host-safe calls only)" : "",
	    child == -38 ? "; fork is not implemented: no child processes" : "");
	for (long i = 0; i < n; i++) {
		one_call(i);
		if ((i + 1) % PROGRESS_EVERY == 0 && i + 1 < n)
			say("seed %llu: %ld calls done", (unsigned long long)seed, i + 1);
	}
	if (child > 0) {
		int status = 0;

		CHECK(sys6(61 /* wait4 */, child, (long)&status, 0, 0, 0, 0) == child, "wait4 for the child failed");
		CHECK(status == 0, "the child ended with status %#x", status);
	}
	say("seed %llu: %ld calls survived: %lu ok, %lu errors (%lu EFAULT, %lu EINVAL, %lu ENOMEM, %lu ENOSYS)",
	    (unsigned long long)seed, n, S.ok, S.errors, S.efault, S.einval, S.enomem, S.enosys);
	return 0;
}
