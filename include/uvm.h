/* SPDX-License-Identifier: MIT */
/*
 * uvm.h - a process's address space, laid out as seed 002 draws user space:
 *
 *   0 .. 0x400000            null guard, never mapped
 *   ELF segments             at their addresses with their p_flags
 *   [heap]                   brk, from the page after .bss (a static-PIE's
 *                            from USER_STATIC_PIE_BRK), grows up
 *   ...                      mmap area, placed top-down below mmap_top (a
 *                            static-PIE's segments at its top)
 *   [stack]                  ends at stack_top, grows down on demand to
 *                            USER_STACK_LIMIT; an unmapped guard page below
 *   stack_top .. 2^47        nothing
 *
 * stack_top, mmap_top and brk_start are the address space's own (struct
 * uvm_layout): memlayout.h's fixed values with aslr=off, randomized per exec
 * with aslr=on (core/proc/aslr.c chooses them); fork copies them.
 *
 * The kernel half of every process's PML4 is the kernel's own (shared PDPT
 * pages), and PML4[RECURSIVE_SLOT] points at the process's PML4. Heap, stack
 * and anonymous mappings are demand-zero: a page is allocated on first touch.
 */
#ifndef ATLAS_UVM_H
#define ATLAS_UVM_H

#include <stddef.h>
#include <stdint.h>

#include "elf64.h"
#include "paging.h"
#include "vma.h"

/* Words of the auxiliary vector kept for /proc/PID/auxv: up to 24 (type, value) pairs. */
#define UVM_AUXV_WORDS 48

/* Demand pages stop here: the kernel keeps this many free pages for itself (heap, page tables, stacks). */
#define UVM_RESERVE_PAGES 512

struct uvm {
	int refs; /* owners: a process, a vfork child sharing it until exec */
	struct pt pt;
	struct vma_list *vmas; /* kmalloc'd */
	int oom;	       /* a user copy in the kernel ran out of memory: kill at the syscall's end */
	uint64_t bss_start;    /* first byte of .bss (writable segment's vaddr + filesz), 0 without */
	uint64_t brk_start;    /* page after .bss */
	uint64_t brk;	       /* current break (byte granular, as the program sees it) */
	uint64_t pages;	       /* user pages currently allocated */
	uint64_t peak_vm;      /* largest total VMA size seen (VmPeak) */
	uint64_t peak_rss;     /* most pages resident at once (VmHWM), in bytes */
	uint64_t faults;       /* page faults served (minflt) */
	uint64_t arg_start, arg_end, env_start, env_end; /* argv and envp strings, set by uvm_setup_stack */
	uint64_t stack_start;				 /* argc's address: the initial RSP */
	uint64_t load_base;				 /* static-pie: where the image went (0 for ET_EXEC) */
	uint64_t stack_top;				 /* [stack] ends here */
	uint64_t stack_pad;		/* bytes between the strings and the vectors on the initial stack (aslr) */
	uint64_t mmap_top;		/* mmap areas are placed below this, top-down */
	int randomized;			/* the layout was randomized (aslr=on): /proc/PID/stat's PF_RANDOMIZE */
	uint64_t auxv[UVM_AUXV_WORDS];	/* the auxiliary vector exec gave (/proc/PID/auxv) */
	unsigned auxv_words;		/* words of it, AT_NULL's pair included */
	struct uvm_stack_label *stacks; /* threads' stacks (mm/uvm_stacks.c), kmalloc'd */
	unsigned nstacks, stacks_cap;
};

/* A thread's stack: the area holding addr (its first RSP - 1) was given to thread tid. */
struct uvm_stack_label {
	uint64_t addr;
	int tid;
};

/*
 * Where exec puts what ASLR may move, chosen before the address space is
 * built (core/proc/aslr.c): with aslr=off memlayout.h's fixed values.
 */
struct uvm_layout {
	uint64_t stack_top; /* page-aligned; at most USER_STACK_TOP */
	uint64_t stack_pad; /* randomized: bytes below the strings (then 16-byte aligned), < USER_STACK_PAD_MAX */
	uint64_t mmap_top;  /* page-aligned */
	uint64_t brk_start; /* page-aligned: where [heap] begins */
	int randomized;	    /* randomize_va_space's level used, 0 for the fixed layout */
};

/* Take l as u's layout: before uvm_load_elf and uvm_setup_stack. */
void uvm_set_layout(struct uvm *u, const struct uvm_layout *l);

/* A new empty address space with one reference, or NULL. */
struct uvm *uvm_new(void);
struct uvm *uvm_get(struct uvm *u);
/* Drop a reference; the last one destroys it (on the kernel's tables or another process's). */
void uvm_put(struct uvm *u);

