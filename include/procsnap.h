/* SPDX-License-Identifier: MIT */
/*
 * procsnap.h - what the layout screen remembers of finished processes: the
 * address-space layout (seed 001's text, rodata, data, bss, heap, mmap,
 * stack) with the resident bytes of each part, for a few processes chosen
 * for the variety of their layouts, and every fault the kernel caught.
 * Fixed-size tables: taking a snapshot never allocates.
 */
#ifndef ATLAS_PROCSNAP_H
#define ATLAS_PROCSNAP_H

#include <stddef.h>
#include <stdint.h>

#define PROCSNAP_MAX 6	   /* processes remembered for the pictures */
#define PROCSNAP_SEGS 16   /* parts per process; the rest are dropped */
#define PROCSNAP_FAULTS 32 /* faults remembered (all are counted) */
#define PROCSNAP_NAME 32
#define PROCSNAP_CAUSE 96

enum seg_kind {
	SEG_HEADERS, /* read-only image segment holding the ELF header */
	SEG_TEXT,
	SEG_RODATA,
	SEG_DATA,
	SEG_BSS,
	SEG_HEAP,
	SEG_MMAP,
	SEG_STACK,
	SEG_KINDS
};

struct seg_snap {
	uint64_t start, end; /* [start, end), page aligned */
	uint64_t rss;	     /* bytes present */
	unsigned prot;	     /* VM_READ | VM_WRITE | VM_EXEC */
	enum seg_kind kind;
	int tid; /* SEG_STACK of a thread made by clone: its tid (labelled "stack:TID"); 0 otherwise */
};

struct proc_snap {
	int pid;
	int signal; /* 0: exited with exit_code */
	int exit_code;
	int extra; /* from run= or \atlas\bin, not the built-in suite */
	char name[PROCSNAP_NAME];
	size_t nseg;
	struct seg_snap seg[PROCSNAP_SEGS];
};

struct fault_snap {
	int pid;
	int signal;
	char name[PROCSNAP_NAME];
	char cause[PROCSNAP_CAUSE];
};

struct proc;

/* An exit hook (proc_add_exit_hook): remember p as it ends, before its address space is torn down. */
void procsnap_note_exit(struct proc *p);

/* The remembered processes, in pid order; *count gets how many. */
const struct proc_snap *procsnap_list(size_t *count);

/* The remembered faults, oldest first; *count gets how many; returns the total ever caught. */
const struct fault_snap *procsnap_faults(size_t *count, uint64_t *total);

/* Processes that ended, in all. */
uint64_t procsnap_exits(void);
/*
 * While on, ending processes count as asked for by the user (the monitor's
 * run): their pictures replace older ones and come first, so the monitor's
 * `screen` shows what was just run.
 */
void procsnap_asked(int on);

/* "text", "rodata", ... */
const char *seg_kind_name(enum seg_kind k);

#endif
