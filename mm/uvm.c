/* SPDX-License-Identifier: MIT */
/*
 * uvm.c - user address spaces: the VMA list (mm/vma.c) is the truth about
 * what a process may touch; the page tables hold what it has touched. Pages
 * are written by the kernel through the direct map, never through the user
 * mapping, so loading a program needs no user access (no STAC) and works on
 * read-only and execute-only pages alike. brk, mmap, munmap, mprotect and
 * madvise are uvm_mmap.c.
 */
#include "uvm.h"

#include "heap.h"
#include "kernel.h"
#include "kerrno.h"
#include "kstring.h"
#include "kvm.h"
#include "memlayout.h"
#include "panic.h"
#include "pmm.h"
#include "random.h"
#include "x86.h"

/* Auxiliary vector tags (System V ABI, Linux's values). */
#define AT_NULL 0
#define AT_PHDR 3
#define AT_PHENT 4
#define AT_PHNUM 5
#define AT_PAGESZ 6
#define AT_ENTRY 9
#define AT_RANDOM 25
#define AT_EXECFN 31
#define AT_BASE 7
#define AT_FLAGS 8
#define AT_UID 11
#define AT_EUID 12
#define AT_GID 13
#define AT_EGID 14
#define AT_PLATFORM 15
#define AT_SYSINFO_HWCAP 16 /* AT_HWCAP */
#define AT_CLKTCK 17
#define AT_SECURE 23
#define AT_HWCAP2 26
#define AT_MINSIGSTKSZ 51
#define AUXV_PAIRS 20
#define CLOCK_TICKS 100	     /* USER_HZ */
#define MINSIGSTKSZ_X86 2048 /* what the signal frame needs without AVX state: Linux says the same for fxsave */

/* Linux's limits: the strings may fill a quarter of the 8 MiB stack; one string at most 32 pages. */
#define ARGS_MAX (USER_STACK_LIMIT / 4)
#define ARG_STRLEN_MAX (32 * PAGE_SIZE)
#define RANDOM_BYTES 16

/*
 * Demand pages and their tables stop UVM_RESERVE_PAGES short of empty: the
 * kernel's own allocations (heap, kernel stacks, its page tables) still
 * succeed when a program has taken everything else.
 */
static uint64_t user_alloc(enum pmm_purpose p)
{
	if (pmm_free_count() <= UVM_RESERVE_PAGES)
		return 0;
	return pmm_alloc(0, p);
}

static uint64_t table_page(void *ctx)
{
	(void)ctx;
	return user_alloc(PMM_PT);
}

/* pt_range frees only empty tables: all zeros, so straight into the zeroed pool. */
static void table_free(uint64_t phys, void *ctx)
{
	(void)ctx;
	pmm_free_zeroed(phys, PMM_PT);
}

int uvm_create(struct uvm *u)
{
	pte_t *pml4;
	const pte_t *k;

	memset(u, 0, sizeof(*u));
	u->vmas = kmalloc(sizeof(*u->vmas));
	if (!u->vmas)
		return -ENOMEM;
	vma_init(u->vmas);
	u->pt.phys_off = DIRECT_MAP_BASE;
	u->pt.alloc_table = table_page;
	u->pt.free_table = table_free;
	u->pt.ctx = u;
	/* Invalidating a VA that is not current only costs a TLB entry: always flush. */
	u->pt.live = 1;
	u->pt.root = pmm_alloc(0, PMM_PT);
	if (!u->pt.root)
		return -ENOMEM;
	/*
	 * The kernel half is shared: the same PDPT pages as the kernel's tables.
	 * Everything the kernel maps after boot (heap, stacks, MMIO) lives under
	 * PML4[511], which exists from the start, so no entry here goes stale.
	 */
	pml4 = PHYS_TO_DIRECT(u->pt.root);
	k = PHYS_TO_DIRECT(kvm_pt()->root);
	for (int i = PT_ENTRIES / 2; i < PT_ENTRIES; i++)
		pml4[i] = k[i];
	pml4[RECURSIVE_SLOT] = u->pt.root | PTE_P | PTE_W | PTE_NX;
	u->stack_top = USER_STACK_TOP;
	u->mmap_top = USER_MMAP_TOP;
	return 0;
}

void uvm_set_layout(struct uvm *u, const struct uvm_layout *l)
{
	u->stack_top = l->stack_top;
	u->stack_pad = l->stack_pad;
	u->mmap_top = l->mmap_top;
	u->brk_start = u->brk = l->brk_start;
	u->randomized = l->randomized;
}

