/* SPDX-License-Identifier: MIT */
/*
 * bench.c - the side-by-side benchmark program: one static musl binary that
 * runs unchanged in ring 3 on Atlas and as /init under Linux (docs/bench.md).
 *
 *   bench [all]            every figure below except the sched_yield
 *                          ping-pong (the threads' futex ping-pong is in)
 *   bench quick            the same figures with few repeats (the smoke test)
 *   bench syscalls         only the figures that are mostly system-call entry
 *                          and exit (getpid, sched_yield alone, 1 byte to
 *                          /dev/null, the uncontended futex pair), full
 *                          repeats: a quick probe for work on that path
 *   bench pingpong [INDEX] one side of the sched_yield ping-pong: run two at
 *                          the same time (INDEX 0 and 1)
 *   bench procs [quick]    only the process figures (fork, exec, pipe, COW):
 *                          a quick probe while working on them
 *   bench only LIST [quick] only the reference loop and the groups named in
 *                          the comma-separated LIST (maps: proc_maps_read*,
 *                          mmap: mmap_munmap, areas: the 10,000-area figures),
 *                          with the full repeats unless quick (a probe)
 *   bench exit0            exit 0 at once (what fork_exec_wait executes)
 *   bench files [quick]    only the ref loop and the four file figures (a
 *                          quick probe of the file system's cost)
 *   as PID 1 (Linux /init) mount /proc, print the boot figures, run "all",
 *                          fork the ping-pong, drain the console and leave
 *                          QEMU through isa-debug-exit (port 0xf4)
 *
 * Output: one line per figure, nothing else on the line, written at once:
 *
 *   BENCH name=getpid ns=123.4 cycles=456 reps=31 ops=1000 min_ns=120.1
 *
 * ns and cycles are per operation, the median over reps timed batches of ops
 * operations each (min_ns: the fastest batch). Cycles are TSC ticks (RDTSC);
 * ns = cycles * 1e9 / tsc_hz, where tsc_hz comes from a calibration of the
 * TSC against clock_gettime(CLOCK_MONOTONIC) over CALIB_NS (the "calib"
 * line). A figure that cannot be measured says so: BENCH name=X skipped=WHY.
 *
 * Only system calls Atlas implements are used on the common path (fork,
 * execve, wait4 and pipe too, for the process figures); the /init extras
 * (mount, ioperm, tcdrain) run only as PID 1 on Linux.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096UL
#define MiB (1024UL * 1024UL)
#define CALIB_NS 50000000ULL /* 50 ms */
#define MAX_REPS 128

/* Linux numbers musl's headers may not define for us. */
#define LX_PROT_RW 3
#define LX_MAP_PRIVATE 0x02
#define LX_MAP_SHARED 0x01
#define LX_MAP_ANONYMOUS 0x20
#define LX_MADV_NOHUGEPAGE 15 /* (14 is MADV_HUGEPAGE) */
#define LX_TCSBRK 0x5409
#define LX_RB_POWER_OFF 0x4321fedcL
#define LX_REBOOT_MAGIC1 0xfee1deadL
#define LX_REBOOT_MAGIC2 672274793L
#define LX_FUTEX_WAIT_PRIVATE 128 /* FUTEX_WAIT | FUTEX_PRIVATE_FLAG (musl has no <linux/futex.h>) */
#define LX_FUTEX_WAKE_PRIVATE 129 /* FUTEX_WAKE | FUTEX_PRIVATE_FLAG */
#define LX_EAGAIN 11
#define DEBUG_EXIT_PORT 0xf4
#define DEBUG_EXIT_DONE 0x10 /* QEMU exits with status (0x10 << 1) | 1 = 33 */

/* ---- raw system calls (the kernel's own -errno; no musl wrapper, no errno) ---- */

static inline long sys6(long n, long a1, long a2, long a3, long a4, long a5, long a6)
{
	long ret;
	register long r10 __asm__("r10") = a4;
	register long r8 __asm__("r8") = a5;
	register long r9 __asm__("r9") = a6;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

#define sys0(n) sys6((n), 0, 0, 0, 0, 0, 0)
#define sys1(n, a) sys6((n), (long)(a), 0, 0, 0, 0, 0)
#define sys2(n, a, b) sys6((n), (long)(a), (long)(b), 0, 0, 0, 0)
#define sys3(n, a, b, c) sys6((n), (long)(a), (long)(b), (long)(c), 0, 0, 0)

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi)::"memory");
	return ((uint64_t)hi << 32) | lo;
}

/*
 * The TSC at the program's first instruction: the ELF entry point is
 * bench_entry (-Wl,-e,bench_entry), which stamps and jumps to musl's _start.
 * musl's _start uses only RSP (argc/argv/envp/auxv), so RAX/RDX are free.
 */
uint64_t tsc_at_entry;
__asm__(".text\n"
	".globl bench_entry\n"
	".type bench_entry,@function\n"
	"bench_entry:\n"
	"	rdtsc\n"
	"	shlq $32, %rdx\n"
	"	orq %rdx, %rax\n"
	"	movq %rax, tsc_at_entry(%rip)\n"
	"	xorl %eax, %eax\n"
	"	xorl %edx, %edx\n"
	"	jmp _start\n"
	".size bench_entry, .-bench_entry\n");

/* ---- output: one line, one write ---- */

static void put_raw(int fd, const char *s, size_t n)
{
	while (n > 0) {
		long r = sys3(SYS_write, fd, s, n);

		if (r <= 0)
			return;
		s += r;
		n -= (size_t)r;
	}
}

__attribute__((format(printf, 1, 2))) static void line(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (n > (int)sizeof(buf) - 2)
		n = (int)sizeof(buf) - 2;
	buf[n++] = '\n';
	put_raw(1, buf, (size_t)n);
}

