/* SPDX-License-Identifier: MIT */
/*
 * syscall.c - one system call, from the table (include/syscall.h): run the
 * handler (whose generated wrapper converts the arguments as Linux declares
 * them), say -ENOSYS once per number for the rest, with log=syscalls tell
 * the call and its result, strace-style, and leave through SYSRET at once
 * when there is no signal or restart to handle.
 */
#include "syscall.h"

#include "json.h"
#include "kernel.h"
#include "kerrno.h"
#include "kstring.h"
#include "memlayout.h"
#include "proc.h"
#include "record.h"
#include "sched.h"
#include "signal.h"
#include "sysguard.h"
#include "uaccess.h"

#define NR_MAX_LOGGED 512
#define SYSCALL_INSN_LEN 2 /* 0F 05 */
#define AT_FDCWD (-100)
#define TRACE_ARGS_MAX 320 /* the decoded arguments of one call */
#define TRACE_STR_MAX 32   /* bytes of a string or buffer shown, as strace -s 32 */

static uint64_t logged_unknown[NR_MAX_LOGGED / 64];

/* Unknown numbers: -ENOSYS, said once per number (numbers past NR_MAX_LOGGED share one slot). */
static long unknown(struct proc *p, uint64_t nr)
{
	uint64_t slot = nr < NR_MAX_LOGGED ? nr : NR_MAX_LOGGED - 1;
	const char *name = syscall_name(nr) ? syscall_name(nr) : "";
	struct jrec r;

	if (logged_unknown[slot / 64] & (1ULL << (slot % 64)))
		return -ENOSYS;
	logged_unknown[slot / 64] |= 1ULL << (slot % 64);
	if (report_human())
		kprintf("syscall %llu%s%s%s (from %s, pid %d) is not implemented: -ENOSYS\n", (unsigned long long)nr,
			*name ? " (" : "", name, *name ? ")" : "", p->name, p->pid);
	jrec_begin(&r, "enosys");
	jrec_u64(&r, "nr", nr);
	jrec_str(&r, "syscall", name);
	jrec_u64(&r, "pid", (uint64_t)p->pid);
	jrec_str(&r, "name", p->name);
	report_emit(&r);
	return -ENOSYS;
}

/* ---- log=syscalls ------------------------------------------------------ */

static int tracing(void)
{
	return g_boot && g_boot->opts.log == LOG_SYSCALLS;
}

/* Up to TRACE_STR_MAX bytes of s, quoted and escaped as C (and strace) would; "..." when cut. */
static void put_quoted(struct kbuf *b, const char *s, size_t n, int cut)
{
	kbuf_putc(b, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			kbuf_printf(b, "\\%c", c);
		else if (c == '\n')
			kbuf_printf(b, "\\n");
		else if (c == '\t')
			kbuf_printf(b, "\\t");
		else if (c < 0x20 || c >= 0x7f)
			kbuf_printf(b, "\\x%02x", c);
		else
			kbuf_putc(b, (char)c);
	}
	kbuf_putc(b, '"');
	if (cut)
		kbuf_printf(b, "...");
}

/* One argument as log=syscalls shows it; next is the argument after it (a buffer's length). */
static void put_arg(struct kbuf *b, enum sys_arg t, uint64_t v, uint64_t next)
{
	char s[TRACE_STR_MAX + 1];
	long n;

	switch (t) {
	case SA_FD:
		if ((int64_t)v == AT_FDCWD) {
			kbuf_printf(b, "AT_FDCWD");
			break;
		}
		/* fall through */
	case SA_INT:
	case SA_LONG:
		kbuf_printf(b, "%lld", (long long)v);
		break;
	case SA_UINT:
	case SA_ULONG:
		kbuf_printf(b, "%llu", (unsigned long long)v);
		break;
	case SA_UMODE:
		kbuf_printf(b, "0%llo", (unsigned long long)v);
		break;
	case SA_INT_HEX:
	case SA_UINT_HEX:
	case SA_ULONG_HEX:
		kbuf_printf(b, "%#llx", (unsigned long long)v);
		break;
	case SA_STR:
		n = v ? strncpy_from_user(s, v, sizeof(s)) : -EFAULT;
		if (n >= 0)
			put_quoted(b, s, (size_t)n, 0);
		else if (n == -ENAMETOOLONG)
			put_quoted(b, s, sizeof(s) - 1, 1);
		else
			kbuf_printf(b, "%#llx", (unsigned long long)v);
		break;
	case SA_BUF:
		n = next < TRACE_STR_MAX ? (long)next : TRACE_STR_MAX;
		if (!copy_from_user(s, v, (size_t)n))
			put_quoted(b, s, (size_t)n, next > TRACE_STR_MAX);
		else
			kbuf_printf(b, "%#llx", (unsigned long long)v);
		break;
	default: /* SA_PTR */
		if (v)
			kbuf_printf(b, "%#llx", (unsigned long long)v);
		else
			kbuf_printf(b, "NULL");
	}
}