/* pt_range(PT_CLEAR)'s callback: the frame of a user page goes back to the PMM. */
static int free_leaf(const struct pt_leaf *l, void *ctx)
{
	struct uvm *u = ctx;

	if (l->size != PAGE_SIZE)
		panic("mm: a %llu-byte user leaf at 0x%llx", (unsigned long long)l->size, (unsigned long long)l->va);
	uvm_page_put(u, l->phys); /* freed when this was its last owner (fork shares frames) */
	return 0;
}

/* Unmap and free the pages of [start, end) and the tables that empties; the VMA list is the caller's. */
void uvm_release(struct uvm *u, uint64_t start, uint64_t end)
{
	if (start < end && pt_range(&u->pt, start, end - start, PT_CLEAR, 0, free_leaf, u))
		panic("mm: releasing user pages 0x%llx-0x%llx failed", (unsigned long long)start,
		      (unsigned long long)end);
}

void uvm_destroy(struct uvm *u)
{
	if (u->pt.root) {
		/* Not in CR3 (uvm_put checks): nothing of it is in the TLB, no page needs an INVLPG. */
		u->pt.live = 0;
		uvm_release(u, 0, USER_END);
		pmm_free(u->pt.root, 0, PMM_PT);
		u->pt.root = 0;
	}
	if (u->pages)
		panic("mm: %llu user pages unaccounted for after freeing an address space",
		      (unsigned long long)u->pages);
	if (u->vmas)
		vma_destroy(u->vmas);
	kfree(u->vmas);
	u->vmas = NULL;
	uvm_free_stacks(u);
}

unsigned uvm_vm_flags(unsigned prot)
{
	prot &= VM_READ | VM_WRITE | VM_EXEC; /* not the area's VMA_* flags */
	return prot ? (prot | VM_USER) : (VM_USER | VM_PROTNONE);
}

/* Map a fresh zeroed page at va with the area's permissions; returns its physical address or 0. */
static uint64_t map_new_page(struct uvm *u, uint64_t va, unsigned prot)
{
	uint64_t pa = user_alloc(PMM_USER);

	if (!pa)
		return 0;
	if (pt_map_page(&u->pt, va, pa, uvm_vm_flags(prot))) {
		pmm_free(pa, 0, PMM_USER);
		return 0;
	}
	u->pages++;
	u->faults++;
	if (u->pages << PAGE_SHIFT > u->peak_rss)
		u->peak_rss = u->pages << PAGE_SHIFT;
	return pa;
}

/*
 * Fill n bytes at user va through the direct map from rd (bytes from offset
 * pos on), mapping pages of the enclosing areas as needed. Returns 0,
 * -EFAULT (no area), -ENOMEM or rd's error.
 */
static int uvm_fill(struct uvm *u, uint64_t va, size_t n, uvm_read_fn rd, void *ctx, uint64_t pos)
{
	while (n) {
		struct pt_walk w;
		const struct vma *v = vma_find(u->vmas, va);
		uint64_t off = va & (PAGE_SIZE - 1), chunk = PAGE_SIZE - off < n ? PAGE_SIZE - off : n, pa;
		int err;

		if (!v)
			return -EFAULT;
		pa = pt_query(&u->pt, va, &w) ? w.phys - off : map_new_page(u, va - off, v->prot);
		if (!pa)
			return -ENOMEM;
		err = rd(ctx, pos, (uint8_t *)PHYS_TO_DIRECT(pa) + off, chunk);
		if (err)
			return err;
		va += chunk;
		pos += chunk;
		n -= chunk;
	}
	return 0;
}

int uvm_read_mem(void *ctx, uint64_t off, void *dst, size_t n)
{
	memcpy(dst, (const uint8_t *)ctx + off, n);
	return 0;
}

/* Write n bytes at user va from src (uvm_fill from memory). */
static int uvm_write(struct uvm *u, uint64_t va, const void *src, size_t n)
{
	return uvm_fill(u, va, n, uvm_read_mem, (void *)(uintptr_t)src, 0);
}

/* Pages the overcommit heuristic grants one request: all the RAM the PMM manages. */
static uint64_t commit_limit(void)
{
	return pmm_total_count();
}

/* The overcommit policy (uvm.h) for one request of len bytes: 0 or -ENOMEM. */
int uvm_overcommit_ok(uint64_t len)
{
	return len / PAGE_SIZE > commit_limit() ? -ENOMEM : 0;
}

static unsigned prot_of_pf(uint32_t pf)
{
	return (pf & PF_R ? VM_READ : 0) | (pf & PF_W ? VM_WRITE : 0) | (pf & PF_X ? VM_EXEC : 0);
}