/*
 * fork: a copy of u sharing every present page copy-on-write. Both sides'
 * writable pages become read-only; the first write copies the page (or, when
 * the writer is its last owner, just makes it writable again). No data page
 * is copied here. Returns the child's address space or NULL (-ENOMEM).
 * Flushes u's TLB entries.
 */
struct uvm *uvm_fork(struct uvm *u);

/*
 * Read n bytes at user address va of u (not necessarily the current
 * address space) through the direct map: /proc/PID/cmdline and environ.
 * Pages never touched read as zeroes. Returns 0 or -EFAULT (outside every area).
 */
int uvm_read_user(struct uvm *u, uint64_t va, void *dst, size_t n);
/* Write n bytes at va of u where pages are present and writable (CLONE_CHILD_CLEARTID). 0 or -EFAULT. */
int uvm_write_user(struct uvm *u, uint64_t va, const void *src, size_t n);

/*
 * A write fault on a present, read-only page of a writable area at va: the
 * copy-on-write case. Returns 0 (copied, or taken over) or -ENOMEM / -EFAULT.
 */
int uvm_cow(struct uvm *u, uint64_t va, unsigned prot);

/* Unmap [start, end) of u and free its pages (shared ones when their last owner goes) and the emptied tables; TLB
 * flushed. The VMA list is the caller's. mm/uvm*.c only. */
void uvm_release(struct uvm *u, uint64_t start, uint64_t end);
/* The overcommit policy for a new commitment of len bytes: 0 or -ENOMEM. mm/uvm*.c only. */
int uvm_overcommit_ok(uint64_t len);

/* The page at phys leaves u's page tables: free it unless another address space still shares it. */
void uvm_page_put(struct uvm *u, uint64_t phys);

/*
 * Create an empty address space. Returns 0 or -ENOMEM; the caller frees it
 * with uvm_destroy (also on later failures).
 */
int uvm_create(struct uvm *u);

/*
 * Return every user page, page-table page and the PML4 to the PMM, and the
 * areas to the heap: one pt_range walk, proportional to what was touched.
 * Safe on a half-built address space (after uvm_create failed, too). u must
 * not be in CR3 (nothing of it in the TLB): no page is flushed.
 */
void uvm_destroy(struct uvm *u);

/*
 * Map img's PT_LOAD segments from data (copied into fresh pages; .bss and the
 * tail of the last page zeroed) with their own permissions, named path; the
 * break starts where uvm_set_layout said. Returns 0, -ENOMEM (why says which
 * segment and why, e.g. the overcommit policy) or -EEXIST.
 */
/* Where uvm_load_elf_from gets file bytes: n bytes from offset off into dst. Returns 0 or a negative errno. */
typedef int (*uvm_read_fn)(void *ctx, uint64_t off, void *dst, size_t n);

/* A uvm_read_fn over memory: ctx is the file's first byte. */
int uvm_read_mem(void *ctx, uint64_t off, void *dst, size_t n);

/*
 * The same, reading each segment's file bytes through rd straight into the
 * fresh pages (exec reads them from the file itself: no copy of the whole
 * file). Also -EIO or rd's error when the bytes cannot be read.
 */
int uvm_load_elf_from(struct uvm *u, const struct elf_image *img, uvm_read_fn rd, void *ctx, const char *path,
		      char *why, size_t why_size);

int uvm_load_elf(struct uvm *u, const struct elf_image *img, const void *data, const char *path, char *why,
		 size_t why_size);

/*
 * Build the System V initial stack: argc, argv, envp, auxv (AT_PHDR, AT_PHENT,
 * AT_PHNUM, AT_PAGESZ, AT_ENTRY, AT_RANDOM, AT_EXECFN (execfn: the file name
 * execve was given; NULL: argv[0]), AT_NULL) and the
 * strings, in the [stack] area. argv/envp are NULL-terminated kernel arrays.
 * Returns 0 and the initial RSP in *rsp, or -E2BIG / -ENOMEM.
 */
int uvm_setup_stack(struct uvm *u, const struct elf_image *img, const char *const *argv, const char *const *envp,
		    const char *execfn, uint64_t *rsp);

/*
 * A page fault at addr (error code err, from the CPU) in this address space:
 * allocate a demand-zero page or grow the stack when the access is allowed.
 * Returns 0 when the access can now be retried, -EFAULT (cause gets the
 * reason in words: "null guard", "write to read-only [text]", ...) or
 * -ENOMEM when no page could be had (cause: "out of memory (RSS N KiB)"):
 * the caller kills the process with SIGKILL.
 */
int uvm_fault(struct uvm *u, uint64_t addr, uint64_t err, char *cause, size_t cause_size);

