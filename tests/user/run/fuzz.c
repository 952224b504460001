/* SPDX-License-Identifier: MIT */
/*
 * fuzz - seeded random system calls (issue 18, part 3).
 *
 *   fuzz SEED CALLS [INDEX [TRACE]]  CALLS calls drawn from SEED (+ INDEX: run="\fuzz.elf*N SEED
 *                                    CALLS" runs N copies at once, each with its own seed); from call
 *                                    number TRACE on, each call is printed with its arguments and result
 *   fuzz --exit                      exits 0 (what an execve of the fuzzer runs)
 *
 * The calls are every number include/syscalls.h lists (tests/user/run/fuzz/
 * calls.c reads it at build time: a system call implemented tomorrow is
 * fuzzed without a change here), weighted, plus a few unassigned numbers;
 * each argument drawn by its kind (draw.c): 0, -1, INT_MIN, page boundaries,
 * the last user page, the kernel half, non-canonical addresses, valid
 * buffers, huge lengths, descriptors just opened and just closed, paths
 * with and without terminators, 255- and 256-byte names, 4096-byte paths,
 * symlink loops, timespecs, signal sets, iovec and argv arrays. The same
 * seed gives the same calls, so a finding replays: the progress lines name
 * the seed and the call index, and every finding becomes a regression test
 * of its own in tests/user.
 *
 * Three streams of processes:
 *  - the program itself, which must outlive every call it makes (the rules in
 *    fuzz/rules.c keep it alive and the machine intact, and are undone
 *    after the call where they change the program's state);
 *  - a child stream: a second process (forked at the start, its own seed,
 *    CALLS/4 calls, its own scratch directory and process group) running
 *    alongside;
 *  - children that run one risky call each (exit, exit_group, execve,
 *    rt_sigreturn, clone sharing the memory, calls without hand-written
 *    rules, and one call in 64 of any kind) with the program's protections
 *    off, then up to three more, then exit: the parent reaps each with a
 *    deadline (SIGKILL after 60 ms), and a child that is still there 5 s
 *    after SIGKILL is a finding.
 *
 * Files: the calls work in /tmp/fuzz.PID, refilled with a standard set every
 * 1024 calls and removed at the end; tools/fuzz.py checks with
 * tests/user/run/tree.c that nothing else in the root file system changed.
 *
 * Checks: the process survives every call (it exits 0; the boot tests and
 * tools/fuzz.py expect that), no fault hits the program itself (its handler
 * names the call), each result is a value or -errno (-1..-4095), mmap never
 * returns an address outside user space, reads never return more than
 * asked, no descriptor comes back open twice or past RLIMIT_NOFILE, the
 * program's own state is intact after every call (a canary on each side of
 * it), and every child ends and is reaped.
 *
 * On Linux (run it natively: build/user/run/fuzz.elf SEED CALLS) the same
 * draws run minus what could change the host (calls.c's host_ok, and the
 * rules marked S.on_linux): no ioctl, no setuid and friends, sethostname,
 * clock_settime, real-time scheduling, device nodes but the memory ones.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "fuzz/fuzz.h"

#define PROGRESS_EVERY 1000
#define REFILL_EVERY 1024
#define CHILD_ONE_IN 64
#define MAX_CALLS 512

struct state S;
static unsigned long by_call[MAX_CALLS], ok_by_call[MAX_CALLS];

/*
 * fork, vfork or clone whose child exits at once, before any C code runs:
 * it may share the memory and the stack (vfork, CLONE_VM) or have a stack
 * that is not one (clone's drawn stack pointer).
 */
long fuzz_spawn_exit(long nr, long a0, long a1, long a2, long a3, long a4);
__asm__(".text\n"
	".global fuzz_spawn_exit\n"
	"fuzz_spawn_exit:\n"
	"\tmov %rdi, %rax\n"
	"\tmov %rsi, %rdi\n"
	"\tmov %rdx, %rsi\n"
	"\tmov %rcx, %rdx\n"
	"\tmov %r8, %r10\n"
	"\tmov %r9, %r8\n"
	"\tsyscall\n"
	"\ttest %rax, %rax\n"
	"\tjnz 1f\n"
	"\tmov $60, %eax\n" /* exit(0): this thread or process only */
	"\txor %edi, %edi\n"
	"\tsyscall\n"
	"1:\tret\n");

/* Numbers never drawn, whoever implements them: they would stop the machine, not a process. */
static int never(long nr)
{
	return nr == 169 /* reboot */ || nr == 246 /* kexec_load */ || nr == 320 /* kexec_file_load */;
}

static long total_weight;