/* The call's arguments, "AT_FDCWD, \"/proc/self/maps\", 0", into args[0..size). */
static void trace_args(const struct syscall_desc *d, const uint64_t *a, char *args, size_t size)
{
	struct kbuf b = { args, size, 0 };

	for (int i = 0; i < SYS_ARGS && d->arg[i] != SA_NONE; i++) {
		if (i)
			kbuf_printf(&b, ", ");
		put_arg(&b, d->arg[i], a[i], i + 1 < SYS_ARGS ? a[i + 1] : 0);
	}
	kbuf_end(&b);
}

/*
 * "[pid 3 hello] openat(AT_FDCWD, \"/proc/self/maps\", 0) = 3" (human; the number is the
 * calling thread's id, as strace -f prints it) and
 * {"rec":"syscall"} (JSON); ret NULL: a call that does not return ("= ?").
 */
static void trace_emit(struct proc *p, uint64_t nr, const char *name, const char *args, const long *ret, int hex)
{
	int tid = thread_current()->tid;
	char res[48];
	struct jrec r;

	if (!ret)
		kstrlcpy(res, "?", sizeof(res));
	else if (*ret < 0 && *ret >= -4095)
		ksnprintf(res, sizeof(res), "-1 %s", errno_name(*ret));
	else
		ksnprintf(res, sizeof(res), hex ? "%#llx" : "%lld", (long long)*ret);
	if (report_human())
		kprintf("[pid %d %s] %s(%s) = %s\n", tid, p->name, name, args, res);
	jrec_begin(&r, "syscall");
	jrec_u64(&r, "pid", (uint64_t)p->pid);
	jrec_u64(&r, "tid", (uint64_t)tid);
	jrec_u64(&r, "nr", nr);
	jrec_str(&r, "syscall", name);
	jrec_str(&r, "args", args);
	if (ret) {
		jrec_i64(&r, "ret", *ret);
		jrec_str(&r, "errno", *ret < 0 && *ret >= -4095 ? errno_name(*ret) : "");
	}
	report_emit(&r);
}

/* ---- dispatch ------------------------------------------------------------ */

/*
 * The calls that do more than run the handler: an unknown number (-ENOSYS,
 * said once) and every call under log=syscalls. Out of line, so that the
 * common path in syscall_dispatch stays short.
 */
static __attribute__((noinline)) long dispatch_slow(struct thread *t, const struct trap_frame *tf, uint64_t nr,
						    const struct syscall_desc *d, sys_fn fn)
{
	struct proc *p = t->proc;
	uint64_t raw[SYS_ARGS] = { tf->rdi, tf->rsi, tf->rdx, tf->r10, tf->r8, tf->r9 }, a[SYS_ARGS];
	char args[TRACE_ARGS_MAX];
	long r;

	if (!fn) {
		r = unknown(p, nr);
		if (tracing()) {
			ksnprintf(args, sizeof(args), "%#llx, %#llx, %#llx, %#llx, %#llx, %#llx",
				  (unsigned long long)raw[0], (unsigned long long)raw[1], (unsigned long long)raw[2],
				  (unsigned long long)raw[3], (unsigned long long)raw[4], (unsigned long long)raw[5]);
			trace_emit(p, nr, syscall_name(nr) ? syscall_name(nr) : "syscall", args, &r, 0);
		}
		return r;
	}
	/* Shown as the handler sees them; read before the call: a read() fills its buffer, exit never returns. */
	for (int i = 0; i < SYS_ARGS; i++)
		a[i] = sys_arg_value(raw[i], (enum sys_arg)d->arg[i]);
	trace_args(d, a, args, sizeof(args));
	if (d->ret == SR_NORETURN)
		trace_emit(p, nr, syscall_name(nr), args, NULL, 0);
	r = fn(raw[0], raw[1], raw[2], raw[3], raw[4], raw[5]);
	trace_emit(p, nr, syscall_name(nr), args, &r, d->ret == SR_HEX);
	return r;
}

