/* SPDX-License-Identifier: MIT */
/*
 * uvm.h - a process's address space, laid out as seed 002 draws user space:
 *
 *   0 .. 0x400000            null guard, never mapped
 *   ELF segments             at their addresses with their p_flags
 *   [heap]                   brk, from the page after .bss, grows up
 *   ...                      mmap area, placed top-down below the stack gap
 *   [stack]                  top at USER_STACK_TOP, grows down on demand to
 *                            USER_STACK_LIMIT; an unmapped guard page below
 *   USER_STACK_TOP .. 2^47   nothing
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

/* Demand pages stop here: the kernel keeps this many free pages for itself (heap, page tables, stacks). */
#define UVM_RESERVE_PAGES 512

struct uvm {
	struct pt pt;
	struct vma_list *vmas; /* kmalloc'd */
	int oom;	       /* a user copy in the kernel ran out of memory: kill at the syscall's end */
	uint64_t bss_start;    /* first byte of .bss (writable segment's vaddr + filesz), 0 without */
	uint64_t brk_start;    /* page after .bss */
	uint64_t brk;	       /* current break (byte granular, as the program sees it) */
	uint64_t pages;	       /* user pages currently allocated */
	uint64_t peak_vm;      /* largest total VMA size seen (VmPeak) */
};

/*
 * Create an empty address space. Returns 0 or -ENOMEM; the caller frees it
 * with uvm_destroy (also on later failures).
 */
int uvm_create(struct uvm *u);

/*
 * Return every user page, page-table page and the PML4 to the PMM, and the
 * areas to the heap: one pt_range walk, proportional to what was touched.
 * Safe on a half-built address space (after uvm_create failed, too).
 */
void uvm_destroy(struct uvm *u);

/*
 * Map img's PT_LOAD segments from data (copied into fresh pages; .bss and the
 * tail of the last page zeroed) with their own permissions, named path, and
 * set the break after .bss. Returns 0, -ENOMEM (why says which segment and
 * why, e.g. the overcommit policy) or -EEXIST.
 */
int uvm_load_elf(struct uvm *u, const struct elf_image *img, const void *data, const char *path, char *why,
		 size_t why_size);

/*
 * Build the System V initial stack: argc, argv, envp, auxv (AT_PHDR, AT_PHENT,
 * AT_PHNUM, AT_PAGESZ, AT_ENTRY, AT_RANDOM, AT_EXECFN, AT_NULL) and the
 * strings, in the [stack] area. argv/envp are NULL-terminated kernel arrays.
 * Returns 0 and the initial RSP in *rsp, or -E2BIG / -ENOMEM.
 */
int uvm_setup_stack(struct uvm *u, const struct elf_image *img, const char *const *argv, const char *const *envp,
		    uint64_t *rsp);

/*
 * A page fault at addr (error code err, from the CPU) in this address space:
 * allocate a demand-zero page or grow the stack when the access is allowed.
 * Returns 0 when the access can now be retried, -EFAULT (cause gets the
 * reason in words: "null guard", "write to read-only [text]", ...) or
 * -ENOMEM when no page could be had (cause: "out of memory (RSS N KiB)"):
 * the caller kills the process with SIGKILL.
 */
int uvm_fault(struct uvm *u, uint64_t addr, uint64_t err, char *cause, size_t cause_size);

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
	int pid;
	char state; /* 'R' running, 'S' sleeping, 'Z' zombie */
	uint64_t vm_peak, vm_size, vm_rss, vm_data, vm_stk, vm_exe, rss_anon, rss_file; /* bytes */
	int threads;
};

/* RSS and dirty bytes of one area, read from the present and dirty bits (procfs's vma_usage_fn). */
void uvm_usage(const struct vma *v, struct vma_usage *out, void *uvm);

/* Totals for /proc/PID/status. */
void uvm_status(struct uvm *u, struct proc_status *st);

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
