/* SPDX-License-Identifier: MIT */
/*
 * memlayout.h - the one map of Atlas's address space.
 *
 * Every virtual-address constant in Atlas is defined here and nowhere else.
 * The picture follows seed 002 (x86-64, 4-level paging, 48-bit canonical
 * addresses), with the real numbers Atlas uses:
 *
 *  0xFFFFFFFF_FFFFFFFF +-------------------------------+
 *                      | unused (top 16 MiB; Linux's    |
 *  0xFFFFFFFF_FF000000 |   vsyscall page lives here)    |
 *                      +-------------------------------+
 *                      | kernel MMIO window            |  framebuffer (WC), ...
 *  0xFFFFFFFF_D0000000 +-------------------------------+
 *                      | kernel stacks: 16 KiB each,   |  slot i = guard page +
 *                      |   an unmapped guard page      |  16 KiB stack
 *                      |   below every one             |
 *  0xFFFFFFFF_C0000000 +-------------------------------+
 *                      | kernel heap, grows up         |
 *  0xFFFFFFFF_90000000 +-------------------------------+
 *                      | kernel image: .text .rodata   |  linked here (-2 GiB),
 *                      |   .data .bss (4 KiB aligned)  |  mcmodel=kernel
 *  0xFFFFFFFF_80000000 +-------------------------------+
 *                      | (unused)                      |
 *  0xFFFFFF80_00000000 +-------------------------------+
 *                      | recursive page-table window   |  PML4 slot 510
 *  0xFFFFFF00_00000000 +-------------------------------+
 *                      | (unused)                      |
 *  0xFFFFC000_00000000 +-------------------------------+
 *                      | direct map of physical RAM    |  phys P at
 *                      |   (NX, 1 GiB / 2 MiB pages)   |  DIRECT_MAP_BASE + P
 *  0xFFFF8000_00000000 +-------------------------------+
 *                      | non-canonical hole            |  #GP on any access
 *  0x00007FFF_FFFFFFFF +-------------------------------+
 *                      | guard: never mapped           |
 *  0x00007FFF_00000000 +-------------------------------+  <- stack top (aslr=on: up to
 *                      | user stack, grows down        |     16 GiB lower, page steps)
 *                      |   8 MiB limit, guard below    |
 *                      |   1 GiB gap                   |
 *  0x00007FFE_BF7FF000 +-------------------------------+  <- mmap top (aslr=on: 16 GiB
 *                      | mmap area, grows down; a      |     lower, then up to 1 TiB
 *                      |   static-PIE at its top       |     more, page steps)
 *                      |   ...                         |
 *  0x00005555_55555000 | static-PIE's heap (brk), up   |  (aslr=on: up to 1 GiB higher)
 *                      |   ...                         |
 *                      | user heap (brk), grows up     |  (aslr=on: a page + up to 1 GiB
 *                      | .bss .data .rodata .text      |   after .bss) ELF segments
 *  0x00000000_00400000 +-------------------------------+
 *                      | null guard: never mapped      |
 *  0x00000000_00000000 +-------------------------------+
 *
 * aslr=off (the default) is exactly this picture; aslr=on moves the marked
 * edges by Linux x86-64's amounts (randomize_va_space 2), per exec, with
 * entropy from RDSEED/RDRAND (core/x86/random.c). Each address space keeps
 * the edges it was built with (struct uvm: stack_top, mmap_top, brk_start).
 */
#ifndef ATLAS_MEMLAYOUT_H
#define ATLAS_MEMLAYOUT_H

/* Constants usable from C, assembly and the linker script (Linux's _AC idea). */
#if defined(__ASSEMBLER__) || defined(LINKER_SCRIPT)
#define _AC(x, s) x
#else
#define _AC(x, s) x##s
#endif

#define PAGE_SHIFT 12
#define PAGE_SIZE (_AC(1, ULL) << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))
#define HUGE_2M (1ULL << 21)
#define HUGE_1G (1ULL << 30)

#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a)-1))
#define ALIGN_UP(x, a) ALIGN_DOWN((x) + (a)-1, (a))

/*
 * Physical memory the page allocator never gets: [0, 1 MiB + 64 KiB), the
 * part real-mode code can reach (segment:offset tops out at 0x10FFEF). An
 * application processor that the firmware started with INIT-SIPI-SIPI can
 * keep a startup IPI pending across the INIT Atlas sends after
 * ExitBootServices (QEMU TCG does, when the AP's thread was not scheduled in
 * time), and then starts again at the firmware's old SIPI vector, below
 * 1 MiB, running whatever is there. Linux reserves the first 1 MiB under EFI
 * for such firmware and BIOS scribbles too. Reports still show the firmware's
 * map as it is.
 */
#define PHYS_LOW_RESERVED_END _AC(0x110000, ULL)
/*
 * The first MiB: AP trampolines and legacy DMA live there, so the page
 * allocator keeps its own metadata above it.
 */
#define PHYS_LOW_MEM_END _AC(0x100000, ULL)

/* Canonical halves (48-bit virtual addresses). */
#define USER_END _AC(0x0000800000000000, ULL)	 /* first non-canonical address */
#define KERNEL_HALF _AC(0xFFFF800000000000, ULL) /* first kernel-half address */