__attribute__((noreturn, format(printf, 1, 2))) static void die(const char *fmt, ...)
{
	char buf[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	line("BENCH error=\"%s\"", buf);
	exit(1);
}

/* ---- clocks ---- */

static double tsc_hz; /* TSC ticks per second, from calibrate() */

static uint64_t mono_ns(int clock)
{
	struct timespec ts;

	if (sys2(SYS_clock_gettime, clock, &ts) != 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* TSC ticks per second against CLOCK_MONOTONIC over CALIB_NS of spinning. */
static void calibrate(void)
{
	uint64_t n0 = mono_ns(CLOCK_MONOTONIC), c0 = rdtsc(), n1, c1;

	if (!n0)
		die("clock_gettime(CLOCK_MONOTONIC) failed");
	do {
		n1 = mono_ns(CLOCK_MONOTONIC);
	} while (n1 - n0 < CALIB_NS && n1 >= n0);
	c1 = rdtsc();
	if (n1 <= n0 || c1 <= c0)
		die("the TSC or CLOCK_MONOTONIC does not advance");
	tsc_hz = (double)(c1 - c0) * 1e9 / (double)(n1 - n0);
	line("BENCH name=calib tsc_hz=%.0f interval_ns=%llu", tsc_hz, (unsigned long long)(n1 - n0));
}

static double to_ns(double cycles)
{
	return cycles * 1e9 / tsc_hz;
}

/* ---- figures: median over reps batches ---- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* batch(ops, ctx) runs ops operations and returns the TSC ticks they took. */
typedef uint64_t (*batch_fn)(unsigned ops, void *ctx);

struct fig {
	double cycles, min_cycles;    /* per operation */
	double ref_before, ref_after; /* the reference loop's cycles per operation around it (0: not taken) */
};

static uint64_t b_ref(unsigned ops, void *ctx);

static struct fig measure_only(batch_fn fn, void *ctx, unsigned reps, unsigned ops)
{
	uint64_t t[MAX_REPS] = { 0 };
	struct fig f;

	if (reps > MAX_REPS)
		reps = MAX_REPS;
	if (reps == 0 || ops == 0)
		die("measure: no repeats or no operations");
	for (unsigned i = 0; i < reps; i++)
		t[i] = fn(ops, ctx);
	qsort(t, reps, sizeof(t[0]), cmp_u64);
	/* Median; for an even count, the mean of the middle two. */
	f.cycles = reps % 2 ? (double)t[reps / 2] : ((double)t[reps / 2 - 1] + (double)t[reps / 2]) / 2.0;
	f.cycles /= ops;
	f.min_cycles = (double)t[0] / ops;
	f.ref_before = f.ref_after = 0;
	return f;
}

/*
 * A figure, with a short run of the reference loop just before and just after
 * it (ref_ns: their mean, per reference operation), so that the figure can be
 * divided by the host's speed at the time it was taken.
 */
#define REF_REPS 11
#define REF_OPS 5000
static struct fig measure(batch_fn fn, void *ctx, unsigned reps, unsigned ops)
{
	double before = measure_only(b_ref, NULL, REF_REPS, REF_OPS).cycles;
	struct fig f = measure_only(fn, ctx, reps, ops);

	f.ref_before = before;
	f.ref_after = measure_only(b_ref, NULL, REF_REPS, REF_OPS).cycles;
	return f;
}

static void report(const char *name, struct fig f, unsigned reps, unsigned ops, const char *extra)
{
	char ref[64] = "";

	if (f.ref_before > 0 && f.ref_after > 0)
		snprintf(ref, sizeof(ref), " ref_ns=%.2f ref_drift=%.2f", to_ns((f.ref_before + f.ref_after) / 2),
			 f.ref_after / f.ref_before);
	line("BENCH name=%s ns=%.1f cycles=%.0f reps=%u ops=%u min_ns=%.1f%s%s%s", name, to_ns(f.cycles), f.cycles,
	     reps, ops, to_ns(f.min_cycles), ref, extra && *extra ? " " : "", extra ? extra : "");
}

static void skipped(const char *name, const char *why)
{
	line("BENCH name=%s skipped=%s", name, why);
}

/* getpid: the cheapest round trip into the kernel and back. */
static uint64_t b_getpid(unsigned ops, void *ctx)
{
	uint64_t t0 = rdtsc();

	(void)ctx;
	for (unsigned i = 0; i < ops; i++)
		sys0(SYS_getpid);
	return rdtsc() - t0;
}

/*
 * The reference: pure ring-3 work (a 64-bit LCG and stores into a 64 KiB
 * buffer), no system call, the same instructions on both kernels. Under TCG
 * its speed follows the host's (other load on the host, the sibling
 * hyperthread), so tools/bench.py can divide it out of the other figures.
 */
static uint64_t ref_buf[8192];

static uint64_t b_ref(unsigned ops, void *ctx)
{
	volatile uint64_t *buf = ref_buf;
	uint64_t x = 1, t0 = rdtsc();

	(void)ctx;
	for (unsigned i = 0; i < ops; i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		buf[(x >> 40) & 8191] += x;
	}
	return rdtsc() - t0;
}

/* sched_yield with nobody else to run. */
static uint64_t b_yield(unsigned ops, void *ctx)
{
	uint64_t t0 = rdtsc();

	(void)ctx;
	for (unsigned i = 0; i < ops; i++)
		sys0(SYS_sched_yield);
	return rdtsc() - t0;
}

static void *map_anon(size_t len)
{
	long p = sys6(SYS_mmap, 0, (long)len, LX_PROT_RW, LX_MAP_PRIVATE | LX_MAP_ANONYMOUS, -1, 0);

	if (p < 0 && p > -4096)
		die("mmap of %zu bytes failed: %ld", len, p);
	return (void *)p;
}

/*
 * Demand-zero faults: one fresh anonymous mapping for all the batches, each
 * batch writing once to each of the next ops pages; only the writes are
 * timed. MADV_NOHUGEPAGE keeps Linux on 4 KiB pages (Debian's kernel has THP
 * "always" and would back the range with 2 MiB pages); on Atlas it is
 * accepted and does nothing.
 */
struct step {
	unsigned reps, ops;
};

static struct fig figure(const char *name, batch_fn fn, void *ctx, struct step st, const char *extra);

struct fault_area {
	volatile char *base;
	unsigned long next; /* first untouched page */
};

static uint64_t b_fault(unsigned ops, void *ctx)
{
	struct fault_area *a = ctx;
	volatile char *p = a->base + a->next * PAGE;
	uint64_t t0, t1;

	t0 = rdtsc();
	for (unsigned i = 0; i < ops; i++)
		p[i * PAGE] = 1;
	t1 = rdtsc();
	a->next += ops;
	return t1 - t0;
}

static void fault_figure(const char *name, struct step st)
{
	size_t len = (size_t)st.reps * st.ops * PAGE;
	struct fault_area a = { map_anon(len), 0 };
	char extra[48];

	snprintf(extra, sizeof(extra), "per=page nohugepage=%ld", sys3(SYS_madvise, a.base, len, LX_MADV_NOHUGEPAGE));
	figure(name, b_fault, &a, st, extra);
	sys2(SYS_munmap, a.base, len);
}

/*
 * Scale: AREAS one-page areas of alternating protection (so that none
 * merge) in an untouched mapping, made before the figures that must not
 * notice them (issue 17: "a process with 10,000 mapping areas faults and
 * mmaps as fast as one with 10"). Returns the mapping, or NULL with why.
 */
#define AREAS 10000
static char *make_areas(char *why, size_t size)
{
	char *p = map_anon((size_t)AREAS * PAGE);

	for (unsigned i = 0; i < AREAS; i += 2) {
		long r = sys3(SYS_mprotect, p + (size_t)i * PAGE, PAGE, PROT_READ);

		if (r) {
			snprintf(why, size, "mprotect_of_area_%u_returned_%ld", i, r);
			sys2(SYS_munmap, p, (size_t)AREAS * PAGE);
			return NULL;
		}
	}
	return p;
}

/*
 * Warm-up: WARM_BYTES of anonymous memory written once and given back before
 * the memory figures. Under QEMU TCG the first write to a guest-physical page
 * costs the emulator far more than later ones (about 50,000 TSC ticks against
 * 9,000 for a whole Atlas fault, measured here), whichever kernel does it, so
 * the timed figures are taken on pages the VM has written before, as a kernel
 * that recycles its free pages sees them. The warm-up is reported as
 * fault_4k_first (not compared: it depends on which physical pages each
 * kernel happens to hand out first).
 */
#define WARM_BYTES (80 * MiB)

static void warm_up(void)
{
	volatile char *p = map_anon(WARM_BYTES);
	uint64_t t0, t1;

	sys3(SYS_madvise, p, WARM_BYTES, LX_MADV_NOHUGEPAGE);
	t0 = rdtsc();
	for (unsigned long off = 0; off < WARM_BYTES; off += PAGE)
		p[off] = 1;
	t1 = rdtsc();
	sys2(SYS_munmap, p, WARM_BYTES);
	line("BENCH name=fault_4k_first ns=%.1f cycles=%.0f reps=1 ops=%lu min_ns=%.1f per=page",
	     to_ns((double)(t1 - t0) / (WARM_BYTES / PAGE)), (double)(t1 - t0) / (WARM_BYTES / PAGE), WARM_BYTES / PAGE,
	     to_ns((double)(t1 - t0) / (WARM_BYTES / PAGE)));
}

/* brk growth by 64 MiB and a write to every page, timed together; then brk back (not timed). */
static uint64_t b_brk(unsigned ops, void *ctx)
{
	const unsigned long len = 64 * MiB;
	unsigned long cur = (unsigned long)sys1(SYS_brk, 0), got;
	volatile char *p = (volatile char *)cur;
	uint64_t t0, t1;

	(void)ctx;
	(void)ops;
	t0 = rdtsc();
	got = (unsigned long)sys1(SYS_brk, cur + len);
	if (got != cur + len)
		die("brk(+64 MiB) returned 0x%lx, wanted 0x%lx", got, cur + len);
	sys3(SYS_madvise, cur, len, LX_MADV_NOHUGEPAGE);
	for (unsigned long off = 0; off < len; off += PAGE)
		p[off] = 1;
	t1 = rdtsc();
	if ((unsigned long)sys1(SYS_brk, cur) != cur)
		die("brk could not shrink back");
	return t1 - t0;
}

/* mmap + munmap of one page; ctx != NULL: write to it in between. */
static uint64_t b_mmap(unsigned ops, void *ctx)
{
	uint64_t t0 = rdtsc();

	for (unsigned i = 0; i < ops; i++) {
		volatile char *p = map_anon(PAGE);

		if (ctx)
			*p = 1;
		sys2(SYS_munmap, p, PAGE);
	}
	return rdtsc() - t0;
}

/* write(fd, ".", 1) ops times; a newline after the batch (not timed). */
static uint64_t b_write1(unsigned ops, void *ctx)
{
	int fd = (int)(intptr_t)ctx;
	uint64_t t0 = rdtsc(), t1;

	for (unsigned i = 0; i < ops; i++)
		sys3(SYS_write, fd, ".", 1);
	t1 = rdtsc();
	if (fd == 1)
		sys3(SYS_write, 1, "\n", 1);
	return t1 - t0;
}

/* open + read to the end + close of /proc/self/maps. */
static char maps_buf[65536];
static uint64_t b_maps(unsigned ops, void *ctx)
{
	uint64_t t0 = rdtsc();

	(void)ctx;
	for (unsigned i = 0; i < ops; i++) {
		long fd = sys3(SYS_open, "/proc/self/maps", O_RDONLY, 0), r;

		if (fd < 0)
			die("open /proc/self/maps: %ld", fd);
		while ((r = sys3(SYS_read, fd, maps_buf, sizeof(maps_buf))) > 0)
			;
		sys1(SYS_close, fd);
	}
	return rdtsc() - t0;
}

/* ---- threads (issue 14): musl's pthread_create, raw futex calls ---- */

static void *thread_nothing(void *arg)
{
	return arg;
}

/* pthread_create + pthread_join of a thread that returns at once (stack mmap, clone, exit, munmap). */
static uint64_t b_thread(unsigned ops, void *ctx)
{
	uint64_t t0 = rdtsc();

	(void)ctx;
	for (unsigned i = 0; i < ops; i++) {
		pthread_t t;
		void *ret = NULL;
		int err = pthread_create(&t, NULL, thread_nothing, (void *)(uintptr_t)(i + 1));

		if (err)
			die("pthread_create: %d", err);
		if (pthread_join(t, &ret) || ret != (void *)(uintptr_t)(i + 1))
			die("pthread_join: thread %u returned %p", i + 1, ret);
	}
	return rdtsc() - t0;
}

static uint32_t fx_word; /* b_futex_solo: nobody waits on it; its value stays 0 */

static long futex(volatile uint32_t *word, long op, uint32_t val)
{
	return sys6(SYS_futex, (long)word, op, val, 0, 0, 0);
}

/*
 * Uncontended: the two calls a lock's slow path makes when nobody blocks: a
 * FUTEX_WAIT whose value has already changed (-EAGAIN) and a FUTEX_WAKE that
 * finds no waiter (0). One operation is the pair.
 */
static uint64_t b_futex_solo(unsigned ops, void *ctx)
{
	uint64_t t0 = rdtsc();
	long w = 0, k = 0;

	(void)ctx;
	for (unsigned i = 0; i < ops; i++) {
		w |= futex(&fx_word, LX_FUTEX_WAIT_PRIVATE, 1) + LX_EAGAIN;
		k |= futex(&fx_word, LX_FUTEX_WAKE_PRIVATE, 1);
	}
	t0 = rdtsc() - t0;
	if (w || k)
		die("futex: an uncontended WAIT did not say EAGAIN or a WAKE woke someone (%ld, %ld)", w, k);
	return t0;
}

/*
 * Contended: a token handed between two threads through one futex word
 * (fx_turn 1: the partner's turn, 0: mine). Each side waits while it is not
 * its turn and wakes the other after passing the token, so on one CPU one
 * operation is a round trip: two wakes of a sleeping thread, two waits that
 * sleep, two switches.
 */
static volatile uint32_t fx_turn;
static volatile int fx_stop;

static void *futex_partner(void *arg)
{
	for (;;) {
		while (__atomic_load_n(&fx_turn, __ATOMIC_SEQ_CST) != 1)
			futex(&fx_turn, LX_FUTEX_WAIT_PRIVATE, 0);
		if (fx_stop)
			return arg;
		__atomic_store_n(&fx_turn, 0, __ATOMIC_SEQ_CST);
		futex(&fx_turn, LX_FUTEX_WAKE_PRIVATE, 1);
	}
}

static uint64_t b_futex_pingpong(unsigned ops, void *ctx)
{
	uint64_t t0 = rdtsc();

	(void)ctx;
	for (unsigned i = 0; i < ops; i++) {
		__atomic_store_n(&fx_turn, 1, __ATOMIC_SEQ_CST);
		futex(&fx_turn, LX_FUTEX_WAKE_PRIVATE, 1);
		while (__atomic_load_n(&fx_turn, __ATOMIC_SEQ_CST) != 0)
			futex(&fx_turn, LX_FUTEX_WAIT_PRIVATE, 1);
	}
	return rdtsc() - t0;
}

/*
 * ---- files: one RAM file and a 100-entry directory ----
 *
 * Both kernels' root is a RAM file system here (Atlas: the initramfs unpacked
 * into its RAM fs; Linux: the initramfs in rootfs), so these time the path
 * walk, the open-file table and the page cache, not a disk. The directory
 * is /tmp/benchfs (made, and removed after): f000..f099, f000 holding 4 KiB.
 */
#define FILES_DIR "/tmp/benchfs"
#define FILES_N 100
static const char file_path[] = FILES_DIR "/f000";
static char file_buf[PAGE];
static char dents_buf[PAGE * 4];

static void files_name(char *out, size_t size, int i)
{
	snprintf(out, size, FILES_DIR "/f%03d", i);
}

/* Makes the directory; NULL when done, or why not (a BENCH value, no spaces). */
static const char *files_setup(char *why, size_t size)
{
	char name[64];
	long r = sys2(SYS_mkdir, "/tmp", 01777);

	if (r != 0 && r != -17 /* EEXIST */) {
		snprintf(why, size, "mkdir_/tmp_returned_%ld", r);
		return why;
	}
	r = sys2(SYS_mkdir, FILES_DIR, 0755);
	if (r != 0 && r != -17) {
		snprintf(why, size, "mkdir_" FILES_DIR "_returned_%ld", r);
		return why;
	}
	memset(file_buf, 'x', sizeof(file_buf));
	for (int i = 0; i < FILES_N; i++) {
		long fd;

		files_name(name, sizeof(name), i);
		fd = sys3(SYS_open, name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0) {
			snprintf(why, size, "creat_returned_%ld", fd);
			return why;
		}
		if (i == 0 && sys3(SYS_write, fd, file_buf, sizeof(file_buf)) != (long)sizeof(file_buf)) {
			snprintf(why, size, "write_4KiB_failed");
			return why;
		}
		sys1(SYS_close, fd);
	}
	return NULL;
}

static void files_cleanup(void)
{
	char name[64];

	for (int i = 0; i < FILES_N; i++) {
		files_name(name, sizeof(name), i);
		sys1(SYS_unlink, name);
	}
	sys1(SYS_rmdir, FILES_DIR);
}

/* open + close of f000 (a three-component path walk each time). */
static uint64_t b_open_close(unsigned ops, void *ctx)
{
	uint64_t t0 = rdtsc();

	(void)ctx;
	for (unsigned i = 0; i < ops; i++) {
		long fd = sys3(SYS_open, file_path, O_RDONLY, 0);

		if (fd < 0)
			die("open %s: %ld", file_path, fd);
		sys1(SYS_close, fd);
	}
	return rdtsc() - t0;
}

static uint64_t b_stat(unsigned ops, void *ctx)
{
	char st[256]; /* struct stat is 144 bytes on x86-64 */
	uint64_t t0 = rdtsc();

	(void)ctx;
	for (unsigned i = 0; i < ops; i++)
		if (sys2(SYS_stat, file_path, st) != 0)
			die("stat %s failed", file_path);
	return rdtsc() - t0;
}

/* pread64 of the file's 4 KiB at offset 0: the file is cached (it lives in RAM). */
static uint64_t b_read4k(unsigned ops, void *ctx)
{
	long fd = (long)(intptr_t)ctx;
	uint64_t t0 = rdtsc();

	for (unsigned i = 0; i < ops; i++)
		if (sys6(SYS_pread64, fd, (long)file_buf, PAGE, 0, 0, 0) != (long)PAGE)
			die("pread64 4 KiB of %s failed", file_path);
	return rdtsc() - t0;
}

/* Entries in one pass over the open directory fd: lseek to 0, getdents64 to the end. */
static long dents_pass(long fd)
{
	long n = 0, r;

	if (sys3(SYS_lseek, fd, 0, SEEK_SET) != 0)
		return -1;
	while ((r = sys3(SYS_getdents64, fd, dents_buf, sizeof(dents_buf))) > 0)
		for (long off = 0; off < r; off += *(uint16_t *)(dents_buf + off + 16)) /* d_reclen */
			n++;
	return r < 0 ? r : n;
}

static uint64_t b_getdents(unsigned ops, void *ctx)
{
	long fd = (long)(intptr_t)ctx;
	uint64_t t0 = rdtsc();

	for (unsigned i = 0; i < ops; i++)
		if (dents_pass(fd) != FILES_N + 2)
			die("getdents64 of %s: not %d entries", FILES_DIR, FILES_N + 2);
	return rdtsc() - t0;
}

/*
 * Repeats and operations per batch. A full batch takes well under a
 * millisecond on either kernel, shorter than the host scheduler's time slice:
 * under TCG the guest TSC is host time, so a batch during which the host ran
 * something else instead of QEMU is slow, and the median over many short
 * batches leaves those out. brk_64m cannot be short (it is one 64 MiB step).
 */
struct plan {
	struct step ref, getpid, yield, fault, brk, mmap, mtouch, write, devnull, maps, pingpong;
	struct step fork1m, fork64m, exec, pipe, cow;
	struct step thread, futex_solo, futex_pp;
	struct step open, stat, read, dents;
};

static const struct plan full = {
	.ref = { 51, 5000 },
	.getpid = { 51, 200 },
	.yield = { 51, 100 },
	.fault = { 101, 32 },
	.brk = { 5, 1 },
	.mmap = { 51, 20 },
	.mtouch = { 51, 4 },
	.write = { 31, 64 },
	.devnull = { 51, 200 },
	.maps = { 31, 4 },
	.pingpong = { 51, 20 },
	.fork1m = { 31, 4 },
	.fork64m = { 11, 1 },
	.exec = { 21, 2 },
	.pipe = { 31, 20 },
	.cow = { 31, 16 },
	.thread = { 51, 4 },
	.futex_solo = { 51, 100 },
	.futex_pp = { 51, 20 },
	.open = { 51, 50 },
	.stat = { 51, 50 },
	.read = { 51, 50 },
	.dents = { 51, 10 },
};
static const struct plan quick = {
	.ref = { 5, 5000 },
	.getpid = { 5, 100 },
	.yield = { 5, 100 },
	.fault = { 5, 32 },
	.brk = { 1, 1 },
	.mmap = { 3, 10 },
	.mtouch = { 3, 4 },
	.write = { 3, 16 },
	.devnull = { 3, 64 },
	.maps = { 3, 2 },
	.pingpong = { 5, 20 },
	.fork1m = { 3, 2 },
	.fork64m = { 1, 1 },
	.exec = { 3, 1 },
	.pipe = { 3, 10 },
	.cow = { 3, 8 },
	.thread = { 3, 4 },
	.futex_solo = { 5, 100 },
	.futex_pp = { 5, 20 },
	.open = { 3, 20 },
	.stat = { 3, 20 },
	.read = { 3, 20 },
	.dents = { 3, 4 },
};

/*
 * Processes (issue 13): fork+exit+wait of this process with 1 MiB and with
 * 64 MiB of anonymous memory written, fork+execve+exit+wait of a static
 * program (this one again, through /proc/self/exe, told to exit at once),
 * a 1-byte round trip through two pipes between two processes, and a
 * copy-on-write fault (a write to a page a child shares, which copies it).
 * Setup and teardown of each batch are not timed.
 */
static char **bench_envp;

static long wait_child(long pid)
{
	int status = -1;
	long r = sys6(SYS_wait4, pid, (long)&status, 0, 0, 0, 0);

	return r != pid ? (r < 0 ? r : -1) : status;
}

static uint64_t b_fork(unsigned ops, void *ctx)
{
	uint64_t t0 = rdtsc(), t1;

	(void)ctx;
	for (unsigned i = 0; i < ops; i++) {
		long pid = sys0(SYS_fork), st;

		if (pid == 0)
			sys1(SYS_exit_group, 0);
		if (pid < 0 || (st = wait_child(pid)) != 0)
			die("fork+exit+wait: fork returned %ld, status %ld", pid, pid < 0 ? 0 : st);
	}
	t1 = rdtsc();
	return t1 - t0;
}

static void fork_figure(const char *name, size_t touched, struct step st)
{
	volatile char *p = map_anon(touched);
	char extra[48];

	sys3(SYS_madvise, p, touched, LX_MADV_NOHUGEPAGE);
	for (size_t off = 0; off < touched; off += PAGE)
		p[off] = 1;
	snprintf(extra, sizeof(extra), "touched_kib=%zu", touched / 1024);
	figure(name, b_fork, NULL, st, extra);
	sys2(SYS_munmap, p, touched);
}

static long exec_status; /* the first failed cycle's status, 0 while all exit 0 */

static uint64_t b_exec(unsigned ops, void *ctx)
{
	static char *const argv[] = { "bench", "exit0", NULL };
	uint64_t t0 = rdtsc(), t1;

	(void)ctx;
	for (unsigned i = 0; i < ops; i++) {
		long pid = sys0(SYS_fork), st;

		if (pid == 0) {
			long r = sys3(SYS_execve, "/proc/self/exe", argv, bench_envp);

			sys1(SYS_exit_group, r < 0 && r > -256 ? -r : 255); /* the errno, as the status */
		}
		st = pid < 0 ? pid : wait_child(pid);
		if (st && !exec_status)
			exec_status = st;
	}
	t1 = rdtsc();
	return t1 - t0;
}

static uint64_t b_pipe(unsigned ops, void *ctx)
{
	int p2c[2], c2p[2];
	long pid;
	char c = 0;
	uint64_t t0, t1;

	(void)ctx;
	if (sys1(SYS_pipe, p2c) || sys1(SYS_pipe, c2p))
		die("pipe failed");
	pid = sys0(SYS_fork);
	if (pid < 0)
		die("fork for the pipe round trip returned %ld", pid);
	if (pid == 0) {
		sys1(SYS_close, p2c[1]);
		while (sys3(SYS_read, p2c[0], &c, 1) == 1)
			sys3(SYS_write, c2p[1], &c, 1);
		sys1(SYS_exit_group, 0);
	}
	sys1(SYS_close, p2c[0]);
	sys1(SYS_close, c2p[1]);
	t0 = rdtsc();
	for (unsigned i = 0; i < ops; i++)
		if (sys3(SYS_write, p2c[1], &c, 1) != 1 || sys3(SYS_read, c2p[0], &c, 1) != 1)
			die("pipe round trip %u failed", i);
	t1 = rdtsc();
	sys1(SYS_close, p2c[1]);
	sys1(SYS_close, c2p[0]);
	if (wait_child(pid) != 0)
		die("the pipe round trip's child did not exit 0");
	return t1 - t0;
}

static uint64_t b_cow(unsigned ops, void *ctx)
{
	size_t len = (size_t)ops * PAGE;
	volatile char *p = map_anon(len);
	int hold[2];
	long pid;
	char c;
	uint64_t t0, t1;

	(void)ctx;
	sys3(SYS_madvise, p, len, LX_MADV_NOHUGEPAGE);
	for (size_t off = 0; off < len; off += PAGE)
		p[off] = 1;
	if (sys1(SYS_pipe, hold))
		die("pipe failed");
	pid = sys0(SYS_fork);
	if (pid < 0)
		die("fork for the COW fault returned %ld", pid);
	if (pid == 0) { /* keeps every page shared until the parent closes the pipe */
		sys1(SYS_close, hold[1]);
		sys3(SYS_read, hold[0], &c, 1);
		sys1(SYS_exit_group, 0);
	}
	sys1(SYS_close, hold[0]);
	t0 = rdtsc();
	for (unsigned i = 0; i < ops; i++)
		p[(size_t)i * PAGE] = 2;
	t1 = rdtsc();
	sys1(SYS_close, hold[1]);
	if (wait_child(pid) != 0)
		die("the COW fault's child did not exit 0");
	sys2(SYS_munmap, p, len);
	return t1 - t0;
}

static void proc_figures(const struct plan *pl)
{
	char why[48];

	fork_figure("fork_exit_wait_1m", 1 * MiB, pl->fork1m);
	fork_figure("fork_exit_wait_64m", 64 * MiB, pl->fork64m);
	exec_status = 0;
	{
		struct fig f = measure(b_exec, NULL, pl->exec.reps, pl->exec.ops);

		if (exec_status) {
			snprintf(why, sizeof(why), "a_cycle_ended_with_status_%#lx", exec_status);
			skipped("fork_exec_wait", why);
		} else {
			report("fork_exec_wait", f, pl->exec.reps, pl->exec.ops, "exec=/proc/self/exe");
		}
	}
	figure("pipe_rtt_1b", b_pipe, NULL, pl->pipe, "processes=2");
	figure("cow_fault", b_cow, NULL, pl->cow, "per=page");
}

static struct fig figure(const char *name, batch_fn fn, void *ctx, struct step st, const char *extra)
{
	struct fig f = measure(fn, ctx, st.reps, st.ops);

	report(name, f, st.reps, st.ops, extra);
	return f;
}

/* open+close, stat, a 4 KiB read and a 100-entry getdents64 (skipped, saying why, without /tmp). */
static void files_figures(const struct plan *pl)
{
	static const char *const names[] = { "file_open_close", "file_stat", "file_read_4k", "getdents_100" };
	char why[80], extra[64];
	long fd, dfd;

	if (files_setup(why, sizeof(why))) {
		for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			skipped(names[i], why);
		files_cleanup();
		return;
	}
	figure("file_open_close", b_open_close, NULL, pl->open, "path=" FILES_DIR "/f000");
	figure("file_stat", b_stat, NULL, pl->stat, "path=" FILES_DIR "/f000");
	fd = sys3(SYS_open, file_path, O_RDONLY, 0);
	if (fd < 0)
		die("open %s: %ld", file_path, fd);
	figure("file_read_4k", b_read4k, (void *)(intptr_t)fd, pl->read, "pread64=4096");
	sys1(SYS_close, fd);
	dfd = sys3(SYS_open, FILES_DIR, O_RDONLY | O_DIRECTORY, 0);
	if (dfd < 0)
		die("open %s: %ld", FILES_DIR, dfd);
	snprintf(extra, sizeof(extra), "entries=%ld", dents_pass(dfd));
	figure("getdents_100", b_getdents, (void *)(intptr_t)dfd, pl->dents, extra);
	sys1(SYS_close, dfd);
	files_cleanup();
}

/* open+read+close of /proc/self/maps, then with an untouched 64 MiB mapping present. */
static void maps_figures(const struct plan *pl)
{
	char extra[96];
	long mfd = sys3(SYS_open, "/proc/self/maps", O_RDONLY, 0), n = 0, r, lines = 0;
	char *big;

	if (mfd >= 0) {
		while ((r = sys3(SYS_read, mfd, maps_buf + n, sizeof(maps_buf) - 1 - (size_t)n)) > 0)
			n += r;
		sys1(SYS_close, mfd);
		for (long i = 0; i < n; i++)
			lines += maps_buf[i] == '\n';
	}
	snprintf(extra, sizeof(extra), "bytes=%ld lines=%ld", n, lines);
	figure("proc_maps_read", b_maps, NULL, pl->maps, extra);
	/* With an untouched 64 MiB mapping present: O(areas), not O(virtual size). */
	big = map_anon(64 * MiB);
	figure("proc_maps_read_64m", b_maps, NULL, pl->maps, "untouched=64MiB");
	sys2(SYS_munmap, big, 64 * MiB);
}

/* The same fault and mmap figures with 10,000 areas in the address space. */
static void areas_figures(const struct plan *pl)
{
	char why[64];
	char *areas = make_areas(why, sizeof(why));

	if (areas) {
		fault_figure("fault_4k_10k_areas", pl->fault);
		figure("mmap_munmap_10k_areas", b_mmap, NULL, pl->mmap, "touched=0 areas=10000");
		sys2(SYS_munmap, areas, (size_t)AREAS * PAGE);
	} else {
		skipped("fault_4k_10k_areas", why);
		skipped("mmap_munmap_10k_areas", why);
	}
}

static void run_all(const struct plan *pl)
{
	char extra[96];
	long fd;

	report("ref", measure_only(b_ref, NULL, pl->ref.reps, pl->ref.ops), pl->ref.reps, pl->ref.ops, "where=start");
	figure("getpid", b_getpid, NULL, pl->getpid, "");
	figure("sched_yield_solo", b_yield, NULL, pl->yield, "");
	if (pl == &full)
		warm_up();
	fault_figure("fault_4k", pl->fault);
	{
		struct fig f = measure(b_brk, NULL, pl->brk.reps, 1);

		snprintf(extra, sizeof(extra), "per=64MiB ns_per_page=%.1f", to_ns(f.cycles) / (64 * MiB / PAGE));
		report("brk_64m", f, pl->brk.reps, 1, extra);
	}
	figure("mmap_munmap", b_mmap, NULL, pl->mmap, "touched=0");
	figure("mmap_touch_munmap", b_mmap, (void *)1, pl->mtouch, "touched=1");
	figure("write_console_1b", b_write1, (void *)1, pl->write, "fd=1");
	fd = sys3(SYS_open, "/dev/null", O_WRONLY, 0);
	if (fd >= 0) {
		figure("write_devnull_1b", b_write1, (void *)(intptr_t)fd, pl->devnull, "");
		sys1(SYS_close, fd);
	} else {
		snprintf(extra, sizeof(extra), "open_/dev/null_returned_%ld", fd);
		skipped("write_devnull_1b", extra);
	}
	maps_figures(pl);
	files_figures(pl);
	areas_figures(pl);
	proc_figures(pl);
	figure("thread_create_join", b_thread, NULL, pl->thread, "");
	figure("futex_uncontended", b_futex_solo, NULL, pl->futex_solo, "calls=2");
	{
		pthread_t t;
		int err;

		fx_turn = 0;
		fx_stop = 0;
		err = pthread_create(&t, NULL, futex_partner, NULL);
		if (err)
			die("pthread_create: %d", err);
		figure("futex_pingpong", b_futex_pingpong, NULL, pl->futex_pp, "threads=2");
		fx_stop = 1;
		__atomic_store_n(&fx_turn, 1, __ATOMIC_SEQ_CST);
		futex(&fx_turn, LX_FUTEX_WAKE_PRIVATE, 1);
		pthread_join(t, NULL);
	}
	report("ref", measure_only(b_ref, NULL, pl->ref.reps, pl->ref.ops), pl->ref.reps, pl->ref.ops, "where=end");
}

/* "bench syscalls": the figures of run_all whose cost is mostly the way into the kernel and back. */
static void run_syscalls(const struct plan *pl)
{
	long fd;

	report("ref", measure_only(b_ref, NULL, pl->ref.reps, pl->ref.ops), pl->ref.reps, pl->ref.ops, "where=start");
	figure("getpid", b_getpid, NULL, pl->getpid, "");
	figure("sched_yield_solo", b_yield, NULL, pl->yield, "");
	fd = sys3(SYS_open, "/dev/null", O_WRONLY, 0);
	if (fd < 0)
		die("open /dev/null: %ld", fd);
	figure("write_devnull_1b", b_write1, (void *)(intptr_t)fd, pl->devnull, "");
	sys1(SYS_close, fd);
	figure("futex_uncontended", b_futex_solo, NULL, pl->futex_solo, "calls=2");
	report("ref", measure_only(b_ref, NULL, pl->ref.reps, pl->ref.ops), pl->ref.reps, pl->ref.ops, "where=end");
}

/*
 * One side of the ping-pong. Both sides yield in a loop at the same time on
 * one CPU, so each of my sched_yield calls lets the other side run one
 * iteration (its own sched_yield) before I run again: one iteration of my
 * loop is one round trip (two yields, two switches). shared (Linux, a
 * MAP_SHARED page) counts how often the other side really ran in between.
 */
static volatile uint64_t *pp_shared;

static uint64_t b_pingpong(unsigned ops, void *ctx)
{
	int idx = (int)(intptr_t)ctx;
	uint64_t t0 = rdtsc(), t1;

	for (unsigned i = 0; i < ops; i++) {
		sys0(SYS_sched_yield);
		if (pp_shared)
			pp_shared[idx]++;
	}
	t1 = rdtsc();
	return t1 - t0;
}

static void pingpong(const struct plan *pl, int idx)
{
	char extra[96] = "";
	uint64_t seen0 = 0, other0 = 0;
	char name[32];
	struct fig f;

	for (unsigned i = 0; i < 200; i++) /* let the other side start */
		sys0(SYS_sched_yield);
	if (pp_shared) {
		seen0 = pp_shared[idx];
		other0 = pp_shared[!idx];
	}
	f = measure(b_pingpong, (void *)(intptr_t)idx, pl->pingpong.reps, pl->pingpong.ops);
	if (pp_shared)
		snprintf(extra, sizeof(extra), "role=%d other_ran=%.2f", idx,
			 (double)(pp_shared[!idx] - other0) / (double)(pp_shared[idx] - seen0));
	else
		snprintf(extra, sizeof(extra), "role=%d", idx);
	snprintf(name, sizeof(name), "pingpong");
	report(name, f, pl->pingpong.reps, pl->pingpong.ops, extra);
}

/* ---- Linux /init ---- */

/* The first line of a small file, spaces as '_' (so it stays one value); "?" when unreadable. */
static const char *first_line(const char *path, char *buf, size_t size)
{
	long fd = sys3(SYS_open, path, O_RDONLY, 0), n;

	if (fd < 0)
		return "?";
	n = sys3(SYS_read, fd, buf, size - 1);
	sys1(SYS_close, fd);
	if (n < 0)
		n = 0;
	buf[n] = 0;
	buf[strcspn(buf, "\n")] = 0;
	for (char *c = buf; *c; c++)
		if (*c == ' ')
			*c = '_';
	return buf[0] ? buf : "?";
}

/* Whether the "flags" line of /proc/cpuinfo names flag. */
static int cpu_flag(const char *cpuinfo, const char *flag)
{
	const char *f = strstr(cpuinfo, "\nflags"), *end;
	size_t n = strlen(flag);

	if (!f)
		return -1;
	end = strchr(f + 1, '\n');
	for (const char *c = strstr(f, flag); c && (!end || c < end); c = strstr(c + 1, flag))
		if (c[-1] == ' ' && (c[n] == ' ' || c[n] == '\n'))
			return 1;
	return 0;
}

static void init_linux(void)
{
	uint64_t boot_ns = mono_ns(7 /* CLOCK_BOOTTIME */);
	const char *start = getenv("bench_tsc_start");
	char buf[4096];
	long fd, n;

	/* The boot figures first: tsc_at_entry is this program's first instruction. */
	line("BENCH name=init_entry tsc=%llu tsc_start_image=%s boottime_ns=%llu", (unsigned long long)tsc_at_entry,
	     start ? start : "none", (unsigned long long)boot_ns);
	if (sys6(SYS_mount, (long)"proc", (long)"/proc", (long)"proc", 0, 0, 0) != 0)
		line("BENCH error=\"mount /proc failed\"");
	sys6(SYS_mount, (long)"sysfs", (long)"/sys", (long)"sysfs", 0, 0, 0);
	fd = sys3(SYS_open, "/proc/meminfo", O_RDONLY, 0);
	if (fd >= 0) {
		unsigned long total = 0, avail = 0, freek = 0;
		char *s;

		n = sys3(SYS_read, fd, buf, sizeof(buf) - 1);
		sys1(SYS_close, fd);
		buf[n > 0 ? n : 0] = 0;
		if ((s = strstr(buf, "MemTotal:")))
			total = strtoul(s + 9, NULL, 10);
		if ((s = strstr(buf, "MemFree:")))
			freek = strtoul(s + 8, NULL, 10);
		if ((s = strstr(buf, "MemAvailable:")))
			avail = strtoul(s + 13, NULL, 10);
		line("BENCH name=meminfo total_kib=%lu free_kib=%lu available_kib=%lu", total, freek, avail);
	}
	{
		char a[128], b[128], c[128], d[128];

		line("BENCH name=linux_info thp=%s clocksource=%s meltdown=%s spectre_v2=%s",
		     first_line("/sys/kernel/mm/transparent_hugepage/enabled", a, sizeof(a)),
		     first_line("/sys/devices/system/clocksource/clocksource0/current_clocksource", b, sizeof(b)),
		     first_line("/sys/devices/system/cpu/vulnerabilities/meltdown", c, sizeof(c)),
		     first_line("/sys/devices/system/cpu/vulnerabilities/spectre_v2", d, sizeof(d)));
	}
	fd = sys3(SYS_open, "/proc/cpuinfo", O_RDONLY, 0);
	if (fd >= 0) {
		n = sys3(SYS_read, fd, buf, sizeof(buf) - 1);
		sys1(SYS_close, fd);
		buf[n > 0 ? n : 0] = 0;
		line("BENCH name=linux_cpu pti=%d rep_good=%d erms=%d pcid=%d", cpu_flag(buf, "pti"),
		     cpu_flag(buf, "rep_good"), cpu_flag(buf, "erms"), cpu_flag(buf, "pcid"));
	}
}

/* Wait until the console has sent everything, then leave QEMU through isa-debug-exit. */
static __attribute__((noreturn)) void init_exit(void)
{
	line("BENCH name=done");
	sys3(SYS_ioctl, 1, LX_TCSBRK, 1); /* tcdrain */
	sys1(SYS_fsync, 1);
	if (sys3(SYS_ioperm, DEBUG_EXIT_PORT, 1, 1) == 0)
		__asm__ volatile("outb %0, %1" : : "a"((uint8_t)DEBUG_EXIT_DONE), "Nd"((uint16_t)DEBUG_EXIT_PORT));
	/* No isa-debug-exit device: power off (QEMU exits with 0). */
	sys3(SYS_sync, 0, 0, 0);
	sys6(SYS_reboot, LX_REBOOT_MAGIC1, LX_REBOOT_MAGIC2, LX_RB_POWER_OFF, 0, 0, 0);
	for (;;)
		pause();
}

static void linux_pingpong(const struct plan *pl)
{
	long pid, p = sys6(SYS_mmap, 0, PAGE, LX_PROT_RW, LX_MAP_SHARED | LX_MAP_ANONYMOUS, -1, 0);
	int status;

	if (p > 0)
		pp_shared = (volatile uint64_t *)p;
	pid = sys0(SYS_fork);
	if (pid < 0) {
		skipped("pingpong", "fork_failed");
		return;
	}
	if (pid == 0) {
		pingpong(pl, 1);
		sys1(SYS_exit_group, 0);
	}
	pingpong(pl, 0);
	sys6(SYS_wait4, pid, (long)&status, 0, 0, 0, 0);
}

/* PID 1 under Linux (Atlas numbers its first process 1 too, so ask uname). */
static int is_linux_init(void)
{
	struct {
		char sysname[65], rest[5 * 65];
	} u;

	return sys0(SYS_getpid) == 1 && sys1(SYS_uname, &u) == 0 && !strcmp(u.sysname, "Linux");
}

/* Whether the comma-separated list names group. */
static int listed(const char *list, const char *group)
{
	size_t n = strlen(group);

	for (const char *p = list; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (!strncmp(p, group, n) && (p[n] == ',' || p[n] == '\0'))
			return 1;
	return 0;
}

/* bench only LIST: the reference loop around the figures of the groups named. */
static void run_only(const struct plan *pl, const char *list)
{
	report("ref", measure_only(b_ref, NULL, pl->ref.reps, pl->ref.ops), pl->ref.reps, pl->ref.ops, "where=start");
	if (listed(list, "mmap"))
		figure("mmap_munmap", b_mmap, NULL, pl->mmap, "touched=0");
	if (listed(list, "maps"))
		maps_figures(pl);
	if (listed(list, "areas"))
		areas_figures(pl);
	report("ref", measure_only(b_ref, NULL, pl->ref.reps, pl->ref.ops), pl->ref.reps, pl->ref.ops, "where=end");
}

int main(int argc, char **argv, char **envp)
{
	const char *mode = argc > 1 ? argv[1] : "all";
	int init;

	if (!strcmp(mode, "exit0")) /* the program fork_exec_wait runs */
		return 0;
	bench_envp = envp;
	init = is_linux_init();

	if (init) {
		init_linux();
		mode = "all";
	}
	line("BENCH name=entry tsc=%llu mode=%s", (unsigned long long)tsc_at_entry, mode);
	calibrate();
	if (!strcmp(mode, "all") || !strcmp(mode, "quick")) {
		const struct plan *pl = strcmp(mode, "quick") ? &full : &quick;

		run_all(pl);
		if (init)
			linux_pingpong(pl);
		else
			skipped("pingpong", "needs_two_concurrent_instances");
	} else if (!strcmp(mode, "syscalls")) {
		run_syscalls(&full);
	} else if (!strcmp(mode, "files")) {
		const struct plan *pl = argc > 2 && !strcmp(argv[2], "quick") ? &quick : &full;

		report("ref", measure_only(b_ref, NULL, pl->ref.reps, pl->ref.ops), pl->ref.reps, pl->ref.ops,
		       "where=start");
		files_figures(pl);
	} else if (!strcmp(mode, "procs")) {
		proc_figures(argc > 2 && !strcmp(argv[2], "quick") ? &quick : &full);
	} else if (!strcmp(mode, "only") && argc > 2) {
		run_only(argc > 3 && !strcmp(argv[3], "quick") ? &quick : &full, argv[2]);
	} else if (!strcmp(mode, "pingpong")) {
		pingpong(argc > 3 && !strcmp(argv[2], "quick") ? &quick : &full, argc > 2 ? atoi(argv[argc - 1]) : 0);
	} else {
		die("unknown mode '%s' (all, quick, syscalls, files [quick], procs [quick], only LIST [quick], "
		    "pingpong [quick] INDEX)",
		    mode);
	}
	if (init)
		init_exit();
	line("BENCH name=done");
	return 0;
}
