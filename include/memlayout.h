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
 *  0x00007FFF_00000000 +-------------------------------+
 *                      | user stack, grows down        |  8 MiB limit, guard
 *                      |   ...                         |  below it
 *                      | mmap area, grows down         |
 *                      |   ...                         |
 *                      | user heap (brk), grows up     |
 *                      | .bss .data .rodata .text      |  ELF segments
 *  0x00000000_00400000 +-------------------------------+
 *                      | null guard: never mapped      |
 *  0x00000000_00000000 +-------------------------------+
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

/* User space (seed 002). */
#define USER_NULL_GUARD_END _AC(0x0000000000400000, ULL) /* [0, 4 MiB) never mapped */
#define USER_IMAGE_BASE USER_NULL_GUARD_END
#define USER_STACK_TOP _AC(0x00007FFF00000000, ULL)
#define USER_STACK_LIMIT (_AC(8, ULL) << 20)	 /* RLIMIT_STACK-like */
#define USER_STACK_INITIAL (_AC(128, ULL) << 10) /* the first [stack] extent, like Linux's ~132 KiB */
/* The stack may grow down to here; below it one unmapped guard page. */
#define USER_STACK_GUARD_END (USER_STACK_TOP - USER_STACK_LIMIT)
#define USER_STACK_GUARD (USER_STACK_GUARD_END - PAGE_SIZE)
/* ELF PT_LOAD segments end at or below the stack area. */
#define USER_IMAGE_END USER_STACK_GUARD_END
/* mmap areas are placed top-down from here: 1 GiB below the stack's guard. */
#define USER_MMAP_TOP (USER_STACK_GUARD - (_AC(1, ULL) << 30))
/* Where a static-pie (ET_DYN without PT_INTERP) is loaded: Linux's ELF_ET_DYN_BASE without ASLR. */
#define USER_PIE_BASE _AC(0x0000555555554000, ULL)

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