/*
 * What exit_to_user would do after a call: deliver a signal or end the
 * thread (signal_work), put back a mask (sigsuspend, ppoll), turn a
 * -ERESTART* result (which must not reach ring 3) into a restart or -EINTR,
 * free finished threads. Zero: signal_deliver would find nothing to do
 * (Linux's exit_to_user_mode_loop tests its TIF flags for the same reason).
 */
static inline uint64_t user_work(const struct thread *t, const struct trap_frame *tf)
{
	uint64_t restart = (uint64_t)((long)tf->rax + ERESTARTNOHAND) <= ERESTARTNOHAND - ERESTARTSYS;

	return signal_work(t, t->proc) | (uint64_t)t->restore_mask | restart | (uint64_t)(proc_dead_threads != NULL);
}

/*
 * Everything the end of a call may have to do, as one word tested once:
 * the watchdog's work (a timed call, an out-of-memory kill), a return
 * address past the user half, and user_work. No branch until the test.
 */
static inline uint64_t syscall_exit_work(const struct thread *t, const struct trap_frame *tf)
{
	return sysguard_work(t) | (uint64_t)(tf->rip >= USER_END) | user_work(t, tf);
}

/* The end of a call for which syscall_exit_work found something. */
static __attribute__((noinline)) void syscall_exit_slow(struct thread *t, struct trap_frame *tf)
{
	if (sysguard_work(t))
		sysguard_exit(t, tf); /* an out-of-memory kill does not return */
	/*
	 * SYSCALL from the last bytes of the user half leaves RCX at USER_END,
	 * which is not canonical: ret_to_user would take IRETQ, and IRETQ raises
	 * #GP in ring 0 for it on real CPUs. Linux answers with SIGSEGV; so do we.
	 */
	if (tf->rip >= USER_END) {
		uint64_t ret = tf->rip;

		tf->rip -= SYSCALL_INSN_LEN; /* report the SYSCALL instruction, and where it would return to */
		ufault_kill(tf, SIGSEGV, ret, "return to a non-canonical address");
	}
	if (user_work(t, tf))
		exit_to_user(tf);
	else
		t->syscall_nr = -1;
}

/*
 * The common path, which every getpid takes: no function call but the
 * handler's (thread_current, the table lookup, the watchdog's stamp, the
 * tracing test and the exit test are all inline, and what they find to do
 * is out of line), because under QEMU TCG each call, return and branch is a
 * translation block, and they made up most of a short call's cost.
 */
void syscall_dispatch(struct trap_frame *tf)
{
	struct thread *t = thread_current();
	uint64_t nr = tf->rax;
	const struct syscall_desc *d = nr < SYSCALL_NR ? &syscall_table[nr] : NULL;
	sys_fn fn = d ? syscall_handler(d) : NULL;
	long r;

	t->syscalls++;
	t->tf = tf;
	t->syscall_nr = (long)nr; /* for signal delivery's restart decision */
	sysguard_enter(t, nr);
	if (__builtin_expect(fn && !tracing(), 1))
		r = fn(tf->rdi, tf->rsi, tf->rdx, tf->r10, tf->r8, tf->r9);
	else
		r = dispatch_slow(t, tf, nr, d, fn);
	tf->rax = (uint64_t)r;
	/* syscall_entry goes on past ret_to_user's call of exit_to_user: it is done here, when needed. */
	if (__builtin_expect(syscall_exit_work(t, tf) != 0, 0))
		syscall_exit_slow(t, tf);
	else
		t->syscall_nr = -1;
}

/* The frame the call came in with: signal_return rewrites it whole, and its RAX is the result. */
long sys_rt_sigreturn(void)
{
	return signal_return(thread_current()->tf);
}
