/* SPDX-License-Identifier: MIT */
/*
 * slow_call - one system call that keeps the kernel busy for a while:
 * getrandom of 32 MiB (Linux's cap) into an untouched mapping, so the copy
 * takes 8,192 demand faults and 32 MiB of random bytes. The boot test runs it
 * with a small watchdog= bound and expects the watchdog to name it.
 */
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define LEN (32L << 20)

int main(void)
{
	char *p = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long r;

	if (p == MAP_FAILED)
		return 2;
	r = syscall(SYS_getrandom, p, LEN, 0);
	return r == LEN ? 0 : 1;
}
