/* SPDX-License-Identifier: MIT */
/*
 * elf.c - validate a static x86-64 ELF executable and describe it (see elf.h).
 *
 * Built into the kernel and the host tests: no libc, no allocation. The file
 * is untrusted. A header is copied out of data[0..size) with memcpy (the
 * buffer may be unaligned) only after its bounds have been checked, and every
 * sum or product of values taken from the file is overflow-checked before it
 * is used. The checks run in the order elf.h lists them; the first failure
 * ends the parse with one line in err and *img cleared. The ELF header's
 * checks are elf_check.c; the program headers' and the placement are here.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "elf.h"
#include "elf_internal.h"
#include "kerrno.h"
#include "kprintf.h"
#include "kstring.h"
#include "memlayout.h"

#define PERM_STR_SIZE 4 /* elf_perm_str()'s "rwx" and its NUL */

/* The program headers are the in-memory structure: copied out whole with memcpy. */
_Static_assert(sizeof(Elf64_Phdr) == 56, "Elf64_Phdr is 56 bytes in the file");
_Static_assert(USER_IMAGE_END % PAGE_SIZE == 0 && USER_IMAGE_BASE % PAGE_SIZE == 0, "page-aligned user image area");

/* Program header i; elf_check_ehdr() has checked that the whole table lies inside the file. */
static void read_phdr(const struct elf_parse_ctx *p, unsigned int i, Elf64_Phdr *ph)
{
	memcpy(ph, p->data + p->eh.e_phoff + (uint64_t)i * sizeof(Elf64_Phdr), sizeof(*ph));
}

/*
 * A dynamically linked program needs an interpreter (PT_INTERP), which
 * Atlas does not provide. A static-PIE has PT_DYNAMIC but no PT_INTERP: its
 * own start-up code applies its relocations, so it only needs a base, as
 * Linux gives it. *dynamic says whether PT_DYNAMIC is there.
 */
static int check_static(struct elf_parse_ctx *p, bool *dynamic)
{
	Elf64_Phdr ph;

	*dynamic = false;
	for (unsigned int i = 0; i < p->eh.e_phnum; i++) {
		read_phdr(p, i, &ph);
		if (ph.p_type == PT_INTERP) {
			return REJECT(p, "PT_INTERP present: dynamically linked programs are not supported (build with "
					 "-static)");
		}
		if (ph.p_type == PT_DYNAMIC)
			*dynamic = true;
	}
	return 0;
}

/* *out = p_vaddr (or another address field) + the load bias, overflow-checked. */
static int bias_addr(struct elf_parse_ctx *p, unsigned int i, const char *field, uint64_t v, uint64_t *out)
{
	if (__builtin_add_overflow(v, p->bias, out)) {
		return REJECT(p, "%s 0x%llx + load_bias 0x%llx overflows in program header %u", field, ULL(v),
			      ULL(p->bias), i);
	}
	return 0;
}

static bool is_pow2(uint64_t v)
{
	return v != 0 && (v & (v - 1)) == 0;
}

/* The pages a segment occupies, [*lo, *hi); empty for p_memsz 0. Checked in range, so no overflow. */
static void seg_pages(const struct elf_segment *s, uint64_t *lo, uint64_t *hi)
{
	*lo = ALIGN_DOWN(s->vaddr, PAGE_SIZE);
	*hi = s->memsz ? ALIGN_UP(s->vaddr + s->memsz, PAGE_SIZE) : *lo;
}

