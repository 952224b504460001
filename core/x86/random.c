/* SPDX-License-Identifier: MIT */
/* random.c - RDSEED, RDRAND, or a TSC-seeded xorshift when neither exists. */
#include "random.h"

#include "cpu.h"
#include "kstring.h"
#include "x86.h"

#define HW_RETRIES 16

static uint64_t xs_state;

static int rdrand64(uint64_t *v)
{
	unsigned char ok;

	__asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok));
	return ok;
}

static int rdseed64(uint64_t *v)
{
	unsigned char ok;

	__asm__ volatile("rdseed %0; setc %1" : "=r"(*v), "=qm"(ok));
	return ok;
}

static uint64_t xorshift(void)
{
	/* Mix the TSC in every time: a weak source, but never the same stream twice. */
	xs_state ^= rdtsc() * 0x9E3779B97F4A7C15ULL;
	xs_state ^= xs_state << 13;
	xs_state ^= xs_state >> 7;
	xs_state ^= xs_state << 17;
	return xs_state;
}

uint64_t random_u64(void)
{
	uint64_t v;

	for (int i = 0; i < HW_RETRIES && cpu()->rdseed; i++)
		if (rdseed64(&v))
			return v;
	for (int i = 0; i < HW_RETRIES && cpu()->rdrand; i++)
		if (rdrand64(&v))
			return v;
	return xorshift();
}

void random_fill(void *buf, size_t n)
{
	uint8_t *p = buf;

	while (n) {
		uint64_t v = random_u64();
		size_t k = n < sizeof(v) ? n : sizeof(v);

		memcpy(p, &v, k);
		p += k;
		n -= k;
	}
}

const char *random_source(void)
{
	return cpu()->rdseed ? "rdseed" : cpu()->rdrand ? "rdrand" : "tsc-xorshift";
}
