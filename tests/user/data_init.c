/* ATLAS-EXPECT: exit=0 */
/* SPDX-License-Identifier: MIT */
/*
 * data_init - initialised globals hold their initial values: integers of each
 * width, a double, a string, pointers (to a literal, to another global, to
 * functions), a struct and an array spanning more than one page.
 */
#include "utest.h"

static int twice(int x)
{
	return 2 * x;
}

static int square(int x)
{
	return x * x;
}

signed char i8 = -5;
short i16 = -1234;
int i32 = 0x12345678;
long long i64 = 0x0123456789abcdefLL;
double dbl = 3.25;
char str[] = "initialised data";
const char *ptr_literal = "pointer to a literal";
int *ptr_global = &i32;
int (*ops[2])(int) = { twice, square };
struct {
	char c;
	long l;
	short s[3];
} record = { 'x', -1L, { 1, 2, 3 } };
/* 3 pages of words, each i * 3 + 1: every page of .data is checked. */
#define N_WORDS (3 * 4096 / 4)
#define W(i) ((i)*3 + 1)
#define W4(i) W(i), W(i + 1), W(i + 2), W(i + 3)
#define W16(i) W4(i), W4(i + 4), W4(i + 8), W4(i + 12)
#define W64(i) W16(i), W16(i + 16), W16(i + 32), W16(i + 48)
#define W256(i) W64(i), W64(i + 64), W64(i + 128), W64(i + 192)
#define W1024(i) W256(i), W256(i + 256), W256(i + 512), W256(i + 768)
unsigned int big[N_WORDS] = { W1024(0), W1024(1024), W1024(2048) };

int main(void)
{
	CHECK(i8 == -5 && i16 == -1234 && i32 == 0x12345678, "integers: %d %d %x", i8, i16, i32);
	CHECK(i64 == 0x0123456789abcdefLL, "i64 is %llx", i64);
	CHECK(dbl == 3.25, "double is %f", dbl);
	CHECK(strcmp(str, "initialised data") == 0, "str is \"%s\"", str);
	CHECK(strcmp(ptr_literal, "pointer to a literal") == 0, "ptr_literal is \"%s\"", ptr_literal);
	CHECK(ptr_global == &i32, "ptr_global is %p, &i32 %p", (void *)ptr_global, (void *)&i32);
	CHECK(ops[0](7) == 14 && ops[1](7) == 49, "function pointers broken");
	CHECK(record.c == 'x' && record.l == -1 && record.s[0] == 1 && record.s[2] == 3, "struct broken");
	for (unsigned int i = 0; i < N_WORDS; i++)
		CHECK(big[i] == W(i), "big[%u] is %u, expected %u", i, big[i], W(i));
	say("integers, double, string, pointers, function pointers, struct and %zu bytes of array initialised",
	    sizeof(big));
	return 0;
}