static int check_load(struct elf_parse_ctx *p, unsigned int i, const Elf64_Phdr *ph)
{
	struct elf_image *img = p->img;
	struct elf_segment *s;
	uint64_t va, end, file_end, lo, hi;

	if (img->nseg == ELF_MAX_SEGMENTS) {
		return REJECT(p, "more than %d PT_LOAD segments (ELF_MAX_SEGMENTS), at program header %u",
			      ELF_MAX_SEGMENTS, i);
	}
	if (ph->p_filesz > ph->p_memsz) {
		return REJECT(p, "p_filesz 0x%llx > p_memsz 0x%llx in program header %u", ULL(ph->p_filesz),
			      ULL(ph->p_memsz), i);
	}
	if (__builtin_add_overflow(ph->p_offset, ph->p_filesz, &file_end)) {
		return REJECT(p, "p_offset 0x%llx + p_filesz 0x%llx overflows in program header %u", ULL(ph->p_offset),
			      ULL(ph->p_filesz), i);
	}
	if (file_end > p->size) {
		return REJECT(p,
			      "p_offset 0x%llx + p_filesz 0x%llx runs past the end of the %zu-byte file in program "
			      "header %u",
			      ULL(ph->p_offset), ULL(ph->p_filesz), p->size, i);
	}
	if (ph->p_align > 1 && !is_pow2(ph->p_align)) {
		return REJECT(p, "p_align 0x%llx is not a power of two in program header %u", ULL(ph->p_align), i);
	}
	if (bias_addr(p, i, "p_vaddr", ph->p_vaddr, &va) != 0) {
		return -ENOEXEC;
	}
	if (va < USER_IMAGE_BASE) {
		return REJECT(p, "%s 0x%llx is below 0x%llx (the null guard) in program header %u", p->vaddr, ULL(va),
			      ULL(USER_IMAGE_BASE), i);
	}
	if (va >= KERNEL_HALF) {
		return REJECT(p, "%s 0x%llx is in the kernel half in program header %u", p->vaddr, ULL(va), i);
	}
	if (va >= USER_END) {
		return REJECT(p, "%s 0x%llx is non-canonical in program header %u", p->vaddr, ULL(va), i);
	}
	if (__builtin_add_overflow(va, ph->p_memsz, &end)) {
		return REJECT(p, "%s 0x%llx + p_memsz 0x%llx overflows in program header %u", p->vaddr, ULL(va),
			      ULL(ph->p_memsz), i);
	}
	if (end > USER_IMAGE_END || va >= USER_IMAGE_END) { /* the second for p_memsz 0 */
		return REJECT(p, "PT_LOAD %d [0x%llx, 0x%llx) reaches the stack area (0x%llx and up)", img->nseg,
			      ULL(va), ULL(end), ULL(USER_IMAGE_END));
	}
	/* After the range checks, which keep this message short. */
	if (ph->p_align > 1 && va % ph->p_align != ph->p_offset % ph->p_align) {
		return REJECT(p, "%s 0x%llx and p_offset 0x%llx differ modulo p_align 0x%llx in program header %u",
			      p->vaddr, ULL(va), ULL(ph->p_offset), ULL(ph->p_align), i);
	}

	s = &img->seg[img->nseg];
	*s = (struct elf_segment){
		.vaddr = va, .memsz = ph->p_memsz, .offset = ph->p_offset, .filesz = ph->p_filesz, .flags = ph->p_flags
	};
	seg_pages(s, &lo, &hi);
	for (int j = 0; j < img->nseg; j++) {
		uint64_t olo, ohi;

		seg_pages(&img->seg[j], &olo, &ohi);
		if (lo < hi && olo < ohi && lo < ohi && olo < hi) {
			return REJECT(p, "PT_LOAD %d [0x%llx, 0x%llx) overlaps PT_LOAD %d [0x%llx, 0x%llx) (in pages)",
				      img->nseg, ULL(lo), ULL(hi), j, ULL(olo), ULL(ohi));
		}
	}
	if (lo < hi) { /* an empty segment maps nothing: not part of the span */
		if (img->hi == 0 || lo < img->lo) {
			img->lo = lo;
		}
		if (hi > img->hi) {
			img->hi = hi;
		}
		if (end > img->bss_end) {
			img->bss_end = end;
		}
	}
	img->nseg++;
	return 0;
}

/* Every program header: PT_LOAD segments checked and recorded, PT_PHDR and PT_TLS noted. */
static int check_phdrs(struct elf_parse_ctx *p)
{
	struct elf_image *img = p->img;
	Elf64_Phdr ph;

	for (unsigned int i = 0; i < p->eh.e_phnum; i++) {
		read_phdr(p, i, &ph);
		switch (ph.p_type) {
		case PT_LOAD:
			if (check_load(p, i, &ph) != 0) {
				return -ENOEXEC;
			}
			break;
		case PT_PHDR:
			if (p->have_phdr) {
				break;
			}
			if (bias_addr(p, i, "p_vaddr", ph.p_vaddr, &img->phdr_vaddr) != 0) {
				return -ENOEXEC;
			}
			p->have_phdr = true;
			break;
		case PT_TLS:
			if (p->have_tls) {
				break;
			}
			if (bias_addr(p, i, "p_vaddr", ph.p_vaddr, &img->tls_vaddr) != 0) {
				return -ENOEXEC;
			}
			img->tls_memsz = ph.p_memsz;
			p->have_tls = true;
			break;
		default: /* PT_NOTE, PT_GNU_STACK, PT_GNU_RELRO, ...: nothing to check or load */
			break;
		}
	}
	if (img->nseg == 0) {
		return REJECT(p, "no PT_LOAD segment among the %u program headers: nothing to load", p->eh.e_phnum);
	}
	return 0;
}

