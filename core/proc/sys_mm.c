/* SPDX-License-Identifier: MIT */
/*
 * sys_mm.c - the memory calls: mmap (anonymous and private; a file mapping
 * is ENODEV), munmap, mprotect, brk, madvise and mincore, on the caller's
 * address space (mm/uvm.c does the work and has Linux's checks).
 */
#include "kerrno.h"
#include "memlayout.h"
#include "paging.h"
#include "proc.h"
#include "syscall.h"
#include "sysfs_util.h"
#include "uaccess.h"
#include "uvm.h"

long sys_mmap(uint64_t addr, uint64_t len, uint64_t prot, uint64_t flags, uint64_t fd, uint64_t off)
{
	if (off & (PAGE_SIZE - 1))
		return -EINVAL;
	/* A file mapping of a descriptor that is not open is -EBADF first, as in Linux (fget of an unsigned int). */
	if (!((int)flags & LX_MAP_ANONYMOUS) && !cur_file((int)(uint32_t)fd))
		return -EBADF;
	return uvm_mmap(proc_current()->uvm, addr, len, (int)prot, (int)flags);
}

long sys_munmap(uint64_t addr, uint64_t len)
{
	return uvm_munmap(proc_current()->uvm, addr, len);
}

long sys_mprotect(uint64_t addr, uint64_t len, uint64_t prot)
{
	return uvm_mprotect(proc_current()->uvm, addr, len, (int)prot);
}

long sys_brk(uint64_t addr)
{
	return (long)uvm_brk(proc_current()->uvm, addr);
}

long sys_madvise(uint64_t addr, uint64_t len, int advice)
{
	return uvm_madvise(proc_current()->uvm, addr, len, advice);
}

long sys_mincore(uint64_t addr, uint64_t len, uint64_t uvec)
{
	struct uvm *u = proc_current()->uvm;
	uint64_t end = addr + ((len + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1));
	unsigned char chunk[64];
	size_t n = 0, off = 0;

	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	if (end < addr || end > USER_END)
		return -ENOMEM;
	for (uint64_t va = addr; va < end; va += PAGE_SIZE) {
		struct pt_walk w;

		if (!vma_find(u->vmas, va))
			return -ENOMEM;
		chunk[n++] = (unsigned char)pt_query(&u->pt, va, &w);
		if (n == sizeof(chunk) || va + PAGE_SIZE >= end) {
			if (copy_to_user(uvec + off, chunk, n))
				return -EFAULT;
			off += n;
			n = 0;
		}
	}
	return 0;
}
