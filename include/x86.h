/* SPDX-License-Identifier: MIT */
/*
 * x86.h - single instructions as static inline wrappers, and the
 * architectural bits Atlas uses, named after the Intel SDM.
 */
#ifndef ATLAS_X86_H
#define ATLAS_X86_H

#include <stdint.h>

/* CR0 (SDM Vol. 3A 2.5) */
#define CR0_PE (1ULL << 0)
#define CR0_MP (1ULL << 1)
#define CR0_EM (1ULL << 2)
#define CR0_TS (1ULL << 3)
#define CR0_WP (1ULL << 16)
#define CR0_PG (1ULL << 31)

/* CR4 */
#define CR4_PAE (1ULL << 5)
#define CR4_PGE (1ULL << 7)
#define CR4_OSFXSR (1ULL << 9)
#define CR4_OSXMMEXCPT (1ULL << 10)
#define CR4_UMIP (1ULL << 11)
#define CR4_LA57 (1ULL << 12)
#define CR4_SMEP (1ULL << 20)
#define CR4_SMAP (1ULL << 21)

/* MSRs */
#define MSR_EFER 0xC0000080U
#define EFER_SCE (1ULL << 0)
#define EFER_LME (1ULL << 8)
#define EFER_LMA (1ULL << 10)
#define EFER_NXE (1ULL << 11)
#define MSR_PAT 0x277U
/* PAT memory types (SDM Vol. 3A 11.12.2), and entry i (0..7) of IA32_PAT holding type t. */
#define PAT_UC 0x00ULL
#define PAT_WC 0x01ULL
#define PAT_WT 0x04ULL
#define PAT_WB 0x06ULL
#define PAT_UCMINUS 0x07ULL
#define PAT_ENTRY(i, t) ((uint64_t)(t) << ((i)*8))
#define MSR_STAR 0xC0000081U			  /* SYSCALL/SYSRET selectors */
#define MSR_LSTAR 0xC0000082U			  /* SYSCALL entry point (64-bit) */
#define MSR_SFMASK 0xC0000084U			  /* RFLAGS bits SYSCALL clears */
#define MSR_APIC_BASE 0x1BU			  /* IA32_APIC_BASE: "Local APIC Status and Location" */
#define APIC_BASE_BSP (1ULL << 8)		  /* this is the bootstrap processor (read-only) */
#define APIC_BASE_EXTD (1ULL << 10)		  /* x2APIC mode */
#define APIC_BASE_ENABLE (1ULL << 11)		  /* APIC global enable */
#define APIC_BASE_ADDR_MASK 0x000FFFFFFFFFF000ULL /* bits 51:12: physical base (MAXPHYADDR at most) */
#define MSR_X2APIC_ICR 0x830U			  /* x2APIC interrupt command register */
#define MSR_FS_BASE 0xC0000100U
#define MSR_GS_BASE 0xC0000101U
#define MSR_KERNEL_GS_BASE 0xC0000102U /* what SWAPGS exchanges GS_BASE with */
#define STAR_SYSCALL_CS_SHIFT 32       /* SYSCALL: CS = this, SS = this + 8 */
#define STAR_SYSRET_CS_SHIFT 48	       /* SYSRET (64-bit): CS = this + 16, SS = this + 8 */

/* #PF error code (SDM Vol. 3A 4.7) */
#define PFERR_P (1ULL << 0)    /* the page was present: a protection violation */
#define PFERR_W (1ULL << 1)    /* write access */
#define PFERR_U (1ULL << 2)    /* from ring 3 */
#define PFERR_RSVD (1ULL << 3) /* reserved bit set in an entry */
#define PFERR_I (1ULL << 4)    /* instruction fetch */
#define PFERR_PK (1ULL << 5)   /* protection key */
#define PFERR_SS (1ULL << 6)   /* shadow-stack access */

/* RFLAGS (SDM Vol. 1 3.4.3) */
#define RFLAGS_CF (1ULL << 0)
#define RFLAGS_RESERVED1 (1ULL << 1) /* always 1 */
#define RFLAGS_PF (1ULL << 2)
#define RFLAGS_AF (1ULL << 4)
#define RFLAGS_ZF (1ULL << 6)
#define RFLAGS_SF (1ULL << 7)
#define RFLAGS_TF (1ULL << 8)
#define RFLAGS_IF (1ULL << 9)
#define RFLAGS_DF (1ULL << 10)
#define RFLAGS_OF (1ULL << 11)
#define RFLAGS_IOPL (3ULL << 12)
#define RFLAGS_NT (1ULL << 14)
#define RFLAGS_RF (1ULL << 16)
#define RFLAGS_VM (1ULL << 17)
#define RFLAGS_AC (1ULL << 18)
#define RFLAGS_VIF (1ULL << 19)
#define RFLAGS_VIP (1ULL << 20)
#define RFLAGS_ID (1ULL << 21)
/* What ring 3 may set in its own RFLAGS (POPF at CPL 3 ignores IOPL; IF is always on). */
#define RFLAGS_USER_MASK                                                                                             \
	(RFLAGS_CF | RFLAGS_PF | RFLAGS_AF | RFLAGS_ZF | RFLAGS_SF | RFLAGS_TF | RFLAGS_DF | RFLAGS_OF | RFLAGS_NT | \
	 RFLAGS_AC | RFLAGS_ID)