static int check_entry(struct elf_parse_ctx *p)
{
	struct elf_image *img = p->img;
	char perm[PERM_STR_SIZE];

	if (__builtin_add_overflow(p->eh.e_entry, p->bias, &img->entry)) {
		return REJECT(p, "e_entry 0x%llx + load_bias 0x%llx overflows", ULL(p->eh.e_entry), ULL(p->bias));
	}
	for (int j = 0; j < img->nseg; j++) {
		const struct elf_segment *s = &img->seg[j];

		if (img->entry < s->vaddr || img->entry - s->vaddr >= s->memsz) {
			continue;
		}
		if (!(s->flags & PF_X)) {
			return REJECT(p, "%s 0x%llx is in PT_LOAD %d [0x%llx, 0x%llx), which is not executable (%s)",
				      p->entry, ULL(img->entry), j, ULL(s->vaddr), ULL(s->vaddr + s->memsz),
				      elf_perm_str(s->flags, perm));
		}
		return 0;
	}
	return REJECT(p, "%s 0x%llx is not inside any PT_LOAD segment", p->entry, ULL(img->entry));
}

/* Without PT_PHDR: the table is in memory if a PT_LOAD's file bytes contain all of it. */
static uint64_t loaded_phdr_vaddr(const struct elf_parse_ctx *p)
{
	const struct elf_image *img = p->img;
	uint64_t start = p->eh.e_phoff;
	uint64_t len = (uint64_t)p->eh.e_phnum * sizeof(Elf64_Phdr); /* checked by elf_check_ehdr() */

	for (int j = 0; j < img->nseg; j++) {
		const struct elf_segment *s = &img->seg[j];

		/* offset + filesz <= size (checked), so neither sum below overflows. */
		if (start >= s->offset && start + len <= s->offset + s->filesz) {
			return s->vaddr + (start - s->offset);
		}
	}
	return 0;
}

/*
 * elf_parse_below: the load bias that puts an ET_DYN's page span directly
 * below top, its first page aligned to the largest PT_LOAD p_align (a page at
 * least), as Linux 6.x maps a static-PIE: like an interpreter, at the top of
 * the mmap area (and since 6.10 honouring p_align). elf_check_ehdr() has checked
 * that the program header table lies inside the file.
 */
static int place_below(struct elf_parse_ctx *p, uint64_t top)
{
	uint64_t lo = UINT64_MAX, hi = 0, align = PAGE_SIZE, span, start;
	Elf64_Phdr ph;

	for (unsigned int i = 0; i < p->eh.e_phnum; i++) {
		uint64_t end;

		read_phdr(p, i, &ph);
		if (ph.p_type != PT_LOAD || ph.p_memsz == 0) {
			continue;
		}
		if (__builtin_add_overflow(ph.p_vaddr, ph.p_memsz, &end) || end > UINT64_MAX - PAGE_SIZE) {
			return REJECT(p, "p_vaddr 0x%llx + p_memsz 0x%llx overflows in program header %u",
				      ULL(ph.p_vaddr), ULL(ph.p_memsz), i);
		}
		if (ALIGN_DOWN(ph.p_vaddr, PAGE_SIZE) < lo) {
			lo = ALIGN_DOWN(ph.p_vaddr, PAGE_SIZE);
		}
		if (end > hi) {
			hi = end;
		}
		if (ph.p_align > align && is_pow2(ph.p_align)) {
			align = ph.p_align;
		}
	}
	if (hi == 0) {
		p->bias = top; /* nothing to place: check_phdrs() names that */
		return 0;
	}
	span = ALIGN_UP(hi, PAGE_SIZE) - lo;
	start = span <= top ? ALIGN_DOWN(top - span, align) : 0;
	if (span > top || start < USER_IMAGE_BASE) {
		return REJECT(p,
			      "the static-PIE's segments span 0x%llx bytes: no room below 0x%llx (aligned to 0x%llx)",
			      ULL(span), ULL(top), ULL(align));
	}
	if (lo > start) {
		return REJECT(p, "ET_DYN linked at 0x%llx cannot be moved down to 0x%llx (static-PIEs are linked at 0)",
			      ULL(lo), ULL(start));
	}
	p->bias = start - lo;
	return 0;
}