/* User space (seed 002); the fixed addresses are aslr=off's, the ranges aslr=on's. */
#define USER_NULL_GUARD_END _AC(0x0000000000400000, ULL) /* [0, 4 MiB) never mapped */
#define USER_IMAGE_BASE USER_NULL_GUARD_END
#define USER_STACK_TOP _AC(0x00007FFF00000000, ULL) /* [stack] ends here (aslr=off) */
#define USER_STACK_LIMIT (_AC(8, ULL) << 20)	    /* RLIMIT_STACK-like */
#define USER_STACK_INITIAL (_AC(128, ULL) << 10)    /* the first [stack] extent, like Linux's ~132 KiB */
/* The stack may grow down to here; below it one unmapped guard page (for a stack top T: T - limit). */
#define USER_STACK_GUARD_END (USER_STACK_TOP - USER_STACK_LIMIT)
#define USER_STACK_GUARD (USER_STACK_GUARD_END - PAGE_SIZE)
/* ELF PT_LOAD segments of an ET_EXEC end at or below the stack area. */
#define USER_IMAGE_END USER_STACK_GUARD_END
/* Between the stack's guard page and the mmap area. */
#define USER_MMAP_GAP (_AC(1, ULL) << 30)
/* mmap areas are placed top-down from here (aslr=off), and a static-PIE ends here. */
#define USER_MMAP_TOP (USER_STACK_GUARD - USER_MMAP_GAP)
/*
 * Linux x86-64's ELF_ET_DYN_BASE (DEFAULT_MAP_WINDOW / 3 * 2). A static-PIE
 * (ET_DYN without PT_INTERP) is placed like an interpreter, at the top of the
 * mmap area, and its break starts here, page-aligned, as in Linux 6.x.
 */
#define ELF_ET_DYN_BASE _AC(0x0000555555554AAA, ULL)
#define USER_STATIC_PIE_BRK ((ELF_ET_DYN_BASE + PAGE_SIZE - 1) & PAGE_MASK) /* 0x555555555000 */

/*
 * aslr=on (randomize_va_space 2): Linux x86-64's ranges, chosen anew at each
 * exec. The stack top goes down by up to STACK_RND_MASK pages (16 GiB) and the
 * vectors below the strings by up to 8 KiB more (arch_align_stack); the mmap
 * top sits below the lowest stack the range allows, then down by up to
 * 2^mmap_rnd_bits pages (1 TiB); the break starts a page plus up to 1 GiB
 * after .bss (randomize_page), or up to 1 GiB above USER_STATIC_PIE_BRK.
 */
#define USER_STACK_RND_MASK _AC(0x3FFFFF, ULL) /* pages; Linux's STACK_RND_MASK */
#define USER_STACK_RND_MAX (USER_STACK_RND_MASK << PAGE_SHIFT)
#define USER_STACK_PAD_MAX 8192 /* bytes, 16-byte steps */
#define USER_MMAP_RND_BITS 28	/* pages; Linux's mmap_rnd_bits default */
#define USER_MMAP_RND_MAX (((_AC(1, ULL) << USER_MMAP_RND_BITS) - 1) << PAGE_SHIFT)
#define USER_MMAP_TOP_RANDOM (USER_MMAP_TOP - USER_STACK_RND_MAX) /* aslr=on: the mmap top before its own offset */
#define USER_BRK_RND_RANGE (_AC(1, ULL) << 30)

/* Direct map: all physical RAM, phys P at DIRECT_MAP_BASE + P. */
#define DIRECT_MAP_BASE _AC(0xFFFF800000000000, ULL)
#define DIRECT_MAP_END _AC(0xFFFFC00000000000, ULL) /* 64 TiB of physical space */
#define DIRECT_MAP_MAX_PHYS (DIRECT_MAP_END - DIRECT_MAP_BASE)

/*
 * Recursive slot: PML4[510] points at the PML4 itself, which opens a
 * 512 GiB window in which every page-table page of the current address
 * space appears at a computable address.
 */
#define RECURSIVE_SLOT 510
#define RECURSIVE_BASE _AC(0xFFFFFF0000000000, ULL)
#define RECURSIVE_END _AC(0xFFFFFF8000000000, ULL)

/* Kernel image (seed 002: "fixed location at -2 GB"). */
#define KERNEL_BASE _AC(0xFFFFFFFF80000000, ULL)
#define KERNEL_IMAGE_MAX (_AC(256, ULL) << 20)

/* Kernel heap: after the image, grows on demand. */
#define KHEAP_BASE _AC(0xFFFFFFFF90000000, ULL)
#define KHEAP_END _AC(0xFFFFFFFFC0000000, ULL)

/* Kernel stacks: slot i is [guard page][KSTACK_SIZE of stack]. */
#define KSTACK_AREA_BASE _AC(0xFFFFFFFFC0000000, ULL)
#define KSTACK_AREA_END _AC(0xFFFFFFFFD0000000, ULL)
#define KSTACK_SIZE (16ULL << 10)
#define KSTACK_GUARD PAGE_SIZE
#define KSTACK_SLOT_SIZE (KSTACK_SIZE + KSTACK_GUARD)
#define KSTACK_SLOT_BASE(i) (KSTACK_AREA_BASE + (unsigned long long)(i)*KSTACK_SLOT_SIZE)
#define KSTACK_BOTTOM(i) (KSTACK_SLOT_BASE(i) + KSTACK_GUARD)
#define KSTACK_TOP(i) (KSTACK_BOTTOM(i) + KSTACK_SIZE)
#define KSTACK_BOOT_SLOT 0 /* the stack efi/ hands the kernel */

/* Kernel MMIO window (framebuffer mapped write-combining, ...). */
#define KMMIO_BASE _AC(0xFFFFFFFFD0000000, ULL)
#define KMMIO_END _AC(0xFFFFFFFFFF000000, ULL)

#define PHYS_TO_DIRECT(p) ((void *)((unsigned long long)(p) + DIRECT_MAP_BASE))
#define DIRECT_TO_PHYS(v) ((unsigned long long)(v)-DIRECT_MAP_BASE)

#endif
