/* ATLAS-EXPECT: exit=0 */
/* SPDX-License-Identifier: MIT */
/*
 * bss_zero - uninitialised globals start as zero: small ones (which share a
 * page with .data, where the loader must clear the tail of the file's last
 * page) and a 256 KiB array (pages of their own).
 */
#include "utest.h"

static volatile unsigned char small_bss[100];
static volatile long scalar_bss;
static struct {
	int a;
	double b;
	void *c;
} volatile struct_bss;
static volatile uint64_t big_bss[256 * KiB / 8];
int data_before = 7; /* some .data, so that .bss starts mid-page */

static uint64_t nonzero_bytes(const volatile unsigned char *p, size_t n)
{
	uint64_t count = 0;

	for (size_t i = 0; i < n; i++)
		count += p[i] != 0;
	return count;
}

int main(void)
{
	uint64_t n;

	CHECK(data_before == 7, "data_before is %d", data_before);
	n = nonzero_bytes(small_bss, sizeof(small_bss));
	CHECK(n == 0, "small_bss has %lu non-zero bytes", (unsigned long)n);
	CHECK(scalar_bss == 0, "scalar_bss is %ld", scalar_bss);
	CHECK(struct_bss.a == 0 && struct_bss.b == 0.0 && struct_bss.c == NULL, "struct_bss is not zero");
	n = nonzero_bytes((const volatile unsigned char *)big_bss, sizeof(big_bss));
	CHECK(n == 0, "big_bss (256 KiB) has %lu non-zero bytes", (unsigned long)n);
	/* Writable too. */
	big_bss[0] = 1;
	big_bss[sizeof(big_bss) / 8 - 1] = 2;
	small_bss[99] = 3;
	CHECK(big_bss[0] == 1 && big_bss[sizeof(big_bss) / 8 - 1] == 2 && small_bss[99] == 3, "bss writes lost");
	say("%zu + %zu + %zu + %zu bytes of .bss are zero and writable", sizeof(small_bss), sizeof(scalar_bss),
	    sizeof(struct_bss), sizeof(big_bss));
	return 0;
}