/* below: 0 for elf_parse (load_bias given), else elf_parse_below's top. */
static int parse_elf(const void *data, size_t avail, size_t size, uint64_t load_bias, uint64_t below,
		     struct elf_image *img, char *err)
{
	static const uint8_t no_data[1];
	char scratch[ELF_ERR_MAX];
	bool dynamic;
	struct elf_parse_ctx p = { .data = data ? data : no_data, .size = data ? size : 0, .img = img };

	p.avail = avail < p.size ? avail : p.size;

	p.err = err ? err : scratch;
	p.err[0] = 0;
	memset(img, 0, sizeof(*img));
	/* The caller's part: a head holds the whole ELF header whenever the file does. */
	if (p.avail < p.size && p.avail < sizeof(Elf64_Ehdr))
		return REJECT(&p, "only %zu bytes of the %zu-byte ELF header were read", p.avail, sizeof(Elf64_Ehdr));
	if (elf_check_ident(&p) != 0 || elf_check_ehdr(&p) != 0 || check_static(&p, &dynamic) != 0) {
		return -ENOEXEC;
	}
	/*
	 * ET_DYN is loaded at load_bias (a static-PIE relocates itself from its
	 * PT_DYNAMIC). One without PT_DYNAMIC is no toolchain's output (ld -pie
	 * always writes .dynamic): an ET_EXEC with its type changed, whose
	 * absolute addresses would send it into unmapped memory at the first
	 * jump. It is refused by name instead; so is any ET_DYN when the caller
	 * gives no base.
	 */
	if (p.eh.e_type == ET_DYN && !dynamic) {
		return REJECT(&p,
			      "e_type is %u (ET_DYN) without PT_DYNAMIC: neither a static-PIE nor a program Atlas "
			      "can place (link with -static or -static-pie)",
			      ET_DYN);
	}
	if (p.eh.e_type == ET_DYN && below) {
		if (place_below(&p, below) != 0) {
			return -ENOEXEC;
		}
		load_bias = p.bias;
	}
	if (p.eh.e_type == ET_DYN && !load_bias)
		return REJECT(&p, "e_type is %u (ET_DYN): a static-PIE needs a load base, and none was given", ET_DYN);
	p.bias = p.eh.e_type == ET_DYN ? load_bias : 0;
	img->load_bias = p.bias;
	p.vaddr = p.bias ? "load_bias + p_vaddr" : "p_vaddr";
	p.entry = p.bias ? "load_bias + e_entry" : "e_entry";
	img->type = p.eh.e_type;
	img->phnum = p.eh.e_phnum;
	img->phentsize = p.eh.e_phentsize;
	if (check_phdrs(&p) != 0 || check_entry(&p) != 0) {
		return -ENOEXEC;
	}
	if (!p.have_phdr) {
		img->phdr_vaddr = loaded_phdr_vaddr(&p);
	}
	return 0;
}

int elf_parse(const void *data, size_t size, uint64_t load_bias, struct elf_image *img, char *err)
{
	return parse_elf(data, size, size, load_bias, 0, img, err);
}

int elf_parse_below(const void *data, size_t size, uint64_t top, struct elf_image *img, char *err)
{
	/* top 0: no room anywhere, the same refusal as elf_parse() without a bias for an ET_DYN. */
	return parse_elf(data, size, size, 0, top, img, err);
}

int elf_parse_head_below(const void *head, size_t avail, size_t size, uint64_t top, struct elf_image *img, char *err)
{
	return parse_elf(head, avail, size, 0, top, img, err);
}

/* "r-x" style permission string of PF_* flags into buf[4]. Returns buf. */
const char *elf_perm_str(uint32_t pf, char *buf)
{
	buf[0] = (pf & PF_R) ? 'r' : '-';
	buf[1] = (pf & PF_W) ? 'w' : '-';
	buf[2] = (pf & PF_X) ? 'x' : '-';
	buf[PERM_STR_SIZE - 1] = 0;
	return buf;
}
