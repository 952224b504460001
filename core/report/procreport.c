/* SPDX-License-Identifier: MIT */
/*
 * procreport.c - what a process looked like when it ended: seed 001's
 * /proc/PID/maps view and seed 004's `pmap -x` table, with RSS and Dirty
 * read from the present and dirty bits of its page tables.
 */
#include "procreport.h"

#include "heap.h"
#include "json.h"
#include "kernel.h"
#include "proc.h"
#include "procfs.h"
#include "record.h"

/* Longest line: a maps line with a full-width prefix (72) and a name (VMA_NAME, escaped up to 4x). */
#define PROC_REPORT_LINE (80 + 4 * VMA_NAME)

size_t proc_maps_text(struct proc *p, char *buf, size_t size)
{
	return procfs_maps(p->uvm->vmas, buf, size);
}

size_t proc_pmap_text(struct proc *p, char *buf, size_t size)
{
	return procfs_pmap_x(p->uvm->vmas, p->pid, p->path, uvm_usage, p->uvm, buf, size);
}

char *proc_text_alloc(size_t (*fmt)(struct proc *, char *, size_t), struct proc *p)
{
	size_t need = fmt(p, NULL, 0);
	char *buf = kmalloc(need + 1);

	if (buf)
		fmt(p, buf, need + 1);
	return buf;
}

void print_lines(const char *text)
{
	while (*text) {
		const char *nl = text;

		while (*nl && *nl != '\n')
			nl++;
		kprintf("%.*s\n", (int)(nl - text), text);
		text = *nl ? nl + 1 : nl;
	}
}

/*
 * The maps and pmap -x text one area at a time, through a buffer on the
 * stack: the report of a process that died because memory ran out must not
 * need memory (it used to say "no memory for the report" and count a failed
 * kmalloc against the heap).
 */
static void print_maps(struct proc *p)
{
	char line[PROC_REPORT_LINE];

	for (const struct vma *v = vma_first(p->uvm->vmas); v; v = vma_next(v)) {
		procfs_maps_line(v, line, sizeof(line));
		print_lines(line);
	}
}

static void print_pmap(struct proc *p)
{
	char line[PROC_REPORT_LINE];
	struct pmap_totals t = { 0, 0, 0 };

	procfs_pmap_header(p->pid, p->path, line, sizeof(line));
	print_lines(line);
	for (const struct vma *v = vma_first(p->uvm->vmas); v; v = vma_next(v)) {
		struct vma_usage use;

		uvm_usage(v, &use, p->uvm);
		procfs_pmap_row(v, &use, &t, line, sizeof(line));
		print_lines(line);
	}
	procfs_pmap_total(&t, line, sizeof(line));
	print_lines(line);
}

void proc_report_exit(struct proc *p)
{
	struct jrec r;

	if (p->quiet)
		return;
	if (report_human()) {
		if (p->signal)
			kprintf("\npid %d (%s) killed by %s: %s\n", p->pid, p->name, signal_name(p->signal), p->cause);
		else
			kprintf("\npid %d (%s) exited with status %d\n", p->pid, p->name, p->exit_code);
		kprintf("/proc/%d/maps at exit:\n", p->pid);
		print_maps(p);
		kprintf("pmap -x %d:\n", p->pid);
		print_pmap(p);
	}
	if (!report_json())
		return;
	for (const struct vma *v = vma_first(p->uvm->vmas); v; v = vma_next(v)) {
		struct vma_usage use;
		int tid;
		char name[24], perm[5] = { v->prot & VM_READ ? 'r' : '-', v->prot & VM_WRITE ? 'w' : '-',
					   v->prot & VM_EXEC ? 'x' : '-', 'p', 0 };

		uvm_usage(v, &use, p->uvm);
		jrec_begin(&r, "maps");
		jrec_u64(&r, "pid", (uint64_t)p->pid);
		jrec_hex(&r, "start", v->start);
		jrec_hex(&r, "end", v->end);
		jrec_str(&r, "perm", perm);
		jrec_u64(&r, "rss_kb", use.rss >> 10);
		jrec_u64(&r, "dirty_kb", use.dirty >> 10);
		/* Atlas's own view keeps the label Linux 6 dropped from /proc/PID/maps (seed 003). */
		tid = v->kind == VMA_ANON ? uvm_stack_tid(p->uvm, v) : 0;
		if (tid)
			ksnprintf(name, sizeof(name), "[stack:%d]", tid);
		jrec_str(&r, "name", tid ? name : v->name);
		report_emit(&r);
	}
	jrec_begin(&r, "exit");
	jrec_u64(&r, "pid", (uint64_t)p->pid);
	jrec_str(&r, "name", p->name);
	jrec_i64(&r, "code", p->exit_code);
	jrec_str(&r, "signal", p->signal ? signal_name(p->signal) : "");
	jrec_str(&r, "cause", p->cause);
	jrec_u64(&r, "syscalls", p->syscalls);
	jrec_u64(&r, "preemptions", p->preemptions);
	report_emit(&r);
}
