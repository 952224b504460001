/* SPDX-License-Identifier: MIT */
/*
 * trap.c - what happens when the CPU raises an exception in the kernel: a
 * report with everything needed to find the cause, then panic.
 *
 * The report names the region the faulting address lies in (from the
 * kernel's region table, so "guard page below kernel stack 3 (#DF)" or "null
 * guard" rather than a bare number), decodes the error code, and walks the
 * frame-pointer chain with symbol names from the kernel's own symbol table.
 * #DF, NMI and #MC run on IST stacks of their own: a kernel stack overflow
 * faults on the guard page, the CPU cannot push the #PF frame onto the full
 * stack, and the resulting #DF lands on a good stack with a report.
 */
#include "trap.h"
#include "efirt.h"
#include "json.h"
#include "kernel.h"
#include "kerrno.h"
#include "kstring.h"
#include "ksyms.h"
#include "kvm.h"
#include "lapic.h"
#include "memlayout.h"
#include "proc.h"
#include "report.h"
#include "uaccess.h"
#include "x86.h"

#define BACKTRACE_MAX 16

static const char *const names[NUM_EXCEPTIONS] = {
	"#DE divide error",
	"#DB debug",
	"NMI",
	"#BP breakpoint",
	"#OF overflow",
	"#BR bound range exceeded",
	"#UD invalid opcode",
	"#NM device not available",
	"#DF double fault",
	"coprocessor segment overrun",
	"#TS invalid TSS",
	"#NP segment not present",
	"#SS stack-segment fault",
	"#GP general protection",
	"#PF page fault",
	"reserved (15)",
	"#MF x87 floating-point error",
	"#AC alignment check",
	"#MC machine check",
	"#XM SIMD floating-point error",
	"#VE virtualization exception",
	"#CP control protection",
	"reserved (22)",
	"reserved (23)",
	"reserved (24)",
	"reserved (25)",
	"reserved (26)",
	"reserved (27)",
	"#HV hypervisor injection",
	"#VC VMM communication",
	"#SX security exception",
	"reserved (31)",
};

/* Selector error code bits (SDM Vol. 3A 6.13). */
#define SEL_EXT (1U << 0)
#define SEL_IDT (1U << 1)
#define SEL_TI (1U << 2)
#define SEL_INDEX_SHIFT 3

#define VEC_PF 14
#define VEC_GP 13

extern const char ret_to_user_iret[];

const char *trap_name(unsigned v)
{
	if (v == VEC_SYSCALL)
		return "SYSCALL";
	return v < NUM_EXCEPTIONS ? names[v] : "interrupt";
}

int trap_init_ist(void)
{
	static const struct {
		unsigned vector, ist;
		const char *name;
	} ist[] = { { VEC_DF, IST_DF, "#DF" },
		    { VEC_NMI, IST_NMI, "NMI" },
		    { VEC_MC, IST_MC, "#MC" },
		    { VEC_DB, IST_DB, "#DB" } };

	for (size_t i = 0; i < ARRAY_SIZE(ist); i++) {
		uint64_t top;
		int slot = kstack_alloc(ist[i].name, &top);

		if (slot < 0)
			return slot;
		tss_set_ist(ist[i].ist, top);
		idt_set_ist(ist[i].vector, ist[i].ist);
	}
	return 0;
}

void trap_decode_error(const struct trap_frame *tf, char *buf, size_t size)
{
	unsigned e = (unsigned)tf->error;

	switch (tf->vector) {
	case VEC_PF:
		ksnprintf(buf, size, "%s, %s access, %s mode%s%s%s%s",
			  e & PFERR_P ? "protection violation" : "page not present",
			  e & PFERR_I ? "instruction fetch" :
			  e & PFERR_W ? "write" :
					"read",
			  e & PFERR_U ? "user" : "supervisor", e & PFERR_RSVD ? ", reserved bit set in an entry" : "",
			  e & PFERR_PK ? ", protection key" : "", e & PFERR_SS ? ", shadow stack" : "", "");
		break;
	case 10: /* #TS */
	case 11: /* #NP */
	case 12: /* #SS */
	case 13: /* #GP */
	case 17: /* #AC */
		if (!e) {
			kstrlcpy(buf, tf->vector == 13 ? "no selector (e.g. a non-canonical address)" : "no selector",
				 size);
			break;
		}
		ksnprintf(buf, size, "selector index %u in the %s%s", e >> SEL_INDEX_SHIFT,
			  e & SEL_IDT ? "IDT" :
			  e & SEL_TI  ? "LDT" :
					"GDT",
			  e & SEL_EXT ? ", external event" : "");
		break;
	default:
		kstrlcpy(buf, tf->error ? "see the SDM for this vector" : "none", size);
	}
}

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

/*
 * A fault at the user-copy instruction: first let the process's address
 * space satisfy it (demand paging, stack growth), else return -EFAULT from
 * the copy. Returns 1 when handled.
 */
static int uaccess_fault(struct trap_frame *tf)
{
	uint64_t fixup = uaccess_fixup_for(tf->rip);
	struct proc *p = proc_current();
	char cause[PROC_CAUSE];

	if (!fixup || (tf->vector != VEC_PF && tf->vector != VEC_GP))
		return 0;
	if (tf->vector == VEC_PF && p && read_cr2() < USER_END) {
		int r = uvm_fault(&p->uvm, read_cr2(), tf->error, cause, sizeof(cause));

		if (r == 0)
			return 1;
		if (r == -ENOMEM)
			p->uvm.oom = 1; /* the copy fails with -EFAULT; the process dies when the syscall ends */
	}
	tf->rip = fixup;
	return 1;
}

void trap_dispatch(struct trap_frame *tf)
{
	char err[96], region[64], sym[KSYM_NAME_MAX + 24];
	const char *what;
	uint64_t addr;
	struct jrec r;

	if (tf->vector == VEC_TIMER) {
		lapic_tick();
		lapic_eoi();
		proc_tick(tf);
		return;
	}
	if (tf->vector == VEC_SPURIOUS)
		return; /* no EOI for a spurious interrupt */
	if (tf_from_user(tf)) {
		ufault(tf);
		return;
	}
	/* IRETQ refused the frame it was returning to ring 3 with: the process's fault, not the kernel's. */
	if (tf->rip == (uint64_t)ret_to_user_iret && tf->vector != VEC_NMI && tf->vector != VEC_MC)
		ufault_bad_return(tf);
	/*
	 * A single-step trap in ring 0: TF leaked in from ring 3 (the kernel
	 * never sets it). Stop stepping and go on.
	 */
	if (tf->vector == VEC_DB) {
		tf->rflags &= ~RFLAGS_TF;
		return;
	}
	if (uaccess_fault(tf))
		return;
	if (efirt_in_call())
		efirt_fault();
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