static const struct call *pick_call(void)
{
	const struct call *c;
	uint64_t w;

	do {
		w = rnd() % (uint64_t)total_weight;
		c = calls;
		while (w >= (uint64_t)c->weight)
			w -= (uint64_t)(c++)->weight;
	} while ((S.on_linux && (!c->host_ok || !c->implemented)) || never(c->nr));
	return c;
}

/* Calls the program cannot make itself: they end it, or have no rules yet. */
static int child_only(const struct call *c)
{
	return c->implemented && (!c->ruled || c->nr == SYS_exit || c->nr == SYS_exit_group || c->nr == SYS_execve ||
				  c->nr == SYS_execveat || c->nr == SYS_rt_sigreturn);
}

static void count(const struct call *c, long r)
{
	by_call[c - calls]++;
	if (r >= 0 || r < -ERRNO_MAX) {
		S.ok++;
		ok_by_call[c - calls]++;
		return;
	}
	S.errors++;
	S.enosys += r == -38;
	S.efault += r == -14;
	S.einval += r == -22;
	S.enomem += r == -12;
	S.eintr += r == -4;
	S.ebadf += r == -9;
	S.enoent += r == -2;
}

static long do_call(const struct draw *d)
{
	const uint64_t *a = d->a;

	switch (d->c->nr) {
	case SYS_fork:
	case SYS_vfork:
	case SYS_clone:
		return fuzz_spawn_exit(d->c->nr, (long)a[0], (long)a[1], (long)a[2], (long)a[3], (long)a[4]);
	default:
		return sys6(d->c->nr, (long)a[0], (long)a[1], (long)a[2], (long)a[3], (long)a[4], (long)a[5]);
	}
}

static void trace(const struct draw *d, const char *when)
{
	if (S.trace_from >= 0 && S.call >= S.trace_from)
		say("call %ld%s: %s(%#llx, %#llx, %#llx, %#llx, %#llx, %#llx)%s", S.call, S.in_child ? " [child]" : "",
		    d->c->name, (unsigned long long)d->a[0], (unsigned long long)d->a[1], (unsigned long long)d->a[2],
		    (unsigned long long)d->a[3], (unsigned long long)d->a[4], (unsigned long long)d->a[5], when);
}

static void traced_result(long r)
{
	if (S.trace_from >= 0 && S.call >= S.trace_from)
		say("call %ld%s: = %ld", S.call, S.in_child ? " [child]" : "", r);
}

/* One call drawn and made in this process (the program itself, or a child with its protections off). */
static long here(struct draw *d)
{
	long r;

	draw_args(d);
	rules_before(d);
	trace(d, "");
	r = do_call(d);
	traced_result(r);
	rules_after(d, r);
	return r;
}

static void check_canaries(const struct call *c)
{
	if (S.canary_lo != CANARY || S.canary_hi != CANARY)
		fail("call %ld (%s) overwrote the program's own state", S.call, c->name);
}

/* Reap child pid: SIGKILL once CHILD_DEADLINE_NS have passed, a finding if it outlives that by KILL_DEADLINE_NS. */
static int reap(long pid, const char *what)
{
	int64_t t0 = now_ns(), killed = 0;
	int status = 0;

	for (;;) {
		long r = sys4(SYS_wait4, pid, &status, __WALL, 0);
		int64_t t;

		if (r == pid)
			return status;
		if (r != -EINTR)
			fail("wait4 for %s %ld returned %ld (call %ld)", what, pid, r, S.call);
		t = now_ns();
		if (!killed && t - t0 > CHILD_DEADLINE_NS) {
			sys2(SYS_kill, pid, SIGKILL);
			killed = t;
			S.child_killed++;
		} else if (killed && t - killed > KILL_DEADLINE_NS) {
			fail("%s %ld (call %ld, %s) is still there %lld s after SIGKILL", what, pid, S.call, "",
			     (long long)((t - killed) / 1000000000));
		}
	}
}

/* A call in a child of its own: the child may end, stop, block or wreck itself. */
static void in_child(struct draw *d)
{
	long pid = fork();

	if (pid < 0) {
		count(d->c, -errno);
		return;
	}
	if (pid == 0) {
		S.in_child = 1;
		S.pid = sys0(SYS_getpid);
		S.stream_child = 0;
		S.nrecent = 0;
		memset(S.recent, 0, sizeof(S.recent));
		here(d);
		for (int k = (int)(rnd() % 4); k > 0; k--) {
			struct draw e = { .c = pick_call() };

			here(&e);
		}
		sys1(SYS_exit_group, 0);
	}
	S.children++;
	by_call[d->c - calls]++;
	if (WIFSIGNALED(reap(pid, "child")))
		S.child_signaled++;
	else
		S.child_exited++;
}

