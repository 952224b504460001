/* SPDX-License-Identifier: MIT */
/* sys_mm.c - the memory system calls, on the process's address space (mm/uvm.c). */
#include "proc.h"
#include "syscall.h"
#include "uvm.h"

/* uvm_mmap and friends take prot, flags and advice as the ints they are. */
long sys_mmap(struct proc *p, const uint64_t *a)
{
	return uvm_mmap(&p->uvm, a[0], a[1], (int)a[2], (int)a[3]);
}

long sys_mprotect(struct proc *p, const uint64_t *a)
{
	return uvm_mprotect(&p->uvm, a[0], a[1], (int)a[2]);
}

long sys_munmap(struct proc *p, const uint64_t *a)
{
	return uvm_munmap(&p->uvm, a[0], a[1]);
}

long sys_madvise(struct proc *p, const uint64_t *a)
{
	return uvm_madvise(&p->uvm, a[0], a[1], (int)a[2]);
}

long sys_brk(struct proc *p, const uint64_t *a)
{
	return (long)uvm_brk(&p->uvm, a[0]);
}
