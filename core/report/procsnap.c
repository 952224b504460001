/* SPDX-License-Identifier: MIT */
/*
 * procsnap.c - keep a few finished processes' layouts for the pictures.
 *
 * The suite runs hundreds of processes and the screen has room for a
 * handful, so each exit is scored by how many different parts its layout
 * has (a program with heap, mmap and .bss teaches more than one without),
 * with programs the user asked for (run=, the monitor's run) ahead of the
 * built-in suite; one per program name, the user's latest run of it winning. A new snapshot replaces the lowest-scored
 * one only when it scores higher, so among equals the earliest stays.
 */
#include "procsnap.h"

#include "kstring.h"
#include "memlayout.h"
#include "paging.h"
#include "proc.h"
#include "procfs.h"
#include "uvm.h"

#define EXTRA_BONUS 16

static struct proc_snap snaps[PROCSNAP_MAX];
static int scores[PROCSNAP_MAX];
static size_t nsnaps;
static struct fault_snap faults[PROCSNAP_FAULTS];
static size_t nfaults;
static uint64_t total_faults, total_exits;
static int asked; /* procsnap_asked: the processes ending now were started by the user */

void procsnap_asked(int on)
{
	asked = on;
}

static const char *const seg_names[SEG_KINDS] = {
	[SEG_HEADERS] = "headers", [SEG_TEXT] = "text", [SEG_RODATA] = "rodata", [SEG_DATA] = "data",
	[SEG_BSS] = "bss",	   [SEG_HEAP] = "heap", [SEG_MMAP] = "mmap",	 [SEG_STACK] = "stack",
};

const char *seg_kind_name(enum seg_kind k)
{
	return k < SEG_KINDS ? seg_names[k] : "?";
}

static enum seg_kind image_kind(const struct vma *v)
{
	if (v->prot & VM_EXEC)
		return SEG_TEXT;
	if (v->prot & VM_WRITE)
		return SEG_DATA;
	return v->offset == 0 ? SEG_HEADERS : SEG_RODATA;
}

/* A part of the layout; its RSS is counted only if the snapshot is kept (fill_rss). */
static void add_seg(struct proc_snap *s, uint64_t start, uint64_t end, unsigned prot, enum seg_kind kind, int tid)
{
	struct seg_snap *g;

	if (s->nseg >= PROCSNAP_SEGS || start >= end)
		return;
	g = &s->seg[s->nseg++];
	g->start = start;
	g->end = end;
	g->prot = prot;
	g->kind = kind;
	g->tid = tid;
}

/*
 * The resident bytes of a kept snapshot's parts: a walk of the page tables
 * under each, done only for the exits the pictures keep (the score needs no
 * RSS), so that the hundredth run of the same program, or a fork child of a
 * large process, costs no walk over all its pages at exit.
 */
static void fill_rss(struct proc_snap *s, struct uvm *u)
{
	for (size_t i = 0; i < s->nseg; i++) {
		struct seg_snap *g = &s->seg[i];
		struct vma part = { .start = g->start, .end = g->end, .prot = g->prot };
		struct vma_usage use;

		uvm_usage(&part, &use, u);
		g->rss = use.rss;
	}
}

