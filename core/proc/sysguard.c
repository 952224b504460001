/* SPDX-License-Identifier: MIT */
/*
 * sysguard.c - the system-call watchdog and the deferred out-of-memory kill.
 *
 * The watchdog. The kernel runs with interrupts off, and the LAPIC timer
 * preempts only ring 3, so nothing interrupts a system call that runs
 * away: there is no tick inside the kernel to notice it. Instead every call
 * whose cost can grow with its arguments is stamped with the TSC when it enters (and again whenever the process
 * runs again after blocking in it, so sleeping and yielding do not count),
 * and checked when it leaves: a call that kept the CPU longer than
 * watchdog= (default 1000 ms) is reported with the process, the call
 * number, its first three arguments and the time, as one line and a
 * {"rec":"watchdog"} record, and the process goes on.
 *
 * What it catches: any call that is slow but finishes (a walk over every
 * virtual page of a huge mapping, a copy looping over a huge length). What it
 * cannot catch: a call that never returns (an endless loop with interrupts
 * off hangs the machine; the boot tests' timeout is the witness there, and
 * the fuzzer's seed and call index reproduce it), nor time spent in page
 * faults taken from ring 3. An NMI watchdog (HPET or a performance counter
 * routed as NMI) would catch the first; Atlas does not program one yet.
 *
 * The deferred kill. A user copy inside a call that needs a demand page when
 * memory has run out fails with -EFAULT (mm marks the address space); the
 * process is then killed here, at the end of the call, with SIGKILL and the
 * same "out of memory" cause a fault from ring 3 gets. Killing it inside the
 * copy would strand whatever the call holds.
 */
#include "sysguard.h"

#include "json.h"
#include "kernel.h"
#include "memlayout.h"
#include "proc.h"
#include "record.h"
#include "tsc.h"
#include "x86.h"

static uint64_t reports;

void sysguard_resume(struct thread *t)
{
	if (t->sys_tsc)
		t->sys_tsc = rdtsc();
}

void sysguard_block(struct thread *t)
{
	if (t->sys_tsc)
		t->stime_ns += tsc_to_ns(rdtsc() - t->sys_tsc);
}

uint64_t sysguard_reports(void)
{
	return reports;
}

static void watchdog_report(const struct thread *t, const struct trap_frame *tf, uint64_t ms)
{
	const struct proc *p = t->proc;
	struct jrec r;

	reports++;
	if (report_human())
		kprintf("watchdog: pid %d (%s) spent %llu ms in system call %llu (0x%llx, 0x%llx, 0x%llx) = %lld, "
			"over the %u ms bound\n",
			p->pid, p->name, (unsigned long long)ms, (unsigned long long)t->sys_nr,
			(unsigned long long)tf->rdi, (unsigned long long)tf->rsi, (unsigned long long)tf->rdx,
			(long long)tf->rax, g_boot->opts.watchdog_ms);
	jrec_begin(&r, "watchdog");
	jrec_u64(&r, "pid", (uint64_t)p->pid);
	jrec_str(&r, "name", p->name);
	jrec_u64(&r, "tid", (uint64_t)t->tid);
	jrec_u64(&r, "nr", t->sys_nr);
	jrec_hex(&r, "a0", tf->rdi);
	jrec_hex(&r, "a1", tf->rsi);
	jrec_hex(&r, "a2", tf->rdx);
	jrec_i64(&r, "ret", (int64_t)tf->rax);
	jrec_u64(&r, "ms", ms);
	jrec_u64(&r, "bound_ms", g_boot->opts.watchdog_ms);
	report_emit(&r);
}

/* The bound in TSC ticks (0: off), worked out once: the exit path of every call only compares. */
static uint64_t bound_ticks(void)
{
	static uint64_t ticks, for_ms, for_hz;
	unsigned ms = g_boot->opts.watchdog_ms;

	if (ms != for_ms || tsc_hz() != for_hz) {
		for_ms = ms;
		for_hz = tsc_hz();
		ticks = for_hz ? ms * (for_hz / 1000) : 0;
	}
	return ticks;
}

void sysguard_exit(struct thread *t, struct trap_frame *tf)
{
	struct proc *p = t->proc;

	if (t->sys_tsc) {
		uint64_t bound = bound_ticks(), now = rdtsc(), spent = now - t->sys_tsc;

		/* System time, as times() and getrusage() report it: the LAPIC tick never lands in the kernel. */
		t->stime_ns += tsc_to_ns(spent);
		t->sys_tsc = 0; /* out of the call: schedule() counts nothing more */
		t->sys_exit_tsc = now;
		if (bound && spent > bound)
			watchdog_report(t, tf, tsc_to_ns(spent) / 1000000);
	}
	if (p->uvm && p->uvm->oom) {
		char cause[PROC_CAUSE];

		p->uvm->oom = 0;
		ksnprintf(cause, sizeof(cause), "out of memory (RSS %llu KiB) in system call %llu",
			  (unsigned long long)(p->uvm->pages * (PAGE_SIZE >> 10)), (unsigned long long)t->sys_nr);
		ufault_kill(tf, SIGKILL, 0, cause);
	}
}
