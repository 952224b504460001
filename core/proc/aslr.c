/* SPDX-License-Identifier: MIT */
/*
 * aslr.c - address-space layout randomization as Linux x86-64 does it
 * (seed 003: "Linux randomizes the stack, heap, and memory mapping segment
 * by adding offsets to their starting addresses"), per exec:
 *
 *   stack top   USER_STACK_TOP - (random & STACK_RND_MASK) pages (16 GiB);
 *               then the vectors up to 8 KiB below the strings
 *               (randomize_stack_top, arch_align_stack)
 *   mmap top    below the lowest stack top the range allows, then down by
 *               up to 2^28 pages (mmap_base with mmap_rnd_bits 28); a
 *               static-PIE is placed at its top
 *   break       a page plus up to 1 GiB after .bss, or up to 1 GiB above
 *               USER_STATIC_PIE_BRK for a static-PIE (arch_randomize_brk);
 *               only at randomize_va_space 2, as on Linux
 *
 * randomize_va_space 0 (aslr=off, the default) or ADDR_NO_RANDOMIZE in the
 * personality gives memlayout.h's fixed layout exactly. The random bits
 * come from core/x86/random.c: RDSEED, RDRAND, or a TSC-mixed xorshift on
 * CPUs without either.
 */
#include "aslr.h"

#include "kernel.h"
#include "kerrno.h"
#include "kprintf.h"
#include "memlayout.h"
#include "options.h"
#include "proc.h"
#include "random.h"
#include "syscall.h"

#define LEVEL_MAX 2

static int randomize_va_space;

_Static_assert(USER_MMAP_TOP_RANDOM - USER_MMAP_RND_MAX > USER_STATIC_PIE_BRK + USER_BRK_RND_RANGE,
	       "the lowest mmap top stays above the highest static-PIE break start");
_Static_assert(USER_STACK_TOP - USER_STACK_RND_MAX - USER_STACK_LIMIT - PAGE_SIZE > USER_MMAP_TOP_RANDOM,
	       "the lowest stack's guard page stays above the mmap area");

void aslr_init(void)
{
	randomize_va_space = g_boot && g_boot->opts.aslr ? LEVEL_MAX : 0;
}

int aslr_get(void)
{
	return randomize_va_space;
}

int aslr_set(int level)
{
	if (level < 0 || level > LEVEL_MAX)
		return -EINVAL;
	randomize_va_space = level;
	return 0;
}

void aslr_pick(unsigned personality, struct aslr_pick *a)
{
	a->level = (personality & ADDR_NO_RANDOMIZE) ? 0 : randomize_va_space;
	a->stack_rnd = a->stack_pad = a->mmap_rnd = a->brk_rnd = 0;
	a->l.stack_pad = 0;
	a->l.brk_start = 0;
	a->l.randomized = a->level;
	if (!a->level) {
		a->l.stack_top = USER_STACK_TOP;
		a->l.mmap_top = USER_MMAP_TOP;
		return;
	}
	a->stack_rnd = (random_u64() & USER_STACK_RND_MASK) << PAGE_SHIFT;
	a->stack_pad = random_u64() % USER_STACK_PAD_MAX;
	a->mmap_rnd = (random_u64() & (USER_MMAP_RND_MAX >> PAGE_SHIFT)) << PAGE_SHIFT;
	a->l.stack_top = USER_STACK_TOP - a->stack_rnd;
	a->l.stack_pad = a->stack_pad;
	a->l.mmap_top = USER_MMAP_TOP_RANDOM - a->mmap_rnd;
}

void aslr_place_brk(struct aslr_pick *a, const struct elf_image *img)
{
	uint64_t start = img->type == ET_DYN ? USER_STATIC_PIE_BRK : ALIGN_UP(img->bss_end, PAGE_SIZE);

	if (a->level >= LEVEL_MAX) {
		/* Linux leaves a page between .bss and the break unless it moved the break away (static-PIE). */
		if (img->type != ET_DYN)
			start += PAGE_SIZE;
		a->brk_rnd = (random_u64() % (USER_BRK_RND_RANGE >> PAGE_SHIFT)) << PAGE_SHIFT;
		start += a->brk_rnd;
	}
	a->l.brk_start = start;
}

long aslr_sysctl_show(char *buf, size_t size)
{
	return ksnprintf(buf, size, "%d\n", randomize_va_space);
}

int aslr_sysctl_store(const char *text, size_t len)
{
	size_t i = 0;
	int v = 0, digits = 0, neg = 0;

	/* proc_dointvec_minmax: blanks, an optional sign, decimal digits, blanks; anything else is -EINVAL. */
	while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n'))
		i++;
	if (i < len && (text[i] == '-' || text[i] == '+'))
		neg = text[i++] == '-';
	for (; i < len && text[i] >= '0' && text[i] <= '9' && digits < 9; i++, digits++)
		v = v * 10 + (text[i] - '0');
	while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == 0))
		i++;
	if (!digits || i < len)
		return -EINVAL;
	return aslr_set(neg ? -v : v);
}

long sys_personality(unsigned int persona)
{
	struct proc *p = proc_current();
	unsigned old = p->personality;

	if (persona != PERSONALITY_QUERY)
		p->personality = persona;
	return (long)old;
}