/* Split p's areas into seed 001's parts: the writable image area at .bss's first whole page. */
static void take(struct proc_snap *s, struct proc *p)
{
	struct uvm *u = p->uvm;

	memset(s, 0, sizeof(*s));
	s->pid = p->pid;
	s->signal = p->signal;
	s->exit_code = p->exit_code;
	s->extra = p->path[0] == '\\' || asked;
	kstrlcpy(s->name, p->name, sizeof(s->name));
	for (const struct vma *v = vma_first(u->vmas); v; v = vma_next(v)) {
		switch (v->kind) {
		case VMA_IMAGE: {
			enum seg_kind k = image_kind(v);
			uint64_t split = ALIGN_UP(u->bss_start, PAGE_SIZE);

			if (k == SEG_DATA && u->bss_start && split > v->start && split < v->end) {
				add_seg(s, v->start, split, v->prot, SEG_DATA, 0);
				add_seg(s, split, v->end, v->prot, SEG_BSS, 0);
			} else if (k == SEG_DATA && u->bss_start && split <= v->start) {
				add_seg(s, v->start, v->end, v->prot, SEG_BSS, 0);
			} else {
				add_seg(s, v->start, v->end, v->prot, k, 0);
			}
			break;
		}
		case VMA_HEAP:
			add_seg(s, v->start, v->end, v->prot, SEG_HEAP, 0);
			break;
		case VMA_STACK:
			add_seg(s, v->start, v->end, v->prot, SEG_STACK, 0);
			break;
		case VMA_ANON: {
			/* A thread's stack is an mmap area to the kernel; the picture names it as seed 003 asks. */
			int tid = uvm_stack_tid(u, v);

			add_seg(s, v->start, v->end, v->prot, tid ? SEG_STACK : SEG_MMAP, tid);
			break;
		}
		}
	}
}

static int score(const struct proc_snap *s)
{
	unsigned seen = 0;
	int n = 0;

	for (size_t i = 0; i < s->nseg; i++)
		seen |= 1u << s->seg[i].kind;
	for (int k = 0; k < SEG_KINDS; k++)
		n += (seen >> k) & 1;
	return n + (s->extra ? EXTRA_BONUS : 0);
}

static void note_fault(struct proc *p)
{
	struct fault_snap *f;

	total_faults += p->faults;
	if (!p->signal || nfaults >= PROCSNAP_FAULTS)
		return;
	f = &faults[nfaults++];
	f->pid = p->pid;
	f->signal = p->signal;
	kstrlcpy(f->name, p->name, sizeof(f->name));
	kstrlcpy(f->cause, p->cause, sizeof(f->cause));
}

void procsnap_note_exit(struct proc *p)
{
	static struct proc_snap cand;
	size_t slot = PROCSNAP_MAX;
	int sc;

	total_exits++;
	/* Faults, as the fault records count them: a kill() is not one, a fault its handler caught is. */
	if (p->faults)
		note_fault(p);
	take(&cand, p);
	sc = score(&cand);
	for (size_t i = 0; i < nsnaps; i++) {
		if (!strcmp(snaps[i].name, cand.name)) {
			/* The user's latest run of a program replaces its older picture. */
			if (sc <= scores[i] && !asked)
				return;
			slot = i; /* the same program, richer this time */
			break;
		}
	}
	if (slot == PROCSNAP_MAX && nsnaps < PROCSNAP_MAX)
		slot = nsnaps++;
	if (slot == PROCSNAP_MAX) {
		size_t low = 0;

		for (size_t i = 1; i < nsnaps; i++)
			if (scores[i] < scores[low])
				low = i;
		if (sc <= scores[low] && !asked)
			return;
		slot = low;
	}
	fill_rss(&cand, p->uvm);
	snaps[slot] = cand;
	scores[slot] = sc;
	/* Asked-for programs first (the screen may have room for only some), then pid order. */
	for (size_t i = 1; i < nsnaps; i++) {
		for (size_t j = i; j > 0 && (snaps[j - 1].extra < snaps[j].extra ||
					     (snaps[j - 1].extra == snaps[j].extra && snaps[j - 1].pid > snaps[j].pid));
		     j--) {
			struct proc_snap t = snaps[j];
			int ts = scores[j];

			snaps[j] = snaps[j - 1];
			scores[j] = scores[j - 1];
			snaps[j - 1] = t;
			scores[j - 1] = ts;
		}
	}
}

const struct proc_snap *procsnap_list(size_t *count)
{
	*count = nsnaps;
	return snaps;
}

const struct fault_snap *procsnap_faults(size_t *count, uint64_t *total)
{
	*count = nfaults;
	if (total)
		*total = total_faults;
	return faults;
}

uint64_t procsnap_exits(void)
{
	return total_exits;
}