static void one_call(long i)
{
	struct draw d = { .c = pick_call() };
	long r;

	S.call = i;
	if (child_only(d.c) || (d.c->implemented && rnd() % CHILD_ONE_IN == 0)) {
		in_child(&d);
		return;
	}
	r = here(&d);
	count(d.c, r);
	if (r < -ERRNO_MAX && d.c->nr != SYS_mmap && d.c->nr != SYS_brk && d.c->nr != SYS_time &&
	    d.c->nr != SYS_times && d.c->nr != SYS_lseek)
		fail("call %ld: %s returned %ld: neither a value nor -errno", i, d.c->name, r);
	check_canaries(d.c);
}

/* The program's own memory: everything mapped at the start, plus the arena's guard pages. */
static void list_self(void)
{
	const char *cur;
	struct map m;

	read_file("/proc/self/maps", S.maps, sizeof(S.maps));
	for (cur = S.maps; next_map(&cur, &m) && S.nself < MAX_SELF - 2;) {
		S.self_lo[S.nself] = m.start;
		S.self_hi[S.nself] = m.end;
		S.nself++;
	}
}

/* The stack's deepest use, touched now: it is then part of what list_self protects. */
static void __attribute__((noinline)) grow_stack(void)
{
	volatile char deep[128 * 1024];

	memset((char *)deep, 1, sizeof(deep));
}