int uvm_load_elf(struct uvm *u, const struct elf_image *img, const void *data, const char *path, char *why,
		 size_t why_size)
{
	return uvm_load_elf_from(u, img, uvm_read_mem, (void *)(uintptr_t)data, path, why, why_size);
}

int uvm_load_elf_from(struct uvm *u, const struct elf_image *img, uvm_read_fn rd, void *ctx, const char *path,
		      char *why, size_t why_size)
{
	why[0] = 0;
	for (int i = 0; i < img->nseg; i++) {
		const struct elf_segment *sg = &img->seg[i];
		uint64_t start = ALIGN_DOWN(sg->vaddr, PAGE_SIZE), end = ALIGN_UP(sg->vaddr + sg->memsz, PAGE_SIZE);
		int err;

		if (start == end)
			continue; /* p_memsz 0: nothing to map */
		/* Linux charges a segment's pages (its .bss through vm_brk_flags) against the same heuristic. */
		if (uvm_overcommit_ok(end - start)) {
			ksnprintf(why, why_size,
				  "PT_LOAD %d needs %llu MiB (p_memsz 0x%llx), more than the %llu MiB of RAM "
				  "overcommit grants one request",
				  i, (unsigned long long)((end - start) >> 20), (unsigned long long)sg->memsz,
				  (unsigned long long)(commit_limit() >> (20 - PAGE_SHIFT)));
			return -ENOMEM;
		}
		err = vma_insert(u->vmas, start, end, prot_of_pf(sg->flags), VMA_IMAGE,
				 ALIGN_DOWN(sg->offset, PAGE_SIZE), path);
		if (err) {
			ksnprintf(why, why_size, "PT_LOAD %d: no room for its area (%d)", i, err);
			return err;
		}
		if ((sg->flags & PF_W) && sg->memsz > sg->filesz && !u->bss_start)
			u->bss_start = sg->vaddr + sg->filesz;
		/* File bytes now; the pure-.bss pages after them are demand-zero. */
		err = uvm_fill(u, sg->vaddr, sg->filesz, rd, ctx, sg->offset);
		if (err) {
			ksnprintf(why, why_size, "PT_LOAD %d: %s %llu bytes (%d)", i,
				  err == -ENOMEM ? "out of memory copying" : "could not read",
				  (unsigned long long)sg->filesz, err);
			return err;
		}
	}
	if (!u->brk_start)
		u->brk_start = u->brk = ALIGN_UP(img->bss_end, PAGE_SIZE); /* no layout given: right after .bss */
	return 0;
}

/* Count v's strings and their bytes; -E2BIG when one is longer than Linux's MAX_ARG_STRLEN. */
static long count_strings(const char *const *v, size_t *bytes)
{
	long n = 0;

	for (; v && v[n]; n++) {
		size_t len = strlen(v[n]) + 1;

		if (len > ARG_STRLEN_MAX)
			return -E2BIG;
		*bytes += len;
	}
	return n;
}

/* Push a string at *sp (growing down) and return its user address. */
static uint64_t push_str(uint8_t *buf, uint64_t base, uint64_t *sp, const char *s)
{
	size_t len = strlen(s) + 1;

	*sp -= len;
	memcpy(buf + (*sp - base), s, len);
	return *sp;
}

