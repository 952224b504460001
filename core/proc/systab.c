/* SPDX-License-Identifier: MIT */
/*
 * systab.c - the system-call table and the dispatcher. The table is built
 * from include/systab.def: one wrapper per call converts the six argument
 * registers to the handler's parameter types (an int argument is truncated
 * to 32 bits here and only here), and one entry names it for the log and
 * the -ENOSYS record.
 */
#include "syscalls.h"

#include "json.h"
#include "kernel.h"
#include "kerrno.h"
#include "memlayout.h"
#include "options.h"
#include "proc.h"
#include "record.h"
#include "sched.h"
#include "signal.h"
#include "x86.h"

#define SYSCALL_INSN_LEN 2 /* 0F 05 */

#define CV_INT(v) ((int)(v))
#define CV_FD(v) ((int)(v))
#define CV_UINT(v) ((unsigned)(v))
#define CV_OCT(v) ((unsigned)(v))
#define CV_LONG(v) ((int64_t)(v))
#define CV_ULONG(v) (v)
#define CV_SIZE(v) (v)
#define CV_PTR(v) (v)
#define CV_STR(v) (v)
#define CV_HEX(v) (v)

#define SC0(nr, name)                           \
	static long w_##name(const uint64_t *a) \
	{                                       \
		(void)a;                        \
		return sys_##name();            \
	}
#define SC1(nr, name, k0)                         \
	static long w_##name(const uint64_t *a)   \
	{                                         \
		return sys_##name(CV_##k0(a[0])); \
	}
#define SC2(nr, name, k0, k1)                                    \
	static long w_##name(const uint64_t *a)                  \
	{                                                        \
		return sys_##name(CV_##k0(a[0]), CV_##k1(a[1])); \
	}
#define SC3(nr, name, k0, k1, k2)                                               \
	static long w_##name(const uint64_t *a)                                 \
	{                                                                       \
		return sys_##name(CV_##k0(a[0]), CV_##k1(a[1]), CV_##k2(a[2])); \
	}
#define SC4(nr, name, k0, k1, k2, k3)                                                          \
	static long w_##name(const uint64_t *a)                                                \
	{                                                                                      \
		return sys_##name(CV_##k0(a[0]), CV_##k1(a[1]), CV_##k2(a[2]), CV_##k3(a[3])); \
	}
#define SC5(nr, name, k0, k1, k2, k3, k4)                                                                     \
	static long w_##name(const uint64_t *a)                                                               \
	{                                                                                                     \
		return sys_##name(CV_##k0(a[0]), CV_##k1(a[1]), CV_##k2(a[2]), CV_##k3(a[3]), CV_##k4(a[4])); \
	}
#define SC6(nr, name, k0, k1, k2, k3, k4, k5)                                                                \
	static long w_##name(const uint64_t *a)                                                              \
	{                                                                                                    \
		return sys_##name(CV_##k0(a[0]), CV_##k1(a[1]), CV_##k2(a[2]), CV_##k3(a[3]), CV_##k4(a[4]), \
				  CV_##k5(a[5]));                                                            \
	}
#include "systab.def"
#undef SC0
#undef SC1
#undef SC2
#undef SC3
#undef SC4
#undef SC5
#undef SC6

#define SC0(nr, name) [nr] = { #name, w_##name, 0, { 0 } },
#define SC1(nr, name, a) [nr] = { #name, w_##name, 1, { K_##a } },
#define SC2(nr, name, a, b) [nr] = { #name, w_##name, 2, { K_##a, K_##b } },
#define SC3(nr, name, a, b, c) [nr] = { #name, w_##name, 3, { K_##a, K_##b, K_##c } },
#define SC4(nr, name, a, b, c, d) [nr] = { #name, w_##name, 4, { K_##a, K_##b, K_##c, K_##d } },
#define SC5(nr, name, a, b, c, d, e) [nr] = { #name, w_##name, 5, { K_##a, K_##b, K_##c, K_##d, K_##e } },
#define SC6(nr, name, a, b, c, d, e, f) [nr] = { #name, w_##name, 6, { K_##a, K_##b, K_##c, K_##d, K_##e, K_##f } },
static const struct sysent table[SYS_NR_MAX] = {
#include "systab.def"
};

static uint64_t logged_unknown[SYS_NR_MAX / 64];

const struct sysent *sys_entry(uint64_t nr)
{
	return nr < SYS_NR_MAX && table[nr].fn ? &table[nr] : NULL;
}

/* Unknown numbers: -ENOSYS, said once per number (numbers past the table share one slot). */
static long unknown(uint64_t nr)
{
	struct proc *p = proc_current();
	uint64_t slot = nr < SYS_NR_MAX ? nr : SYS_NR_MAX - 1;
	struct jrec r;

	if (logged_unknown[slot / 64] & (1ULL << (slot % 64)))
		return -ENOSYS;
	logged_unknown[slot / 64] |= 1ULL << (slot % 64);
	if (report_human())
		kprintf("syscall %llu (from %s, pid %d) is not implemented: -ENOSYS\n", (unsigned long long)nr, p->name,
			p->pid);
	jrec_begin(&r, "enosys");
	jrec_u64(&r, "nr", nr);
	jrec_u64(&r, "pid", (uint64_t)p->pid);
	jrec_str(&r, "name", p->name);
	report_emit(&r);
	return -ENOSYS;
}

void syscall_dispatch(struct trap_frame *tf)
{
	struct thread *t = thread_current();
	uint64_t nr = tf->rax, a[6] = { tf->rdi, tf->rsi, tf->rdx, tf->r10, tf->r8, tf->r9 };
	const struct sysent *e = sys_entry(nr);
	long r;

	t->syscalls++;
	t->tf = tf;
	t->syscall_nr = (long)nr;
	r = e ? e->fn(a) : unknown(nr);
	if (g_boot->opts.log == LOG_SYSCALLS)
		systrace_log(nr, e, a, r);
	tf->rax = (uint64_t)r;
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

long sys_rt_sigreturn(void)
{
	return signal_return(thread_current()->tf);
}
