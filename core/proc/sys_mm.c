/* SPDX-License-Identifier: MIT */
/* sys_mm.c - the memory system calls, on the process's address space (mm/uvm.c). */
#include "kerrno.h"
#include "proc.h"
#include "syscall.h"
#include "uvm.h"

/*
 * uvm_mmap and friends take prot, flags and advice as the ints they are. A
 * file mapping of a descriptor that is not open is -EBADF before anything
 * else, as in Linux (whose fget takes the fd as an unsigned int).
 */
long sys_mmap(struct proc *p, const uint64_t *a)
{
	if (!((int)a[3] & LX_MAP_ANONYMOUS) && !proc_fd(p, (uint32_t)a[4]))
		return -EBADF;
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