int uvm_setup_stack(struct uvm *u, const struct elf_image *img, const char *const *argv, const char *const *envp,
		    const char *execfn_str, uint64_t *rsp)
{
	static const char platform[] = "x86_64";
	size_t strbytes = 0, need, size;
	long argc = count_strings(argv, &strbytes), envc = count_strings(envp, &strbytes);
	uint64_t base, bbase, sp = u->stack_top, random_at, execfn, platform_at, *vec, nvec, *ptrs,
			      rnd[RANDOM_BYTES / 8];
	uint32_t a, b, c, d;
	uint8_t *buf;
	int err;

	if (argc < 0 || envc < 0 || strbytes > ARGS_MAX)
		return -E2BIG;
	/* Strings, platform, random bytes, then the vectors; the [stack] area starts at 128 KiB or what this needs. */
	nvec = 1 + (uint64_t)argc + 1 + (uint64_t)envc + 1 + 2 * AUXV_PAIRS;
	if (!execfn_str)
		execfn_str = argc ? argv[0] : "";
	need = 8 + strbytes + strlen(execfn_str) + 1 + (u->randomized ? u->stack_pad + 16 : 0) + sizeof(platform) +
	       RANDOM_BYTES + 32 + nvec * sizeof(uint64_t);
	size = ALIGN_UP(need, PAGE_SIZE) > USER_STACK_INITIAL ? ALIGN_UP(need, PAGE_SIZE) : USER_STACK_INITIAL;
	base = u->stack_top - size;
	err = vma_insert(u->vmas, base, u->stack_top, VM_READ | VM_WRITE, VMA_STACK, 0, "[stack]");
	if (err)
		return err;
	/* The bytes written lie in the top ALIGN_UP(need) of the area: only those are built in a buffer. */
	bbase = u->stack_top - ALIGN_UP(need, PAGE_SIZE);
	buf = kzalloc(u->stack_top - bbase);
	ptrs = kcalloc((size_t)(argc + envc + 2), sizeof(*ptrs));
	if (!buf || !ptrs) {
		kfree(buf);
		kfree(ptrs);
		return -ENOMEM;
	}

	/* Strings at the top (execfn, env, args), the platform name, then 16 random bytes, as Linux lays them out. */
	sp -= sizeof(uint64_t);
	execfn = push_str(buf, bbase, &sp, execfn_str);
	u->env_end = sp;
	for (long i = envc - 1; i >= 0; i--)
		ptrs[argc + 1 + i] = push_str(buf, bbase, &sp, envp[i]);
	u->env_start = u->arg_end = sp;
	for (long i = argc - 1; i >= 0; i--)
		ptrs[i] = push_str(buf, bbase, &sp, argv[i]);
	u->arg_start = sp;
	/* ASLR: Linux's arch_align_stack moves everything below the strings down by up to 8 KiB. */
	if (u->randomized)
		sp = ALIGN_DOWN(sp - u->stack_pad, 16);
	platform_at = push_str(buf, bbase, &sp, platform);
	for (int i = 0; i < RANDOM_BYTES / 8; i++)
		rnd[i] = random_u64();
	sp = ALIGN_DOWN(sp - RANDOM_BYTES, 16);
	memcpy(buf + (sp - bbase), rnd, RANDOM_BYTES);
	random_at = sp;

	/* argc, argv[], NULL, envp[], NULL, auxv pairs: RSP 16-byte aligned at argc. */
	sp = ALIGN_DOWN(sp - nvec * sizeof(uint64_t), 16);
	if (sp < bbase)
		panic("mm: the initial stack needs more than the %llu bytes counted",
		      (unsigned long long)(u->stack_top - bbase));
	vec = (uint64_t *)(buf + (sp - bbase));
	*vec++ = (uint64_t)argc;
	for (long i = 0; i < argc; i++)
		*vec++ = ptrs[i];
	*vec++ = 0;
	for (long i = 0; i < envc; i++)
		*vec++ = ptrs[argc + 1 + i];
	*vec++ = 0;
	cpuid(1, 0, &a, &b, &c, &d);
	const uint64_t aux[2 * AUXV_PAIRS] = {
		AT_SYSINFO_HWCAP, d,
		AT_PAGESZ,	  PAGE_SIZE,
		AT_CLKTCK,	  CLOCK_TICKS,
		AT_PHDR,	  img->phdr_vaddr,
		AT_PHENT,	  img->phentsize,
		AT_PHNUM,	  img->phnum,
		AT_BASE,	  0,
		AT_FLAGS,	  0,
		AT_ENTRY,	  img->entry,
		AT_UID,		  0,
		AT_EUID,	  0,
		AT_GID,		  0,
		AT_EGID,	  0,
		AT_SECURE,	  0,
		AT_RANDOM,	  random_at,
		AT_HWCAP2,	  0,
		AT_EXECFN,	  execfn,
		AT_PLATFORM,	  platform_at,
		AT_MINSIGSTKSZ,	  MINSIGSTKSZ_X86,
		AT_NULL,	  0,
	};
	memcpy(vec, aux, sizeof(aux));
	_Static_assert(sizeof(aux) <= sizeof(u->auxv), "the saved auxv holds every pair");
	memcpy(u->auxv, aux, sizeof(aux));
	u->auxv_words = 2 * AUXV_PAIRS;

	err = uvm_write(u, sp, buf + (sp - bbase), u->stack_top - sp);
	kfree(buf);
	kfree(ptrs);
	if (err)
		return err;
	u->stack_start = sp;
	*rsp = sp;
	return 0;
}

/* "text", "rodata", "data", "heap", "stack", "anon": how faults name an area. */
static const char *area_name(const struct vma *v)
{
	switch (v->kind) {
	case VMA_IMAGE:
		return v->prot & VM_EXEC ? "text" : v->prot & VM_WRITE ? "data" : "rodata";
	case VMA_HEAP:
		return "heap";
	case VMA_STACK:
		return "stack";
	default:
		return "anon";
	}
}

