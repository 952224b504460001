/* SPDX-License-Identifier: MIT */
/*
 * kfault.c - what a CPU exception in the kernel ends in: a report with
 * everything needed to find the cause, then panic. trap_dispatch hands it
 * every ring-0 exception no fixup claimed (kmain installs it first thing).
 *
 * The report names the region the faulting address lies in (from the
 * kernel's region table, so "guard page below kernel stack 3 (#DF)" or "null
 * guard" rather than a bare number), decodes the error code, and walks the
 * frame-pointer chain with symbol names from the kernel's own symbol table.
 * #DF, NMI and #MC run on IST stacks of their own: a kernel stack overflow
 * faults on the guard page, the CPU cannot push the #PF frame onto the full
 * stack, and the resulting #DF lands on a good stack with a report.
 */
#include "kfault.h"

#include "json.h"
#include "kernel.h"
#include "ksyms.h"
#include "kvm.h"
#include "memlayout.h"
#include "panic.h"
#include "record.h"
#include "trap.h"
#include "x86.h"

#define BACKTRACE_MAX 16

/* The address this exception is about, and what to call it. */
static uint64_t fault_address(const struct trap_frame *tf, const char **what)
{
	if (tf->vector == VEC_PF) {
		*what = "CR2";
		return read_cr2();
	}
	if (tf->vector == VEC_DF) {
		/* The interrupted RSP: for a stack overflow, inside the guard page. */
		*what = "RSP";
		return tf->rsp;
	}
	*what = "RIP";
	return tf->rip;
}

static void backtrace(uint64_t rip, uint64_t rbp)
{
	char sym[KSYM_NAME_MAX + 24];
	uint64_t last = 0, repeats = 0;

	kprintf("    backtrace:\n      %016llx %s\n", (unsigned long long)rip, ksym_format(rip, sym, sizeof(sym)));
	for (int i = 0; i < BACKTRACE_MAX && rbp; i++) {
		const uint64_t *frame = (const uint64_t *)(uintptr_t)rbp;
		uint64_t ret;

		/* Follow only frames on a mapped, aligned kernel stack address. */
		if ((rbp & 7) || rbp < KERNEL_HALF || !pt_query(kvm_pt(), rbp, &(struct pt_walk){ 0 }) ||
		    !pt_query(kvm_pt(), rbp + 8, &(struct pt_walk){ 0 }))
			break;
		ret = frame[1];
		if (!ret)
			break;
		/* Deep recursion: one line per distinct caller, then a count. */
		if (ret == last) {
			repeats++;
			i--;
		} else {
			if (repeats)
				kprintf("      ... the frame above repeated %llu more times\n",
					(unsigned long long)repeats);
			repeats = 0;
			kprintf("      %016llx %s\n", (unsigned long long)ret, ksym_format(ret - 1, sym, sizeof(sym)));
		}
		last = ret;
		if (frame[0] <= rbp)
			break;
		rbp = frame[0];
	}
	if (repeats)
		kprintf("      ... the frame above repeated %llu more times\n", (unsigned long long)repeats);
}

void kfault_report(struct trap_frame *tf)
{
	char err[96], region[64], sym[KSYM_NAME_MAX + 24];
	const char *what;
	uint64_t addr;
	struct jrec r;

	addr = fault_address(tf, &what);
	kvm_describe(addr, region, sizeof(region));
	trap_decode_error(tf, err, sizeof(err));
	kprintf("\n*** kernel exception %llu: %s\n", (unsigned long long)tf->vector, trap_name(tf->vector));
	kprintf("    error code 0x%llx: %s\n", (unsigned long long)tf->error, err);
	kprintf("    %s 0x%016llx: %s\n", what, (unsigned long long)addr, region);
	if (kstack_slot_of(addr) >= 0 && addr < KSTACK_BOTTOM(kstack_slot_of(addr)))
		kprintf("    kernel stack overflow: kernel stack %d ran into its guard page\n", kstack_slot_of(addr));
	kprintf("    at %s\n", ksym_format(tf->rip, sym, sizeof(sym)));
	kprintf("    RIP %04llx:%016llx  RSP %04llx:%016llx  RFLAGS %016llx  CR3 %016llx\n", (unsigned long long)tf->cs,
		(unsigned long long)tf->rip, (unsigned long long)tf->ss, (unsigned long long)tf->rsp,
		(unsigned long long)tf->rflags, (unsigned long long)read_cr3());
	kprintf("    RAX %016llx RBX %016llx RCX %016llx RDX %016llx\n", (unsigned long long)tf->rax,
		(unsigned long long)tf->rbx, (unsigned long long)tf->rcx, (unsigned long long)tf->rdx);
	kprintf("    RSI %016llx RDI %016llx RBP %016llx R8  %016llx\n", (unsigned long long)tf->rsi,
		(unsigned long long)tf->rdi, (unsigned long long)tf->rbp, (unsigned long long)tf->r8);
	kprintf("    R9  %016llx R10 %016llx R11 %016llx R12 %016llx\n", (unsigned long long)tf->r9,
		(unsigned long long)tf->r10, (unsigned long long)tf->r11, (unsigned long long)tf->r12);
	kprintf("    R13 %016llx R14 %016llx R15 %016llx\n", (unsigned long long)tf->r13, (unsigned long long)tf->r14,
		(unsigned long long)tf->r15);
	/* A #DF's saved RBP belongs to the overflowed stack, which is still mapped above the guard. */
	backtrace(tf->rip, tf->rbp);

	jrec_begin(&r, "kfault");
	jrec_u64(&r, "vector", tf->vector);
	jrec_str(&r, "name", trap_name(tf->vector));
	jrec_hex(&r, "error", tf->error);
	jrec_str(&r, "decoded", err);
	jrec_str(&r, "addr_kind", what);
	jrec_hex(&r, "addr", addr);
	jrec_str(&r, "region", region);
	jrec_hex(&r, "rip", tf->rip);
	jrec_str(&r, "symbol", ksym_format(tf->rip, sym, sizeof(sym)));
	jrec_hex(&r, "rsp", tf->rsp);
	report_emit(&r);
	panic("trap: %s at %s (%s 0x%llx: %s)", trap_name(tf->vector), ksym_format(tf->rip, sym, sizeof(sym)), what,
	      (unsigned long long)addr, region);
}