/*
 * mm/uvm_stacks.c: which areas are threads' stacks (seed 003: each thread's
 * stack is an area of its own, labelled with its tid in Atlas's own maps
 * records and pictures; /proc/PID/maps keeps Linux 6's format, without it).
 * clone notes the area holding a new thread's first RSP - 1; a later note
 * for an address in the same area replaces the label (a C library reusing a
 * cached stack for a new thread); unmapping a range forgets the labels in
 * it; fork's copy starts without any (the child has one thread, on the
 * stack its parent thread used). At most UVM_STACK_LABELS are kept (then
 * new threads go unlabelled). Notes may allocate; a failed allocation only
 * loses the label.
 */
#define UVM_STACK_LABELS 256
void uvm_note_thread_stack(struct uvm *u, uint64_t addr, int tid);
/* The tid whose stack v is (the latest noted in it), or 0. */
int uvm_stack_tid(const struct uvm *u, const struct vma *v);
/* [start, end) was unmapped: forget the labels inside it. */
void uvm_forget_stacks(struct uvm *u, uint64_t start, uint64_t end);
/* Free the labels (uvm_destroy). */
void uvm_free_stacks(struct uvm *u);

/* The brk syscall: returns the new break, or the old one when refused. */
uint64_t uvm_brk(struct uvm *u, uint64_t newbrk);

/*
 * mmap (anonymous, private) / munmap / mprotect / madvise: Linux's checks
 * and errno values, the overcommit policy above. madvise: MADV_DONTNEED and
 * MADV_FREE drop the pages (the next touch sees zeroes), the other advice
 * Linux knows is accepted and changes nothing, unknown advice is -EINVAL; a
 * range with unmapped pages is -ENOMEM after the mapped parts are done.
 */
long uvm_mmap(struct uvm *u, uint64_t addr, uint64_t len, int prot, int flags);
long uvm_munmap(struct uvm *u, uint64_t addr, uint64_t len);
long uvm_mprotect(struct uvm *u, uint64_t addr, uint64_t len, int prot);
long uvm_madvise(struct uvm *u, uint64_t addr, uint64_t len, int advice);

/* What /proc/PID/status shows (procfs_status); uvm_status fills the memory sizes. */
struct proc_status {
	const char *name; /* comm: program name without directories, at most 15 chars shown */
	int pid, ppid, tgid, pgid, sid;
	char state; /* 'R' running, 'S' sleeping, 'T' stopped, 'Z' zombie */
	unsigned umask;
	int fdsize; /* descriptor table slots */
	int has_mm; /* an address space to describe: without one (a zombie), no Vm*, CoreDumping, THP lines */
	uint64_t vm_peak, vm_size, vm_hwm, vm_rss, vm_data, vm_stk, vm_exe, vm_pte, rss_anon, rss_file; /* bytes */
	int threads;
	uint64_t sig_pnd, shd_pnd, sig_blk, sig_ign, sig_cgt;
	int no_new_privs;
	uint64_t voluntary, nonvoluntary;
};

/* What smaps says of one area (bytes; pss in bytes << PSS_SHIFT, as Linux keeps it). */
#define PSS_SHIFT 12
struct smaps_usage {
	uint64_t rss, pss, pss_dirty, shared_clean, shared_dirty, private_clean, private_dirty;
	uint64_t referenced, anonymous;
};

/*
 * smaps of area v: present pages only (empty page-table subtrees are
 * skipped, so an untouched area costs nothing), shared or private by their
 * owner count (mm/pageref.c), Pss dividing each page among its owners.
 */
void uvm_smaps(struct uvm *u, const struct vma *v, struct smaps_usage *out);

/* RSS and dirty bytes of one area, read from the present and dirty bits (procfs's vma_usage_fn). */
void uvm_usage(const struct vma *v, struct vma_usage *out, void *uvm);

/* Totals for /proc/PID/status. */
void uvm_status(struct uvm *u, struct proc_status *st);

/* The generic mapping flags (paging.h VM_*) for an area's prot: PROT_NONE pages keep their frame, unreachable. */
unsigned uvm_vm_flags(unsigned prot);

/* After [start, end) was made writable: write-protect again the frames fork shares (TLB flushed per page). */
void uvm_cow_protect(struct uvm *u, uint64_t start, uint64_t end);

/* Linux mmap constants the syscall layer passes through. */
#define LX_PROT_READ 0x1
#define LX_PROT_WRITE 0x2
#define LX_PROT_EXEC 0x4
#define LX_MAP_PRIVATE 0x02
#define LX_MAP_FIXED 0x10
#define LX_MAP_ANONYMOUS 0x20
#define LX_MAP_NORESERVE 0x4000
#define LX_MAP_FIXED_NOREPLACE 0x100000
#define LX_MADV_DONTNEED 4
#define LX_MADV_FREE 8

#endif
