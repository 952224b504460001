/* SPDX-License-Identifier: MIT */
/*
 * syscall.c - one system call, from the table (include/syscall.h): convert
 * the arguments as Linux declares them, run the handler, say -ENOSYS once
 * per number for the rest, and with log=syscalls tell the call and its
 * result, strace-style.
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

/*
 * The one place an argument's declared type is applied: Linux reads an
 * argument declared int (or unsigned int, umode_t) from the low bits of its
 * register whatever the upper ones hold. glibc loads AT_FDCWD with
 * `mov $0xffffff9c, %edi`, which zero-extends: as an int it is -100.
 */
static uint64_t convert(uint64_t raw, enum sys_arg t)
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

void syscall_dispatch(struct trap_frame *tf)
{
	struct thread *t = thread_current();
	struct proc *p = t->proc;
	uint64_t nr = tf->rax, raw[SYS_ARGS] = { tf->rdi, tf->rsi, tf->rdx, tf->r10, tf->r8, tf->r9 }, a[SYS_ARGS];
	const struct syscall_desc *d = nr < SYSCALL_NR ? &syscall_table[nr] : NULL;
	sys_fn fn = d ? syscall_handler(d) : NULL;
	char args[TRACE_ARGS_MAX];
	long r;

	t->syscalls++;
	t->tf = tf;
	t->syscall_nr = (long)nr; /* for signal delivery's restart decision */
	sysguard_enter(t, nr);
	if (!fn) {
		r = unknown(p, nr);
		if (tracing()) {
			ksnprintf(args, sizeof(args), "%#llx, %#llx, %#llx, %#llx, %#llx, %#llx",
				  (unsigned long long)raw[0], (unsigned long long)raw[1], (unsigned long long)raw[2],
				  (unsigned long long)raw[3], (unsigned long long)raw[4], (unsigned long long)raw[5]);
			trace_emit(p, nr, syscall_name(nr) ? syscall_name(nr) : "syscall", args, &r, 0);
		}
	} else {
		for (int i = 0; i < SYS_ARGS; i++)
			a[i] = convert(raw[i], d->arg[i]);
		/* Arguments are read before the call: a read() fills its buffer, exit never returns. */
		if (tracing())
			trace_args(d, a, args, sizeof(args));
		if (tracing() && d->ret == SR_NORETURN)
			trace_emit(p, nr, syscall_name(nr), args, NULL, 0);
		r = fn(a);
		if (tracing())
			trace_emit(p, nr, syscall_name(nr), args, &r, d->ret == SR_HEX);
	}
	tf->rax = (uint64_t)r;
	sysguard_exit(t, tf); /* the watchdog; an out-of-memory kill does not return */
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
}

/* The frame the call came in with: signal_return rewrites it whole, and its RAX is the result. */
long sys_rt_sigreturn(void)
{
	return signal_return(thread_current()->tf);
}