static void map_arena(void)
{
	char *a = mmap(NULL, ARENA + 2 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	CHECK(a != MAP_FAILED, "no arena");
	CHECK(mprotect(a + PAGE, ARENA, PROT_READ | PROT_WRITE) == 0, "arena mprotect");
	S.arena = a + PAGE;
	/* The guards are the program's: a call writing past the arena's end faults there. */
	S.self_lo[S.nself] = (unsigned long)a;
	S.self_hi[S.nself++] = (unsigned long)a + PAGE;
	S.self_lo[S.nself] = (unsigned long)a + PAGE + ARENA;
	S.self_hi[S.nself++] = (unsigned long)a + 2 * PAGE + ARENA;
}

/* What the rules restore: saved once at the start. */
static void save_state(void)
{
	struct utsname u;
	uint64_t rl[2];

	CHECK(sys2(SYS_arch_prctl, ARCH_GET_FS, &S.fs_base) == 0, "arch_prctl(ARCH_GET_FS) failed");
	if (uname(&u) == 0)
		snprintf(S.hostname, sizeof(S.hostname), "%s", u.nodename);
	sys2(SYS_prctl, 16 /* PR_GET_NAME */, S.comm);
	S.have_termios = sys3(SYS_ioctl, 1, 0x5401 /* TCGETS */, S.termios) == 0;
	for (int fd = 0; fd <= 2; fd++)
		S.console_fl[fd] = sys2(SYS_fcntl, fd, 3 /* F_GETFL */);
	/* Few descriptors, small files: the run stays bounded. */
	sys2(SYS_getrlimit, RLIMIT_NOFILE, rl);
	rl[0] = NOFILE;
	sys2(SYS_setrlimit, RLIMIT_NOFILE, rl);
	sys2(SYS_getrlimit, RLIMIT_FSIZE, rl);
	rl[0] = FSIZE;
	sys2(SYS_setrlimit, RLIMIT_FSIZE, rl);
	for (int res = 0; res < 16; res++)
		sys2(SYS_getrlimit, res, S.rlim[res]);
}

/* Every REFILL_EVERY calls: descriptors closed, children reaped, the scratch directory as new. */
static void housekeeping(void)
{
	close_extra_fds();
	reap_children();
	scratch_refill();
	install_handlers();
	arm_tick();
	S.open_fd = S.dir_fd;
}

/* n calls, with housekeeping and progress lines (the program's only). */
static void stream(long n)
{
	for (long i = 0; i < n; i++) {
		one_call(i);
		if ((i + 1) % REFILL_EVERY == 0)
			housekeeping();
		if ((i + 1) % PROGRESS_EVERY == 0 && i + 1 < n && !S.role)
			say("seed %llu: %ld calls done", (unsigned long long)S.seed, i + 1);
	}
	housekeeping();
}

/* The child stream's status: it has no deadline (its calls are bounded as the program's are). */
static int reap_stream(long pid)
{
	int status = 0;
	long r;

	while ((r = sys4(SYS_wait4, pid, &status, __WALL, 0)) == -EINTR)
		;
	if (r != pid)
		fail("wait4 for the child stream %ld returned %ld", pid, r);
	return status;
}

static uint64_t seed_of(uint64_t seed, int role)
{
	return (seed + (role ? 0x1000 : 0)) * 0x9E3779B97F4A7C15ULL | 1;
}

/*
 * The child stream: forked at the start, it runs its own seed (SEED + 0x1000)
 * for n calls in its own scratch directory and process group, alongside the
 * program; the program waits for it at the end.
 */
static long fuzz_children(uint64_t seed, long n)
{
	long pid = fork();

	if (pid != 0)
		return pid < 0 ? -errno : pid;
	S.role = 1;
	S.pid = sys0(SYS_getpid);
	sys2(SYS_setpgid, 0, 0);
	S.pgid = sys1(SYS_getpgid, 0);
	S.stream_child = 0;
	S.rng = seed_of(seed, 1);
	if (scratch_setup())
		fail("child stream: no scratch directory");
	arm_tick();
	stream(n);
	close_extra_fds();
	scratch_remove();
	say("seed %llu (child stream): %ld calls survived", (unsigned long long)seed, n);
	sys1(SYS_exit_group, 0);
	return 0;
}

static void summary(uint64_t seed, long n)
{
	int distinct = 0, succeeded = 0;
	unsigned long sigs = 0;

	for (int k = 0; k < ncalls; k++) {
		distinct += by_call[k] > 0;
		succeeded += ok_by_call[k] > 0;
	}
	for (int s = 1; s <= NSIG_; s++)
		sigs += S.signals[s];
	say("seed %llu: %ld calls survived: %lu ok, %lu errors (%lu EFAULT, %lu EINVAL, %lu ENOMEM, %lu ENOSYS, "
	    "%lu EBADF, %lu ENOENT, %lu EINTR); %d numbers drawn, %d succeeded at least once; %lu children "
	    "(%lu exited, %lu killed by a signal, %lu past the deadline); %lu signals handled",
	    (unsigned long long)seed, n, S.ok, S.errors, S.efault, S.einval, S.enomem, S.enosys, S.ebadf, S.enoent,
	    S.eintr, distinct, succeeded, S.children, S.child_exited, S.child_signaled, S.child_killed, sigs);
}

int main(int argc, char **argv)
{
	uint64_t seed;
	long n, child;
	int implemented = 0, unruled = 0;
	char names[256] = "";

	if (argc > 1 && !strcmp(argv[1], "--exit"))
		return 0;
	seed = argc > 1 ? strtoull(argv[1], NULL, 0) : 1;
	n = argc > 2 ? strtol(argv[2], NULL, 0) : 1000;
	if (argc > 3)
		seed += strtoull(argv[3], NULL, 0);
	S.trace_from = argc > 4 ? strtol(argv[4], NULL, 0) : -1;
	S.canary_lo = S.canary_hi = CANARY;
	S.seed = seed;
	S.rng = seed_of(seed, 0);
	S.on_linux = !on_atlas();
	S.closed_fd = 9;
	S.open_fd = 10;
	S.pipe_fd[0] = 11;
	S.pipe_fd[1] = 12;
	S.pid = sys0(SYS_getpid);
	sys2(SYS_setpgid, 0, 0);
	S.pgid = sys1(SYS_getpgid, 0);
	save_state();
	calls_init();
	CHECK(ncalls <= MAX_CALLS, "%d calls, more than %d", ncalls, MAX_CALLS);
	for (int k = 0; k < ncalls; k++) {
		if (S.on_linux && (!calls[k].host_ok || !calls[k].implemented))
			continue;
		total_weight += calls[k].weight;
		implemented += calls[k].implemented;
		if (calls[k].implemented && !calls[k].ruled && !never(calls[k].nr)) {
			unruled++;
			if (strlen(names) + strlen(calls[k].name) + 2 < sizeof(names))
				strcat(strcat(names, " "), calls[k].name);
		}
	}
	grow_stack();
	list_self();
	map_arena();
	CHECK(scratch_setup() == 0, "no scratch directory under /tmp");
	install_handlers();
	arm_tick();
	child = fuzz_children(seed, n / 4);
	S.stream_child = child > 0 ? child : 0;
	say("seed %llu: %ld calls over %d implemented numbers and the unimplemented ones%s; child stream %ld%s%s",
	    (unsigned long long)seed, n, implemented, S.on_linux ? " (Linux: host-safe calls only)" : "", child,
	    unruled ? "; without rules (children only):" : "", names);
	stream(n);
	if (child > 0) {
		int status = reap_stream(child);

		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child stream ended with status %#x", status);
	}
	close_extra_fds();
	reap_children();
	scratch_remove();
	summary(seed, n);
	return 0;
}
