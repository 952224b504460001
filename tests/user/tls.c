/* ATLAS-EXPECT: exit=0 */
/* SPDX-License-Identifier: MIT */
/*
 * tls - __thread variables through the FS base that musl set up with
 * arch_prctl(ARCH_SET_FS) from PT_TLS: initial values (.tdata) and zeroes
 * (.tbss), ARCH_GET_FS equals the thread pointer (%fs:0, pthread_self()),
 * the variables sit just below it (x86-64 TLS variant II), and a
 * SET_FS/GET_FS round trip loads a new base that survives a sched_yield.
 */
#include <pthread.h>

#include "utest.h"

__thread int tls_int = 0x1234567;
__thread char tls_str[16] = "thread-local";
__thread long tls_zero[64];

static uint64_t fs_word0(void)
{
	uint64_t v;

	__asm__ volatile("mov %%fs:0, %0" : "=r"(v));
	return v;
}

static uint64_t alt_tcb[8];

int main(void)
{
	uint64_t fs = 0, fs2 = 0, seen;
	long r;
	int zero = 1;

	r = sys2(SYS_arch_prctl, ARCH_GET_FS, &fs);
	CHECK(r == 0, "arch_prctl(ARCH_GET_FS) returned %ld", r);
	CHECK(fs != 0, "FS base is 0");
	CHECK(fs_word0() == fs, "%%fs:0 is %#lx, FS base %#lx", (unsigned long)fs_word0(), (unsigned long)fs);
	CHECK((uint64_t)(uintptr_t)pthread_self() == fs, "pthread_self() is not the FS base");

	CHECK(tls_int == 0x1234567, "tls_int is %#x", tls_int);
	CHECK(strcmp(tls_str, "thread-local") == 0, "tls_str is \"%s\"", tls_str);
	for (int i = 0; i < 64; i++)
		zero &= tls_zero[i] == 0;
	CHECK(zero, "tls_zero (.tbss) is not zero");
	CHECK((uintptr_t)&tls_int < fs && fs - (uintptr_t)&tls_int < 64 * KiB,
	      "&tls_int %p is not just below the FS base %#lx", (void *)&tls_int, (unsigned long)fs);
	tls_int = 99;
	tls_zero[63] = -1;
	CHECK(tls_int == 99 && tls_zero[63] == -1, "TLS writes lost");

	/* Point FS somewhere else, yield (a context switch must keep it), come back. */
	alt_tcb[0] = (uint64_t)(uintptr_t)alt_tcb;
	r = sys2(SYS_arch_prctl, ARCH_SET_FS, alt_tcb);
	sys0(SYS_sched_yield);
	seen = fs_word0();
	sys2(SYS_arch_prctl, ARCH_GET_FS, &fs2);
	sys2(SYS_arch_prctl, ARCH_SET_FS, fs);
	CHECK(r == 0, "arch_prctl(ARCH_SET_FS) returned %ld", r);
	CHECK(seen == (uintptr_t)alt_tcb, "after SET_FS %p, %%fs:0 is %#lx", (void *)alt_tcb, (unsigned long)seen);
	CHECK(fs2 == (uintptr_t)alt_tcb, "GET_FS after SET_FS gave %#lx", (unsigned long)fs2);
	CHECK(fs_word0() == fs && tls_int == 99, "FS base not restored");
	say("FS base %#lx = %%fs:0 = pthread_self(); __thread initialised/zeroed below it; SET_FS/GET_FS round trip",
	    (unsigned long)fs);
	return 0;
}