static struct vma *stack_vma(struct uvm *u)
{
	struct vma *v = vma_find(u->vmas, u->stack_top - PAGE_SIZE);

	return v && v->kind == VMA_STACK ? v : NULL;
}

int uvm_fault(struct uvm *u, uint64_t addr, uint64_t err, char *cause, size_t size)
{
	struct vma *v;
	uint64_t page = ALIGN_DOWN(addr, PAGE_SIZE), guard_end = u->stack_top - USER_STACK_LIMIT;

	if (addr < USER_NULL_GUARD_END) {
		kstrlcpy(cause, "null guard", size);
		return -EFAULT;
	}
	if (addr >= USER_END) {
		kstrlcpy(cause, va_canonical(addr) ? "kernel address" : "non-canonical address", size);
		return -EFAULT;
	}
	v = vma_find(u->vmas, addr);
	if (!v) {
		struct vma *st = stack_vma(u);

		if (addr >= guard_end - PAGE_SIZE && addr < guard_end) {
			kstrlcpy(cause, "stack guard (stack overflow)", size);
			return -EFAULT;
		}
		/* Grow [stack] down to the faulting page, never past the 8 MiB limit. Never shrunk. */
		if (st && addr >= guard_end && addr < st->start && !vma_resize(u->vmas, st->start, page, st->end)) {
			v = vma_find(u->vmas, addr);
		} else {
			kstrlcpy(cause, "unmapped gap", size);
			return -EFAULT;
		}
	}
	if (!(v->prot & (VM_READ | VM_WRITE | VM_EXEC))) {
		ksnprintf(cause, size, "access to PROT_NONE [%s]", area_name(v));
		return -EFAULT;
	}
	if ((err & PFERR_W) && !(v->prot & VM_WRITE)) {
		ksnprintf(cause, size, "write to read-only [%s]", area_name(v));
		return -EFAULT;
	}
	if ((err & PFERR_I) && !(v->prot & VM_EXEC)) {
		ksnprintf(cause, size, "execute in non-executable [%s]", area_name(v));
		return -EFAULT;
	}
	if ((err & PFERR_P) && (err & PFERR_W) && (v->prot & VM_WRITE)) {
		/* A shared page after fork: copy it now (or take it over as its last owner). */
		if (uvm_cow(u, page, v->prot)) {
			ksnprintf(cause, size, "out of memory (RSS %llu KiB)",
				  (unsigned long long)(u->pages * (PAGE_SIZE >> 10)));
			return -ENOMEM;
		}
		u->faults++;
		return 0;
	}
	if (err & PFERR_P) {
		/* Allowed by the area yet refused by the page: the tables disagree with the VMA list. */
		ksnprintf(cause, size, "protection fault in [%s]", area_name(v));
		return -EFAULT;
	}
	if (!map_new_page(u, page, v->prot)) {
		ksnprintf(cause, size, "out of memory (RSS %llu KiB)",
			  (unsigned long long)(u->pages * (PAGE_SIZE >> 10)));
		return -ENOMEM;
	}
	return 0;
}

struct usage_count {
	uint64_t rss, dirty;
};

static int count_leaf(const struct pt_leaf *l, void *ctx)
{
	struct usage_count *c = ctx;

	c->rss += l->size;
	if (l->entry & PTE_D)
		c->dirty += l->size;
	return 0;
}

void uvm_usage(const struct vma *v, struct vma_usage *out, void *ctx)
{
	struct uvm *u = ctx;
	struct usage_count c = { 0, 0 };

	if (v->start < v->end)
		pt_range(&u->pt, v->start, v->end - v->start, PT_VISIT, 0, count_leaf, &c);
	out->rss = c.rss;
	out->dirty = c.dirty;
}

void uvm_status(struct uvm *u, struct proc_status *st)
{
	for (const struct vma *v = vma_first(u->vmas); v; v = vma_next(v)) {
		uint64_t size = v->end - v->start;
		struct vma_usage use;

		uvm_usage(v, &use, u);
		st->vm_size += size;
		st->vm_rss += use.rss;
		if (v->kind == VMA_IMAGE) {
			st->rss_file += use.rss;
			if (v->prot & VM_EXEC)
				st->vm_exe += size;
		} else {
			st->rss_anon += use.rss;
		}
		if (v->kind == VMA_STACK)
			st->vm_stk += size;
		else if ((v->prot & VM_WRITE) || v->kind == VMA_HEAP || v->kind == VMA_ANON)
			st->vm_data += size;
	}
	if (st->vm_size > u->peak_vm)
		u->peak_vm = st->vm_size;
	st->vm_peak = u->peak_vm;
}