/* CPUID leaves and feature bits (SDM Vol. 2A, CPUID) */
#define CPUID_VENDOR 0x0U
#define CPUID_FEATURES 0x1U
#define CPUID_EXT_FEATURE_FLAGS 0x7U
#define CPUID_EXT_BASE 0x80000000U
#define CPUID_EXT_FEATURES 0x80000001U
#define CPUID_BRAND_FIRST 0x80000002U
#define CPUID_BRAND_LAST 0x80000004U
#define CPUID_POWER_MGMT 0x80000007U
#define CPUID_ADDR_SIZES 0x80000008U
#define CPUID_1_EBX_APIC_ID_SHIFT 24 /* initial APIC ID: EBX bits 31:24 */
#define CPUID_1_EDX_APIC (1U << 9)   /* on-chip local APIC */
#define CPUID_7_EBX_RDSEED (1U << 18)
#define CPUID_7_ECX_LA57 (1U << 16)
#define CPUID_80000007_EDX_INVTSC (1U << 8)
#define CPUID_80000001_EDX_NX (1U << 20)
#define CPUID_80000001_EDX_PDPE1GB (1U << 26)
#define CPUID_1_EDX_PGE (1U << 13)
#define CPUID_1_EDX_PAT (1U << 16)
#define CPUID_1_ECX_RDRAND (1U << 30)
#define CPUID_7_EBX_SMEP (1U << 7)
#define CPUID_7_EBX_SMAP (1U << 20)
#define CPUID_7_ECX_UMIP (1U << 2)

/* Port I/O (16550 UARTs, the i8042, the PIT, ACPI's fixed registers): outb/inb, outw/inw, outl/inl. */
#define DEFINE_PIO(sfx, type)                                                  \
	static inline void out##sfx(uint16_t port, type v)                     \
	{                                                                      \
		__asm__ volatile("out" #sfx " %0, %1" : : "a"(v), "Nd"(port)); \
	}                                                                      \
	static inline type in##sfx(uint16_t port)                              \
	{                                                                      \
		type v;                                                        \
		__asm__ volatile("in" #sfx " %1, %0" : "=a"(v) : "Nd"(port));  \
		return v;                                                      \
	}
DEFINE_PIO(b, uint8_t)
DEFINE_PIO(w, uint16_t)
DEFINE_PIO(l, uint32_t)
#undef DEFINE_PIO

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(sub));
}

#define DEFINE_CR(n)                                                       \
	static inline uint64_t read_cr##n(void)                            \
	{                                                                  \
		uint64_t v;                                                \
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));          \
		return v;                                                  \
	}                                                                  \
	static inline void write_cr##n(uint64_t v)                         \
	{                                                                  \
		__asm__ volatile("mov %0, %%cr" #n : : "r"(v) : "memory"); \
	}
DEFINE_CR(0)
DEFINE_CR(2)
DEFINE_CR(3)
DEFINE_CR(4)
#undef DEFINE_CR

static inline uint64_t read_rsp(void)
{
	uint64_t v;
	__asm__ volatile("mov %%rsp, %0" : "=r"(v));
	return v;
}

static inline uint64_t read_rflags(void)
{
	uint64_t v;
	__asm__ volatile("pushfq; popq %0" : "=r"(v));
	return v;
}

/* The address of the instruction after this call: a live RIP sample. */
static inline uint64_t read_rip(void)
{
	uint64_t v;
	__asm__ volatile("lea 0(%%rip), %0" : "=r"(v));
	return v;
}

static inline void invlpg(uint64_t va)
{
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}

static inline void cli(void)
{
	__asm__ volatile("cli" ::: "memory");
}

static inline void hlt(void)
{
	__asm__ volatile("hlt" ::: "memory");
}

static inline void pause(void)
{
	__asm__ volatile("pause");
}

struct __attribute__((packed)) desc_ptr {
	uint16_t limit;
	uint64_t base;
};

static inline void lgdt(const struct desc_ptr *p)
{
	__asm__ volatile("lgdt %0" : : "m"(*p));
}

static inline void lidt(const struct desc_ptr *p)
{
	__asm__ volatile("lidt %0" : : "m"(*p));
}

static inline void ltr(uint16_t sel)
{
	__asm__ volatile("ltr %0" : : "r"(sel));
}

/* Reload CS with a far return and every data segment register with ds. */
static inline void load_segments(uint16_t cs, uint16_t ds)
{
	__asm__ volatile("pushq %q0\n\t"
			 "leaq 1f(%%rip), %%rax\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "mov %w1, %%ds\n\t"
			 "mov %w1, %%es\n\t"
			 "mov %w1, %%ss\n\t"
			 "mov %w1, %%fs\n\t"
			 "mov %w1, %%gs"
			 :
			 : "r"((uint64_t)cs), "r"(ds)
			 : "rax", "memory");
}

#endif
