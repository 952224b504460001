/* SPDX-License-Identifier: MIT */
/*
 * test_elf.c - elf_parse(): valid static executables built in memory, a
 * corpus of malformed ones (each rejected for its own reason), every
 * truncation of a valid file, and random corruption.
 *
 * Every parse goes through parse(): the image is written into a heap buffer
 * of exactly its size (so ASan sees any read past the end) and parsed twice,
 * aligned and at an odd address; the two results must agree, a failure must
 * leave one line in err and *img zeroed, and a success must satisfy every
 * promise elf.h makes (check_promises()).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unit.h"

#include "elf.h"
#include "kerrno.h"
#include "memlayout.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

#define EHDR_SIZE sizeof(Elf64_Ehdr)
#define PHDR_SIZE sizeof(Elf64_Phdr)
#define PH_MAX 20 /* program headers an image here holds: more than ELF_MAX_SEGMENTS */
#define IMAGE_END (USER_STACK_TOP - USER_STACK_LIMIT) /* where the stack area starts */
#define FILL_BYTE 0xcc				      /* what the bytes no header covers hold (int3) */
#define MISALIGN 1				      /* the odd offset of the second, unaligned parse */
#define FUZZ_ROUNDS 20000			      /* random corruptions per base image */
#define FUZZ_MAX_EDITS 4			      /* edits per corruption */
#define FUZZ_SEED 0x9e3779b97f4a7c15ULL

/* Values elf64.h does not name. */
#define EI_OSABI 7
#define ELFCLASS32 1
#define ELFDATA2MSB 2
#define ELFOSABI_GNU 3
#define ELFOSABI_FREEBSD 9
#define ET_NONE 0
#define ET_REL 1
#define ET_CORE 4
#define EM_386 3
#define EM_AARCH64 183
#define PN_XNUM 0xffff
#define PT_GNU_RELRO 0x6474e552

#define PF_RX (PF_R | PF_X)
#define PF_RW (PF_R | PF_W)
#define PF_RWX (PF_R | PF_W | PF_X)

/* An ELF file as structures: serialize() writes it out as bytes. */
struct image {
	Elf64_Ehdr eh;
	Elf64_Phdr ph[PH_MAX];
	unsigned int nph; /* entries of ph[] written at e_phoff (e_phnum may be patched to differ) */
	size_t size;	  /* file size */
};

static void add_ph(struct image *im, uint32_t type, uint32_t flags, uint64_t offset, uint64_t vaddr, uint64_t filesz,
		   uint64_t memsz, uint64_t align)
{
	assert_true(im->nph < PH_MAX);
	im->ph[im->nph++] = (Elf64_Phdr){ .p_type = type,
					  .p_flags = flags,
					  .p_offset = offset,
					  .p_vaddr = vaddr,
					  .p_paddr = vaddr,
					  .p_filesz = filesz,
					  .p_memsz = memsz,
					  .p_align = align };
}

/* An executable header with no program headers yet; finish() sets e_phnum and the size. */
static void start(struct image *im, uint16_t type, uint64_t entry)
{
	static const unsigned char ident[EI_NIDENT] = { 0x7f, 'E', 'L', 'F', ELFCLASS64, ELFDATA2LSB, EV_CURRENT };

	memset(im, 0, sizeof(*im));
	memcpy(im->eh.e_ident, ident, sizeof(ident));
	im->eh.e_type = type;
	im->eh.e_machine = EM_X86_64;
	im->eh.e_version = EV_CURRENT;
	im->eh.e_entry = entry;
	im->eh.e_phoff = EHDR_SIZE;
	im->eh.e_ehsize = EHDR_SIZE;
	im->eh.e_phentsize = PHDR_SIZE;
}

/* The size of the headers when the table directly follows the ELF header. */
static uint64_t headers_size(unsigned int nph)
{
	return EHDR_SIZE + (uint64_t)nph * PHDR_SIZE;
}

/* e_phnum = the headers added; size = the end of the headers or of the last byte a PT_LOAD takes from the file. */
static void finish(struct image *im)
{
	im->eh.e_phnum = (uint16_t)im->nph;
	im->size = im->eh.e_phoff + headers_size(im->nph) - EHDR_SIZE;
	for (unsigned int i = 0; i < im->nph; i++) {
		if (im->ph[i].p_type == PT_LOAD && im->ph[i].p_offset + im->ph[i].p_filesz > im->size) {
			im->size = im->ph[i].p_offset + im->ph[i].p_filesz;
		}
	}
}

/*
 * The program headers of a real `musl-gcc -static -no-pie` hello (with a
 * thread-local and a bss), as readelf -lW shows them: headers in a read-only
 * first page, text, rodata, then data + bss starting mid-page after RELRO.
 */
#define MUSL_NPH 7
#define MUSL_ENTRY 0x401053
#define MUSL_SIZE 0x4110 /* 0x3fbc + 0x154: the end of the data segment's file bytes */

static void musl_image(struct image *im)
{
	start(im, ET_EXEC, MUSL_ENTRY);
	add_ph(im, PT_LOAD, PF_R, 0, 0x400000, headers_size(MUSL_NPH), headers_size(MUSL_NPH), 0x1000);
	add_ph(im, PT_LOAD, PF_RX, 0x1000, 0x401000, 0x1291, 0x1291, 0x1000);
	add_ph(im, PT_LOAD, PF_R, 0x3000, 0x403000, 0x44, 0x44, 0x1000);
	add_ph(im, PT_LOAD, PF_RW, 0x3fbc, 0x404fbc, 0x154, 0x99c, 0x1000);
	add_ph(im, PT_TLS, PF_R, 0x3fbc, 0x404fbc, 4, 4, 4);
	add_ph(im, PT_GNU_STACK, PF_RW, 0, 0, 0, 0, 0x10);
	add_ph(im, PT_GNU_RELRO, PF_R, 0x3fbc, 0x404fbc, 0x44, 0x44, 1);
	finish(im);
	assert_int_equal(im->nph, MUSL_NPH);
	assert_int_equal(im->size, MUSL_SIZE);
}

/* The smallest useful program: one r-x segment holding the headers and the code. */
#define ONE_ENTRY 0x400100
#define ONE_FILESZ 0x180

static void one_image(struct image *im)
{
	start(im, ET_EXEC, ONE_ENTRY);
	add_ph(im, PT_LOAD, PF_RX, 0, 0x400000, ONE_FILESZ, ONE_FILESZ, 0x1000);
	finish(im);
}

/*
 * A static-PIE: ET_DYN with PT_DYNAMIC (its start-up code relocates it) and
 * no PT_INTERP, linked at 0: usable only with a load_bias.
 */
#define PIE_NPH 7
#define PIE_ENTRY 0x1010
#define PIE_BIAS 0x10000000ULL

static void pie_image(struct image *im)
{
	start(im, ET_DYN, PIE_ENTRY);
	add_ph(im, PT_PHDR, PF_R, EHDR_SIZE, EHDR_SIZE, PIE_NPH * PHDR_SIZE, PIE_NPH * PHDR_SIZE, 8);
	add_ph(im, PT_LOAD, PF_R, 0, 0, headers_size(PIE_NPH), headers_size(PIE_NPH), 0x1000);
	add_ph(im, PT_LOAD, PF_RX, 0x1000, 0x1000, 0x800, 0x800, 0x1000);
	add_ph(im, PT_LOAD, PF_RW, 0x1ff0, 0x2ff0, 0x10, 0x200, 0x1000);
	add_ph(im, PT_TLS, PF_R, 0x1ff0, 0x2ff0, 8, 0x10, 8);
	add_ph(im, PT_GNU_STACK, PF_RW, 0, 0, 0, 0, 0x10);
	add_ph(im, PT_DYNAMIC, PF_RW, 0x1ff0, 0x2ff0, 0x10, 0x10, 8);
	finish(im);
	assert_int_equal(im->nph, PIE_NPH);
}

/* n one-page PT_LOAD segments, page after page; the first is r-x and holds the headers and the entry. */
#define LOADS_ENTRY 0x400800
#define LOADS_FIRST_FILESZ 0x1000
#define LOADS_FILESZ 0x100

static void loads_image(struct image *im, unsigned int n)
{
	start(im, ET_EXEC, LOADS_ENTRY);
	for (unsigned int i = 0; i < n; i++) {
		uint64_t sz = i ? LOADS_FILESZ : LOADS_FIRST_FILESZ;

		add_ph(im, PT_LOAD, i ? PF_R : PF_RX, i * PAGE_SIZE, USER_IMAGE_BASE + i * PAGE_SIZE, sz, sz,
		       PAGE_SIZE);
	}
	finish(im);
	assert_true(headers_size(n) <= LOADS_FIRST_FILESZ);
}

/* The file bytes of im at buf[0..im->size): headers wherever they fit, FILL_BYTE elsewhere. */
static void serialize(const struct image *im, uint8_t *buf)
{
	size_t n = im->size < EHDR_SIZE ? im->size : EHDR_SIZE;

	memset(buf, FILL_BYTE, im->size);
	memcpy(buf, &im->eh, n);
	for (unsigned int i = 0; i < im->nph && im->eh.e_phoff <= im->size; i++) {
		uint64_t off = im->eh.e_phoff + (uint64_t)i * PHDR_SIZE; /* no wrap: e_phoff <= size */

		if (off <= im->size && im->size - off >= PHDR_SIZE) {
			memcpy(buf + off, &im->ph[i], PHDR_SIZE);
		}
	}
}

static void assert_zeroed(const struct elf_image *img)
{
	static const struct elf_image zero;

	assert_memory_equal(img, &zero, sizeof(zero));
}

static void assert_same_image(const struct elf_image *a, const struct elf_image *b)
{
	assert_int_equal(a->entry, b->entry);
	assert_int_equal(a->phdr_vaddr, b->phdr_vaddr);
	assert_int_equal(a->phnum, b->phnum);
	assert_int_equal(a->phentsize, b->phentsize);
	assert_int_equal(a->lo, b->lo);
	assert_int_equal(a->hi, b->hi);
	assert_int_equal(a->bss_end, b->bss_end);
	assert_int_equal(a->type, b->type);
	assert_int_equal(a->load_bias, b->load_bias);
	assert_int_equal(a->nseg, b->nseg);
	assert_int_equal(a->tls_vaddr, b->tls_vaddr);
	assert_int_equal(a->tls_memsz, b->tls_memsz);
	for (int i = 0; i < a->nseg; i++) {
		assert_int_equal(a->seg[i].vaddr, b->seg[i].vaddr);
		assert_int_equal(a->seg[i].memsz, b->seg[i].memsz);
		assert_int_equal(a->seg[i].offset, b->seg[i].offset);
		assert_int_equal(a->seg[i].filesz, b->seg[i].filesz);
		assert_int_equal(a->seg[i].flags, b->seg[i].flags);
	}
}

/* What elf.h promises of an accepted file of size bytes, whatever its contents. */
static void check_promises(const struct elf_image *img, size_t size)
{
	uint64_t lo = UINT64_MAX, hi = 0, end_max = 0;
	int exec = 0;

	assert_true(img->type == ET_EXEC || img->type == ET_DYN);
	assert_true(img->type == ET_DYN || img->load_bias == 0);
	assert_int_equal(img->phentsize, PHDR_SIZE);
	assert_true(img->phnum >= 1);
	assert_true(img->nseg >= 1 && img->nseg <= ELF_MAX_SEGMENTS);
	for (int i = 0; i < img->nseg; i++) {
		const struct elf_segment *s = &img->seg[i];
		uint64_t slo = ALIGN_DOWN(s->vaddr, PAGE_SIZE), shi = ALIGN_UP(s->vaddr + s->memsz, PAGE_SIZE);

		assert_true(s->filesz <= s->memsz);
		assert_true(s->offset <= size && s->filesz <= size - s->offset);
		assert_true(s->vaddr >= USER_IMAGE_BASE);
		assert_true(s->vaddr < IMAGE_END && s->memsz <= IMAGE_END - s->vaddr);
		if (s->memsz == 0) {
			continue;
		}
		for (int j = 0; j < i; j++) {
			const struct elf_segment *o = &img->seg[j];

			if (o->memsz) {
				assert_true(shi <= ALIGN_DOWN(o->vaddr, PAGE_SIZE) ||
					    ALIGN_UP(o->vaddr + o->memsz, PAGE_SIZE) <= slo);
			}
		}
		lo = slo < lo ? slo : lo;
		hi = shi > hi ? shi : hi;
		end_max = s->vaddr + s->memsz > end_max ? s->vaddr + s->memsz : end_max;
		if ((s->flags & PF_X) && img->entry >= s->vaddr && img->entry - s->vaddr < s->memsz) {
			exec = 1;
		}
	}
	assert_true(exec);
	assert_int_equal(img->lo, lo);
	assert_int_equal(img->hi, hi);
	assert_int_equal(img->bss_end, end_max);
	assert_int_equal(img->hi, ALIGN_UP(img->bss_end, PAGE_SIZE));
}

/* Parse bytes[0..size) from exact-size heap copies, aligned and not; both must agree. */
static int parse_bytes(const uint8_t *bytes, size_t size, uint64_t bias, struct elf_image *img, char *err)
{
	uint8_t *a = malloc(size ? size : 1), *b = malloc(size + MISALIGN);
	struct elf_image img2;
	char err2[ELF_ERR_MAX];
	int r, r2;

	assert_non_null(a);
	assert_non_null(b);
	memcpy(a, bytes, size);
	memcpy(b + MISALIGN, bytes, size);
	memset(img, 0xa5, sizeof(*img)); /* a parse must overwrite all of it */
	memset(err, 'x', ELF_ERR_MAX);
	r = elf_parse(a, size, bias, img, err);
	r2 = elf_parse(b + MISALIGN, size, bias, &img2, err2);
	free(a);
	free(b);

	assert_true(r == 0 || r == -ENOEXEC);
	assert_int_equal(r, r2);
	assert_true(strnlen(err, ELF_ERR_MAX) < ELF_ERR_MAX);
	assert_string_equal(err, err2);
	assert_null(strchr(err, '\n'));
	if (r == 0) {
		assert_string_equal(err, "");
		assert_same_image(img, &img2);
		check_promises(img, size);
	} else {
		assert_true(strlen(err) > 0);
		assert_zeroed(img);
		assert_zeroed(&img2);
	}
	return r;
}

static int parse(const struct image *im, uint64_t bias, struct elf_image *img, char *err)
{
	uint8_t *bytes = malloc(im->size ? im->size : 1);
	int r;

	assert_non_null(bytes);
	serialize(im, bytes);
	r = parse_bytes(bytes, im->size, bias, img, err);
	free(bytes);
	return r;
}

static void assert_segment(const struct elf_segment *s, uint64_t vaddr, uint64_t memsz, uint64_t offset,
			   uint64_t filesz, uint32_t flags)
{
	assert_int_equal(s->vaddr, vaddr);
	assert_int_equal(s->memsz, memsz);
	assert_int_equal(s->offset, offset);
	assert_int_equal(s->filesz, filesz);
	assert_int_equal(s->flags, flags);
}

/* ---- valid files ------------------------------------------------------------------------------------------- */

static void test_one_segment(void **state)
{
	struct image im;
	struct elf_image img;
	char err[ELF_ERR_MAX];

	(void)state;
	one_image(&im);
	assert_int_equal(parse(&im, 0, &img, err), 0);
	assert_int_equal(img.type, ET_EXEC);
	assert_int_equal(img.entry, ONE_ENTRY);
	assert_int_equal(img.phnum, 1);
	assert_int_equal(img.phentsize, PHDR_SIZE);
	assert_int_equal(img.nseg, 1);
	assert_segment(&img.seg[0], 0x400000, ONE_FILESZ, 0, ONE_FILESZ, PF_RX);
	assert_int_equal(img.lo, 0x400000);
	assert_int_equal(img.hi, 0x401000);
	assert_int_equal(img.bss_end, 0x400000 + ONE_FILESZ);
	assert_int_equal(img.phdr_vaddr, 0x400000 + EHDR_SIZE); /* the table is in the segment's file bytes */
	assert_int_equal(img.tls_vaddr, 0);
	assert_int_equal(img.tls_memsz, 0);
}

/* The numbers are those of a real musl-gcc -static -no-pie binary; checked against readelf by hand. */
static void test_musl_layout(void **state)
{
	struct image im;
	struct elf_image img;
	char err[ELF_ERR_MAX];

	(void)state;
	musl_image(&im);
	assert_int_equal(parse(&im, 0, &img, err), 0);
	assert_int_equal(img.type, ET_EXEC);
	assert_int_equal(img.entry, MUSL_ENTRY);
	assert_int_equal(img.phnum, MUSL_NPH);
	assert_int_equal(img.nseg, 4);
	assert_segment(&img.seg[0], 0x400000, 0x1c8, 0, 0x1c8, PF_R);
	assert_segment(&img.seg[1], 0x401000, 0x1291, 0x1000, 0x1291, PF_RX);
	assert_segment(&img.seg[2], 0x403000, 0x44, 0x3000, 0x44, PF_R);
	assert_segment(&img.seg[3], 0x404fbc, 0x99c, 0x3fbc, 0x154, PF_RW);
	assert_int_equal(img.lo, 0x400000);
	assert_int_equal(img.hi, 0x406000);
	assert_int_equal(img.bss_end, 0x405958); /* 0x404fbc + 0x99c: brk starts at the next page */
	assert_int_equal(img.phdr_vaddr, 0x400040);
	assert_int_equal(img.tls_vaddr, 0x404fbc);
	assert_int_equal(img.tls_memsz, 4);

	/* ET_EXEC ignores load_bias. */
	{
		struct elf_image biased;

		assert_int_equal(parse(&im, PIE_BIAS, &biased, err), 0);
		assert_same_image(&img, &biased);
	}
}

/* ELFOSABI_GNU (what binutils writes when GNU extensions are used) is as good as ELFOSABI_SYSV. */
static void test_osabi_gnu(void **state)
{
	struct image im;
	struct elf_image img;
	char err[ELF_ERR_MAX];

	(void)state;
	musl_image(&im);
	im.eh.e_ident[EI_OSABI] = ELFOSABI_GNU;
	assert_int_equal(parse(&im, 0, &img, err), 0);
	assert_int_equal(img.entry, MUSL_ENTRY);
	assert_int_equal(img.nseg, 4);
}

/* bss_end is the highest end, not the last segment's; lo/hi span all segments whatever their order. */
static void test_unsorted_segments(void **state)
{
	struct image im;
	struct elf_image img;
	char err[ELF_ERR_MAX];
	Elf64_Phdr t;

	(void)state;
	musl_image(&im);
	t = im.ph[0];
	im.ph[0] = im.ph[3];
	im.ph[3] = t;
	assert_int_equal(parse(&im, 0, &img, err), 0);
	assert_int_equal(img.seg[0].vaddr, 0x404fbc);
	assert_int_equal(img.seg[3].vaddr, 0x400000);
	assert_int_equal(img.lo, 0x400000);
	assert_int_equal(img.hi, 0x406000);
	assert_int_equal(img.bss_end, 0x405958);
	assert_int_equal(img.phdr_vaddr, 0x400040);
}

static void test_tls(void **state)
{
	struct image im;
	struct elf_image img;
	char err[ELF_ERR_MAX];

	(void)state;
	/* glibc-like: .tdata 0x18 bytes, .tbss up to 0x60; a second PT_TLS does not replace the first. */
	start(&im, ET_EXEC, 0x401000);
	add_ph(&im, PT_LOAD, PF_RX, 0x1000, 0x401000, 0x100, 0x100, 0x1000);
	add_ph(&im, PT_LOAD, PF_RW, 0x26d8, 0x4026d8, 0x100, 0x400, 0x1000);
	add_ph(&im, PT_TLS, PF_R, 0x26d8, 0x4026d8, 0x18, 0x60, 8);
	add_ph(&im, PT_TLS, PF_R, 0x26d8, 0x4036d8, 0x8, 0x8, 8);
	finish(&im);
	assert_int_equal(parse(&im, 0, &img, err), 0);
	assert_int_equal(img.tls_vaddr, 0x4026d8);
	assert_int_equal(img.tls_memsz, 0x60);
	assert_int_equal(img.nseg, 2);
	assert_int_equal(img.phdr_vaddr, 0); /* offset 0x40 is in no PT_LOAD's file bytes */
}

static void test_gnu_stack(void **state)
{
	static const uint32_t flags[] = { PF_RW, PF_RWX, 0 };
	struct image im;
	struct elf_image img;
	char err[ELF_ERR_MAX];

	(void)state;
	for (size_t i = 0; i < COUNT(flags); i++) {
		start(&im, ET_EXEC, ONE_ENTRY);
		add_ph(&im, PT_GNU_STACK, flags[i], 0, 0, 0, 0, 0x10);
		add_ph(&im, PT_LOAD, PF_RX, 0, 0x400000, ONE_FILESZ, ONE_FILESZ, 0x1000);
		add_ph(&im, PT_NOTE, PF_R, 0x100, 0x400100, 0x20, 0x20, 4);
		add_ph(&im, PT_NULL, 0, 0, 0, 0, 0, 0);
		finish(&im);
		assert_int_equal(parse(&im, 0, &img, err), 0);
		assert_int_equal(img.nseg, 1); /* only PT_LOAD becomes a segment */
		assert_int_equal(img.phnum, 4);
		assert_segment(&img.seg[0], 0x400000, ONE_FILESZ, 0, ONE_FILESZ, PF_RX);
	}
}

static void test_pt_phdr(void **state)
{
	struct image im;
	struct elf_image img;
	char err[ELF_ERR_MAX];

	(void)state;
	/* PT_PHDR wins over the address derived from the PT_LOAD (which would be 0x400040). */
	start(&im, ET_EXEC, ONE_ENTRY);
	add_ph(&im, PT_PHDR, PF_R, EHDR_SIZE, 0x400040, 2 * PHDR_SIZE, 2 * PHDR_SIZE, 8);
	add_ph(&im, PT_LOAD, PF_RX, 0, 0x400000, ONE_FILESZ, ONE_FILESZ, 0x1000);
	finish(&im);
	im.ph[0].p_vaddr = 0x400100;
	assert_int_equal(parse(&im, 0, &img, err), 0);
	assert_int_equal(img.phdr_vaddr, 0x400100);
	assert_int_equal(img.nseg, 1);

	/* A second PT_PHDR does not replace the first. */
	add_ph(&im, PT_PHDR, PF_R, EHDR_SIZE, 0x400140, 3 * PHDR_SIZE, 3 * PHDR_SIZE, 8);
	finish(&im);
	assert_int_equal(parse(&im, 0, &img, err), 0);
	assert_int_equal(img.phdr_vaddr, 0x400100);
}

/* Without PT_PHDR, the table must lie wholly in one PT_LOAD's file bytes to be in memory. */
static void test_phdr_not_loaded(void **state)
{
	struct image im;
	struct elf_image img;
	char err[ELF_ERR_MAX];

	(void)state;
	one_image(&im);
	im.ph[0].p_filesz = EHDR_SIZE + PHDR_SIZE - 1; /* one byte short */
	assert_int_equal(parse(&im, 0, &img, err), 0);
	assert_int_equal(img.phdr_vaddr, 0);
	im.ph[0].p_filesz = EHDR_SIZE + PHDR_SIZE; /* exactly */
	assert_int_equal(parse(&im, 0, &img, err), 0);
	assert_int_equal(img.phdr_vaddr, 0x400040);

	/* The table elsewhere in the file: in the second segment's file bytes, at its offset 0x10. */
	start(&im, ET_EXEC, 0x401000);
	add_ph(&im, PT_LOAD, PF_RX, 0x1000, 0x401000, 0x100, 0x100, 0x1000);
	add_ph(&im, PT_LOAD, PF_R, 0x2000, 0x402000, 0x100, 0x100, 0x1000);
	im.eh.e_phoff = 0x2010;
	finish(&im);
	assert_int_equal(im.size, 0x2100);
	assert_int_equal(parse(&im, 0, &img, err), 0);
	assert_int_equal(img.phdr_vaddr, 0x402010);
}

static void test_static_et_dyn(void **state)
{
	struct image im;
	struct elf_image img;
	char err[ELF_ERR_MAX];

	(void)state;
	pie_image(&im);
	assert_int_equal(parse(&im, PIE_BIAS, &img, err), 0);
	assert_int_equal(img.type, ET_DYN);
	assert_int_equal(img.entry, PIE_BIAS + PIE_ENTRY);
	assert_int_equal(img.nseg, 3);
	assert_segment(&img.seg[0], PIE_BIAS, headers_size(PIE_NPH), 0, headers_size(PIE_NPH), PF_R);
	assert_segment(&img.seg[1], PIE_BIAS + 0x1000, 0x800, 0x1000, 0x800, PF_RX);
	assert_segment(&img.seg[2], PIE_BIAS + 0x2ff0, 0x200, 0x1ff0, 0x10, PF_RW);
	assert_int_equal(img.lo, PIE_BIAS);
	assert_int_equal(img.hi, PIE_BIAS + 0x4000);
	assert_int_equal(img.bss_end, PIE_BIAS + 0x31f0);
	assert_int_equal(img.phdr_vaddr, PIE_BIAS + EHDR_SIZE);
	assert_int_equal(img.tls_vaddr, PIE_BIAS + 0x2ff0);
	assert_int_equal(img.tls_memsz, 0x10);

	/* With a bias, an entry outside the segments is named as the biased address it is. */
	im.eh.e_entry = 0x4000;
	assert_int_equal(parse(&im, PIE_BIAS, &img, err), -ENOEXEC);
	assert_non_null(strstr(err, "load_bias + e_entry 0x10004000 is not inside any PT_LOAD segment"));
	im.eh.e_entry = PIE_ENTRY;

	/* Without a bias it is refused by name, not run at 0 + p_vaddr. */
	assert_int_equal(parse(&im, 0, &img, err), -ENOEXEC);
	assert_string_equal(err, "e_type is 3 (ET_DYN): a static-PIE needs a load base, and none was given");
	/* Without PT_DYNAMIC it is no static-PIE (an ET_EXEC with its type changed): refused, bias or not. */
	im.ph[PIE_NPH - 1].p_type = PT_NOTE;
	assert_int_equal(parse(&im, PIE_BIAS, &img, err), -ENOEXEC);
	assert_string_equal(err,
			    "e_type is 3 (ET_DYN) without PT_DYNAMIC: neither a static-PIE nor a program Atlas can "
			    "place (link with -static or -static-pie)");
	assert_true(strlen(err) < ELF_ERR_MAX - 1); /* not cut short */
	/* Even when linked where an ET_EXEC could go. */
	for (unsigned int i = 0; i < im.nph; i++)
		im.ph[i].p_vaddr += 0x400000;
	im.eh.e_entry += 0x400000;
	finish(&im);
	assert_int_equal(parse(&im, PIE_BIAS, &img, err), -ENOEXEC);
	assert_non_null(strstr(err, "(ET_DYN) without PT_DYNAMIC"));
	pie_image(&im);
	/* A bias that breaks the segments' alignment is named with the biased address. */
	assert_int_equal(parse(&im, PIE_BIAS + 0x10, &img, err), -ENOEXEC);
	assert_non_null(strstr(err, "load_bias + p_vaddr 0x10000010 and p_offset 0x0 differ modulo p_align 0x1000"));
	/* A bias that wraps the second segment round (the first one, at 0, lands in the kernel half). */
	im.ph[1].p_type = PT_NOTE;
	assert_int_equal(parse(&im, 0xfffffffffffff000ULL, &img, err), -ENOEXEC);
	assert_non_null(strstr(err, "p_vaddr 0x1000 + load_bias 0xfffffffffffff000 overflows in program header 2"));
}

/* elf_parse_below on im's bytes; on success also what elf.h promises. */
static int parse_below(const struct image *im, uint64_t top, struct elf_image *img, char *err)
{
	uint8_t *bytes = malloc(im->size ? im->size : 1);
	int r;

	assert_non_null(bytes);
	serialize(im, bytes);
	memset(img, 0xa5, sizeof(*img));
	r = elf_parse_below(bytes, im->size, top, img, err);
	free(bytes);
	assert_true(r == 0 || r == -ENOEXEC);
	if (r == 0) {
		check_promises(img, im->size);
	} else {
		assert_zeroed(img);
		assert_true(strlen(err) > 0);
	}
	return r;
}

/*
 * A static-PIE placed as Linux 6.x places one (elf_parse_below): like an
 * interpreter, its pages end at the top of the mmap area, the first one
 * aligned down to the largest p_align.
 */
static void test_static_pie_below(void **state)
{
	const uint64_t span = 0x4000; /* pie_image: pages 0 .. 0x31f0 rounded up */
	struct image im;
	struct elf_image img, biased;
	char err[ELF_ERR_MAX];

	(void)state;
	pie_image(&im);
	assert_int_equal(parse_below(&im, USER_MMAP_TOP, &img, err), 0);
	assert_int_equal(img.load_bias, USER_MMAP_TOP - span);
	assert_int_equal(img.lo, USER_MMAP_TOP - span);
	assert_int_equal(img.hi, USER_MMAP_TOP);
	assert_int_equal(img.entry, USER_MMAP_TOP - span + PIE_ENTRY);
	assert_int_equal(img.phdr_vaddr, USER_MMAP_TOP - span + EHDR_SIZE);
	/* The very image elf_parse() gives for that bias. */
	assert_int_equal(parse(&im, USER_MMAP_TOP - span, &biased, err), 0);
	assert_same_image(&img, &biased);
	/* A top inside a page: the pages end below it. */
	assert_int_equal(parse_below(&im, USER_MMAP_TOP + 0x123, &img, err), 0);
	assert_int_equal(img.hi, USER_MMAP_TOP);
	/* A p_align above a page is honoured (Linux 6.10): the first page goes down to a 2 MiB boundary. */
	im.ph[2].p_align = HUGE_2M;
	assert_int_equal(parse_below(&im, USER_MMAP_TOP, &img, err), 0);
	assert_int_equal(img.load_bias, ALIGN_DOWN(USER_MMAP_TOP - span, HUGE_2M));
	assert_true(img.hi <= USER_MMAP_TOP);
	/* One that is not a power of two is refused, as elf_parse() refuses it. */
	im.ph[2].p_align = 0x3000;
	assert_int_equal(parse_below(&im, USER_MMAP_TOP, &img, err), -ENOEXEC);
	assert_non_null(strstr(err, "p_align 0x3000 is not a power of two"));
	pie_image(&im);
	/* No room above the null guard, or no top at all. */
	assert_int_equal(parse_below(&im, USER_IMAGE_BASE + span - PAGE_SIZE, &img, err), -ENOEXEC);
	assert_string_equal(err,
			    "the static-PIE's segments span 0x4000 bytes: no room below 0x403000 (aligned to 0x1000)");
	assert_int_equal(parse_below(&im, USER_IMAGE_BASE + span, &img, err), 0);
	assert_int_equal(img.lo, USER_IMAGE_BASE);
	assert_int_equal(parse_below(&im, 0, &img, err), -ENOEXEC);
	assert_string_equal(err, "e_type is 3 (ET_DYN): a static-PIE needs a load base, and none was given");
	/* Linked above where it would go: refused by name rather than wrapped round. */
	for (unsigned int i = 0; i < im.nph; i++)
		im.ph[i].p_vaddr += 0x7ffe00000000ULL;
	im.eh.e_entry += 0x7ffe00000000ULL;
	finish(&im);
	assert_int_equal(parse_below(&im, USER_MMAP_TOP - 0x100000000ULL, &img, err), -ENOEXEC);
	assert_non_null(strstr(err, "ET_DYN linked at 0x7ffe00000000 cannot be moved down"));
	/* A segment whose end wraps round is named. */
	pie_image(&im);
	im.ph[2].p_memsz = UINT64_MAX - 0x800;
	assert_int_equal(parse_below(&im, USER_MMAP_TOP, &img, err), -ENOEXEC);
	assert_non_null(strstr(err, "p_vaddr 0x1000 + p_memsz 0xfffffffffffff7ff overflows in program header 2"));
	/* An ET_EXEC ignores the top. */
	musl_image(&im);
	assert_int_equal(parse_below(&im, USER_MMAP_TOP, &img, err), 0);
	assert_int_equal(parse(&im, 0, &biased, err), 0);
	assert_same_image(&img, &biased);
	assert_int_equal(img.load_bias, 0);
}

/* elf_parse_head_below: exec parses from the file's first bytes; the same image as from all of them. */
static void test_parse_from_the_head(void **state)
{
	struct image im;
	struct elf_image img, whole;
	char err[ELF_ERR_MAX];
	uint8_t *bytes;
	size_t head;

	(void)state;
	pie_image(&im);
	bytes = malloc(im.size);
	assert_non_null(bytes);
	serialize(&im, bytes);
	head = EHDR_SIZE + (size_t)im.eh.e_phnum * sizeof(Elf64_Phdr);
	assert_true(head < im.size);
	assert_int_equal(parse_below(&im, USER_MMAP_TOP, &whole, err), 0);
	assert_int_equal(elf_parse_head_below(bytes, head, im.size, USER_MMAP_TOP, &img, err), 0);
	assert_same_image(&img, &whole);
	/* More than the file is the file. */
	assert_int_equal(elf_parse_head_below(bytes, im.size + 100, im.size, USER_MMAP_TOP, &img, err), 0);
	assert_same_image(&img, &whole);
	/* One byte of the table missing: refused by name, not read past the head. */
	assert_int_equal(elf_parse_head_below(bytes, head - 1, im.size, USER_MMAP_TOP, &img, err), -ENOEXEC);
	assert_non_null(strstr(err, "is not in the first"));
	assert_zeroed(&img);
	/* Part of the ELF header. */
	assert_int_equal(elf_parse_head_below(bytes, EHDR_SIZE - 1, im.size, USER_MMAP_TOP, &img, err), -ENOEXEC);
	assert_non_null(strstr(err, "of the 64-byte ELF header were read"));
	/* The file size still bounds the segments: a file cut short is refused as from its bytes. */
	assert_int_equal(elf_parse_head_below(bytes, head, head, USER_MMAP_TOP, &img, err), -ENOEXEC);
	assert_non_null(strstr(err, "runs past the end of the"));
	free(bytes);
}

/* The edges of the allowed area are inclusive/exclusive as documented. */
static void test_area_edges(void **state)
{
	struct image im;
	struct elf_image img;
	char err[ELF_ERR_MAX];

	(void)state;
	/* A segment that ends exactly where the stack area starts. */
	start(&im, ET_EXEC, IMAGE_END - PAGE_SIZE);
	add_ph(&im, PT_LOAD, PF_RX, 0, IMAGE_END - PAGE_SIZE, 0x100, PAGE_SIZE, PAGE_SIZE);
	finish(&im);
	assert_int_equal(parse(&im, 0, &img, err), 0);
	assert_int_equal(img.hi, IMAGE_END);
	assert_int_equal(img.bss_end, IMAGE_END);
	/* One byte more reaches into it. */
	im.ph[0].p_memsz = PAGE_SIZE + 1;
	assert_int_equal(parse(&im, 0, &img, err), -ENOEXEC);
	assert_non_null(
		strstr(err, "PT_LOAD 0 [0x7ffeff7ff000, 0x7ffeff800001) reaches the stack area (0x7ffeff800000"));

	/* An empty segment maps nothing, but still may not start in the stack area. */
	start(&im, ET_EXEC, 0x400000);
	add_ph(&im, PT_LOAD, PF_RX, 0, 0x400000, 0x100, 0x100, PAGE_SIZE);
	add_ph(&im, PT_LOAD, PF_R, 0, IMAGE_END, 0, 0, PAGE_SIZE);
	finish(&im);
	assert_int_equal(parse(&im, 0, &img, err), -ENOEXEC);
	assert_non_null(strstr(err, "PT_LOAD 1 [0x7ffeff800000, 0x7ffeff800000) reaches the stack area"));

	/* The entry may be the last byte of an executable segment, not the byte after it. */
	one_image(&im);
	im.eh.e_entry = 0x400000 + ONE_FILESZ - 1;
	assert_int_equal(parse(&im, 0, &img, err), 0);
	im.eh.e_entry = 0x400000 + ONE_FILESZ;
	assert_int_equal(parse(&im, 0, &img, err), -ENOEXEC);
	assert_non_null(strstr(err, "e_entry 0x400180 is not inside any PT_LOAD segment"));
}

/* p_align 0 and 1 mean "no alignment": vaddr and offset need not agree. */
static void test_align_none(void **state)
{
	static const uint64_t aligns[] = { 0, 1 };
	struct image im;
	struct elf_image img;
	char err[ELF_ERR_MAX];

	(void)state;
	for (size_t i = 0; i < COUNT(aligns); i++) {
		one_image(&im);
		im.ph[0].p_vaddr = 0x400010;
		im.ph[0].p_align = aligns[i];
		im.eh.e_entry = 0x400100;
		assert_int_equal(parse(&im, 0, &img, err), 0);
		assert_int_equal(img.lo, 0x400000);
		assert_int_equal(img.seg[0].vaddr, 0x400010);
	}
}

static void test_max_segments(void **state)
{
	struct image im;
	struct elf_image img;
	char err[ELF_ERR_MAX];

	(void)state;
	loads_image(&im, ELF_MAX_SEGMENTS);
	assert_int_equal(parse(&im, 0, &img, err), 0);
	assert_int_equal(img.nseg, ELF_MAX_SEGMENTS);
	assert_int_equal(img.hi, USER_IMAGE_BASE + ELF_MAX_SEGMENTS * PAGE_SIZE);
	assert_segment(&img.seg[ELF_MAX_SEGMENTS - 1], USER_IMAGE_BASE + (ELF_MAX_SEGMENTS - 1) * PAGE_SIZE,
		       LOADS_FILESZ, (ELF_MAX_SEGMENTS - 1) * PAGE_SIZE, LOADS_FILESZ, PF_R);

	loads_image(&im, ELF_MAX_SEGMENTS + 1);
	assert_int_equal(parse(&im, 0, &img, err), -ENOEXEC);
	assert_non_null(strstr(err, "more than 16 PT_LOAD segments (ELF_MAX_SEGMENTS), at program header 16"));
}

/* A zero-sized PT_LOAD maps nothing: it overlaps nothing and is not part of the span. */
static void test_empty_segment(void **state)
{
	struct image im;
	struct elf_image img;
	char err[ELF_ERR_MAX];

	(void)state;
	one_image(&im);
	add_ph(&im, PT_LOAD, PF_R, 0x10, 0x400010, 0, 0, 0x1000);
	add_ph(&im, PT_LOAD, PF_R, 0x20, 0x500020, 0, 0, 0x1000);
	finish(&im);
	assert_int_equal(parse(&im, 0, &img, err), 0);
	assert_int_equal(img.nseg, 3);
	assert_int_equal(img.hi, 0x401000);
	assert_int_equal(img.bss_end, 0x400000 + ONE_FILESZ);
}

static void test_perm_str(void **state)
{
	static const char *const want[] = { "---", "--x", "-w-", "-wx", "r--", "r-x", "rw-", "rwx" };
	char buf[4];

	(void)state;
	for (uint32_t pf = 0; pf < COUNT(want); pf++) {
		assert_ptr_equal(elf_perm_str(pf, buf), buf);
		assert_string_equal(buf, want[pf]);
	}
	assert_string_equal(elf_perm_str(0xf0000000 | PF_R, buf), "r--"); /* PF_MASKPROC bits are not permissions */
}

/* err may be NULL; no data at all is an empty file; a failure clears an image that held something. */
static void test_calling(void **state)
{
	struct image im;
	struct elf_image img;
	char err[ELF_ERR_MAX];
	uint8_t bytes[MUSL_SIZE];

	(void)state;
	musl_image(&im);
	serialize(&im, bytes);
	assert_int_equal(elf_parse(bytes, sizeof(bytes), 0, &img, NULL), 0);
	assert_int_equal(img.entry, MUSL_ENTRY);
	assert_int_equal(elf_parse(bytes, sizeof(bytes) - 1, 0, &img, NULL), -ENOEXEC);
	assert_zeroed(&img);
	assert_int_equal(elf_parse(NULL, 0, 0, &img, err), -ENOEXEC);
	assert_non_null(strstr(err, "file is 0 bytes, shorter than the 64-byte ELF header"));
	assert_int_equal(elf_parse(NULL, sizeof(bytes), 0, &img, err), -ENOEXEC);
	assert_non_null(strstr(err, "file is 0 bytes"));
}

/* ---- the malformed corpus ---------------------------------------------------------------------------------- */

enum base { MUSL, ONE, PIE };

enum field {
	END, /* no more patches */
	IDENT,
	TYPE,
	MACHINE,
	VERSION,
	ENTRY,
	PHOFF,
	EHSIZE,
	PHENTSIZE,
	PHNUM,
	SIZE, /* the file size */
	P_TYPE,
	P_FLAGS,
	P_OFFSET,
	P_VADDR,
	P_FILESZ,
	P_MEMSZ,
	P_ALIGN,
};

struct patch {
	enum field f;
	unsigned int i; /* e_ident index, or program header index */
	uint64_t v;
};

#define MAX_PATCHES 4

struct bad_case {
	const char *name;
	enum base base;
	uint64_t bias;
	struct patch patch[MAX_PATCHES];
	const char *expect; /* a distinctive part of err */
};

static void apply(struct image *im, const struct patch *p)
{
	Elf64_Phdr *ph = &im->ph[p->i];

	switch (p->f) {
	case END:
		break;
	case IDENT:
		im->eh.e_ident[p->i] = (unsigned char)p->v;
		break;
	case TYPE:
		im->eh.e_type = (uint16_t)p->v;
		break;
	case MACHINE:
		im->eh.e_machine = (uint16_t)p->v;
		break;
	case VERSION:
		im->eh.e_version = (uint32_t)p->v;
		break;
	case ENTRY:
		im->eh.e_entry = p->v;
		break;
	case PHOFF:
		im->eh.e_phoff = p->v;
		break;
	case EHSIZE:
		im->eh.e_ehsize = (uint16_t)p->v;
		break;
	case PHENTSIZE:
		im->eh.e_phentsize = (uint16_t)p->v;
		break;
	case PHNUM:
		im->eh.e_phnum = (uint16_t)p->v;
		break;
	case SIZE:
		im->size = p->v;
		break;
	case P_TYPE:
		ph->p_type = (uint32_t)p->v;
		break;
	case P_FLAGS:
		ph->p_flags = (uint32_t)p->v;
		break;
	case P_OFFSET:
		ph->p_offset = p->v;
		break;
	case P_VADDR:
		ph->p_vaddr = p->v;
		break;
	case P_FILESZ:
		ph->p_filesz = p->v;
		break;
	case P_MEMSZ:
		ph->p_memsz = p->v;
		break;
	case P_ALIGN:
		ph->p_align = p->v;
		break;
	}
}

/* In the musl image: program headers 0-3 are the PT_LOADs (r--, r-x, r--, rw-), 6 is PT_GNU_RELRO. */
/* clang-format off */
static const struct bad_case bad_cases[] = {
	{ "bad_magic", MUSL, 0, { { IDENT, 3, 'G' } },
	  "e_ident[EI_MAG0..3] is 7f 45 4c 47, expected 7f 45 4c 46" },
	{ "script_not_elf", MUSL, 0, { { IDENT, 0, '#' }, { IDENT, 1, '!' }, { IDENT, 2, '/' }, { IDENT, 3, 'b' } },
	  "e_ident[EI_MAG0..3] is 23 21 2f 62" },
	{ "elfclass32", MUSL, 0, { { IDENT, EI_CLASS, ELFCLASS32 } },
	  "e_ident[EI_CLASS] is 1 (ELFCLASS32), expected 2 (ELFCLASS64)" },
	{ "elfclassnone", MUSL, 0, { { IDENT, EI_CLASS, 0 } },
	  "e_ident[EI_CLASS] is 0 (ELFCLASSNONE)" },
	{ "big_endian", MUSL, 0, { { IDENT, EI_DATA, ELFDATA2MSB } },
	  "e_ident[EI_DATA] is 2 (ELFDATA2MSB), expected 1 (ELFDATA2LSB)" },
	{ "bad_ei_version", MUSL, 0, { { IDENT, EI_VERSION, 0 } },
	  "e_ident[EI_VERSION] is 0, expected 1 (EV_CURRENT)" },
	{ "bad_ei_version_2", MUSL, 0, { { IDENT, EI_VERSION, 2 } },
	  "e_ident[EI_VERSION] is 2, expected 1" },
	{ "bad_osabi", MUSL, 0, { { IDENT, EI_OSABI, ELFOSABI_FREEBSD } },
	  "e_ident[EI_OSABI] is 9 (ELFOSABI_FREEBSD), expected 0 (ELFOSABI_SYSV) or 3 (ELFOSABI_GNU)" },
	{ "bad_e_version", MUSL, 0, { { VERSION, 0, 0 } },
	  "e_version is 0, expected 1 (EV_CURRENT)" },
	{ "em_386", MUSL, 0, { { MACHINE, 0, EM_386 } },
	  "e_machine is 0x3 (EM_386), expected 0x3e (EM_X86_64)" },
	{ "em_aarch64", MUSL, 0, { { MACHINE, 0, EM_AARCH64 } },
	  "e_machine is 0xb7 (EM_AARCH64), expected 0x3e" },
	{ "em_unknown", MUSL, 0, { { MACHINE, 0, 0x1234 } },
	  "e_machine is 0x1234 (unknown)" },
	{ "et_rel", MUSL, 0, { { TYPE, 0, ET_REL } },
	  "e_type is 1 (ET_REL), expected 2 (ET_EXEC) or 3 (ET_DYN)" },
	{ "et_core", MUSL, 0, { { TYPE, 0, ET_CORE } },
	  "e_type is 4 (ET_CORE), expected 2 (ET_EXEC)" },
	{ "et_none", MUSL, 0, { { TYPE, 0, ET_NONE } },
	  "e_type is 0 (ET_NONE)" },
	{ "bad_ehsize", MUSL, 0, { { EHSIZE, 0, 52 } },
	  "e_ehsize is 52, expected 64" },
	{ "phentsize_32bit", MUSL, 0, { { PHENTSIZE, 0, 32 } },
	  "e_phentsize is 32, expected 56 (sizeof(Elf64_Phdr))" },
	{ "phentsize_64", MUSL, 0, { { PHENTSIZE, 0, 64 } },
	  "e_phentsize is 64, expected 56" },
	{ "phnum_0", MUSL, 0, { { PHNUM, 0, 0 } },
	  "e_phnum is 0: no program headers" },
	{ "phnum_xnum", MUSL, 0, { { PHNUM, 0, PN_XNUM } },
	  "e_phnum is 0xffff (PN_XNUM)" },
	{ "phnum_huge", MUSL, 0, { { PHNUM, 0, 2000 } },
	  "e_phnum is 2000, more than the 1024 program headers" },
	/* The largest e_phnum accepted, in a file too small for it. */
	{ "phnum_at_limit_past_end", MUSL, 0, { { PHNUM, 0, 1024 } },
	  "program header table (e_phoff 0x40 + 1024 x 56) runs past the end of the 16656-byte file" },
	{ "phtable_past_end", MUSL, 0, { { PHNUM, 0, 9 }, { SIZE, 0, 512 } },
	  "program header table (e_phoff 0x40 + 9 x 56) runs past the end of the 512-byte file" },
	{ "phoff_past_end", MUSL, 0, { { PHOFF, 0, MUSL_SIZE } },
	  "program header table (e_phoff 0x4110 + 7 x 56) runs past the end of the 16656-byte file" },
	{ "phoff_one_short", MUSL, 0, { { PHOFF, 0, MUSL_SIZE - MUSL_NPH * PHDR_SIZE + 1 } },
	  "program header table (e_phoff 0x3f89 + 7 x 56) runs past the end" },
	{ "phoff_overflow", MUSL, 0, { { PHOFF, 0, 0xffffffffffffffc0ULL } },
	  "program header table (e_phoff 0xffffffffffffffc0 + 7 x 56) overflows" },
	{ "interp_et_exec", MUSL, 0, { { P_TYPE, 6, PT_INTERP } },
	  "PT_INTERP present: dynamically linked programs are not supported (build with -static)" },
	{ "interp_et_dyn", PIE, PIE_BIAS, { { P_TYPE, 5, PT_INTERP } },
	  "PT_INTERP present" },
	/* A dynamic PIE without a bias: PT_INTERP is the reason, not its PT_LOAD at 0 (checked first). */
	{ "interp_reported_first", PIE, 0, { { P_TYPE, 5, PT_INTERP } },
	  "PT_INTERP present" },
	{ "filesz_gt_memsz", MUSL, 0, { { P_FILESZ, 2, 0x2000 }, { P_MEMSZ, 2, 0x1000 } },
	  "p_filesz 0x2000 > p_memsz 0x1000 in program header 2" },
	{ "file_range_past_end", MUSL, 0, { { P_FILESZ, 3, 0x155 } },
	  "p_offset 0x3fbc + p_filesz 0x155 runs past the end of the 16656-byte file in program header 3" },
	{ "offset_past_end", MUSL, 0, { { P_OFFSET, 2, 0x5000 } },
	  "p_offset 0x5000 + p_filesz 0x44 runs past the end" },
	{ "offset_overflow", MUSL, 0, { { P_OFFSET, 1, 0xfffffffffffff000ULL } },
	  "p_offset 0xfffffffffffff000 + p_filesz 0x1291 overflows in program header 1" },
	{ "vaddr_null_guard", MUSL, 0, { { P_VADDR, 1, 0x1000 } },
	  "p_vaddr 0x1000 is below 0x400000 (the null guard) in program header 1" },
	{ "vaddr_just_below_base", MUSL, 0, { { P_VADDR, 0, 0x3ff000 } },
	  "p_vaddr 0x3ff000 is below 0x400000" },
	{ "vaddr_kernel_half", MUSL, 0, { { P_VADDR, 1, 0xffffffff80001000ULL } },
	  "p_vaddr 0xffffffff80001000 is in the kernel half in program header 1" },
	{ "vaddr_non_canonical", MUSL, 0, { { P_VADDR, 1, 0x0000800000001000ULL } },
	  "p_vaddr 0x800000001000 is non-canonical in program header 1" },
	{ "vaddr_memsz_overflow", MUSL, 0, { { P_MEMSZ, 3, 0xffffffffffffff00ULL } },
	  "p_vaddr 0x404fbc + p_memsz 0xffffffffffffff00 overflows in program header 3" },
	{ "reaches_stack", MUSL, 0, { { P_VADDR, 3, 0x7ffeff7fffbcULL } },
	  "PT_LOAD 3 [0x7ffeff7fffbc, 0x7ffeff800958) reaches the stack area (0x7ffeff800000 and up)" },
	{ "inside_stack", MUSL, 0, { { P_VADDR, 3, USER_STACK_TOP - 0x44 } },
	  "PT_LOAD 3 [0x7ffeffffffbc, 0x7fff00000958) reaches the stack area" },
	{ "overlap_same_page", MUSL, 0, { { P_VADDR, 1, 0x400000 }, { P_FILESZ, 1, 0x1000 }, { P_MEMSZ, 1, 0x1000 } },
	  "PT_LOAD 1 [0x400000, 0x401000) overlaps PT_LOAD 0 [0x400000, 0x401000)" },
	/* The byte ranges [0x401000, 0x402291) and [0x402800, 0x402844) are apart, but share a page. */
	{ "overlap_page_granularity", MUSL, 0, { { P_VADDR, 2, 0x402800 }, { P_OFFSET, 2, 0x3800 } },
	  "PT_LOAD 2 [0x402000, 0x403000) overlaps PT_LOAD 1 [0x401000, 0x403000)" },
	{ "overlap_bss", MUSL, 0, { { P_MEMSZ, 2, 0x2000 } },
	  "PT_LOAD 3 [0x404000, 0x406000) overlaps PT_LOAD 2 [0x403000, 0x405000)" },
	{ "align_mismatch", MUSL, 0, { { P_VADDR, 1, 0x401010 } },
	  "p_vaddr 0x401010 and p_offset 0x1000 differ modulo p_align 0x1000 in program header 1" },
	{ "align_mismatch_huge_align", MUSL, 0, { { P_ALIGN, 3, 0x200000 } },
	  "p_vaddr 0x404fbc and p_offset 0x3fbc differ modulo p_align 0x200000 in program header 3" },
	{ "align_2_mismatch", MUSL, 0, { { P_ALIGN, 1, 2 }, { P_VADDR, 1, 0x401001 } },
	  "p_vaddr 0x401001 and p_offset 0x1000 differ modulo p_align 0x2 in program header 1" },
	{ "align_not_pow2", MUSL, 0, { { P_ALIGN, 1, 0x3000 } },
	  "p_align 0x3000 is not a power of two in program header 1" },
	{ "align_all_ones", MUSL, 0, { { P_ALIGN, 3, UINT64_MAX } },
	  "p_align 0xffffffffffffffff is not a power of two" },
	{ "entry_outside", MUSL, 0, { { ENTRY, 0, 0x500000 } },
	  "e_entry 0x500000 is not inside any PT_LOAD segment" },
	{ "entry_zero", MUSL, 0, { { ENTRY, 0, 0 } },
	  "e_entry 0x0 is not inside any PT_LOAD segment" },
	{ "entry_in_rodata", MUSL, 0, { { ENTRY, 0, 0x403010 } },
	  "e_entry 0x403010 is in PT_LOAD 2 [0x403000, 0x403044), which is not executable (r--)" },
	{ "entry_in_bss", MUSL, 0, { { ENTRY, 0, 0x405900 } },
	  "e_entry 0x405900 is in PT_LOAD 3 [0x404fbc, 0x405958), which is not executable (rw-)" },
	{ "entry_text_not_x", MUSL, 0, { { P_FLAGS, 1, PF_R } },
	  "e_entry 0x401053 is in PT_LOAD 1 [0x401000, 0x402291), which is not executable (r--)" },
	{ "entry_bias_overflow", PIE, PIE_BIAS, { { ENTRY, 0, 0xffffffffffffff00ULL } },
	  "e_entry 0xffffffffffffff00 + load_bias 0x10000000 overflows" },
	{ "no_pt_load", MUSL, 0,
	  { { P_TYPE, 0, PT_NOTE }, { P_TYPE, 1, PT_NOTE }, { P_TYPE, 2, PT_NOTE }, { P_TYPE, 3, PT_NULL } },
	  "no PT_LOAD segment among the 7 program headers" },
	{ "tls_bias_overflow", PIE, PIE_BIAS, { { P_VADDR, 4, 0xfffffffffffff000ULL } },
	  "p_vaddr 0xfffffffffffff000 + load_bias 0x10000000 overflows in program header 4" },
	{ "phdr_bias_overflow", PIE, PIE_BIAS, { { P_VADDR, 0, 0xfffffffff0000000ULL } },
	  "p_vaddr 0xfffffffff0000000 + load_bias 0x10000000 overflows in program header 0" },
	{ "bias_into_kernel_half", PIE, 0xfffffffffffff000ULL, { { END, 0, 0 } },
	  "load_bias + p_vaddr 0xfffffffffffff000 is in the kernel half in program header 1" },
	{ "et_dyn_without_dynamic", PIE, PIE_BIAS, { { P_TYPE, 6, PT_NOTE } },
	  "e_type is 3 (ET_DYN) without PT_DYNAMIC: neither a static-PIE" },
	{ "et_dyn_without_bias", PIE, 0, { { END, 0, 0 } },
	  "e_type is 3 (ET_DYN): a static-PIE needs a load base" },
	{ "et_dyn_at_exec_addresses", MUSL, 0, { { TYPE, 0, ET_DYN } },
	  "e_type is 3 (ET_DYN) without PT_DYNAMIC" },
	{ "bss_128tib", MUSL, 0, { { P_MEMSZ, 3, 1ULL << 47 } },
	  "PT_LOAD 3 [0x404fbc, 0x800000404fbc) reaches the stack area (0x7ffeff800000 and up)" },
	{ "phnum_65535", MUSL, 0, { { PHNUM, 0, 65535 } },
	  "e_phnum is 0xffff (PN_XNUM)" },
};
/* clang-format on */

static void base_image(struct image *im, enum base base)
{
	switch (base) {
	case MUSL:
		musl_image(im);
		break;
	case ONE:
		one_image(im);
		break;
	case PIE:
		pie_image(im);
		break;
	}
}

static void test_bad_case(void **state)
{
	const struct bad_case *c = *state;
	struct image im;
	struct elf_image img;
	char err[ELF_ERR_MAX];
	int r;

	base_image(&im, c->base);
	for (int i = 0; i < MAX_PATCHES && c->patch[i].f != END; i++) {
		apply(&im, &c->patch[i]);
	}
	r = parse(&im, c->bias, &img, err);
	print_message("%s: \"%s\"\n", c->name, err);
	assert_int_equal(r, -ENOEXEC);
	assert_non_null(strstr(err, c->expect));
}

/* ---- truncation and corruption ----------------------------------------------------------------------------- */

/* Every prefix of a valid file is rejected, for the reason its length implies. */
static void truncate_all(const struct image *im, uint64_t bias)
{
	uint8_t *bytes = malloc(im->size);
	uint64_t table_end = im->eh.e_phoff + (uint64_t)im->nph * PHDR_SIZE;
	struct elf_image img;
	char err[ELF_ERR_MAX];

	assert_non_null(bytes);
	serialize(im, bytes);
	for (size_t len = 0; len < im->size; len++) {
		assert_int_equal(parse_bytes(bytes, len, bias, &img, err), -ENOEXEC);
		if (len < EHDR_SIZE) {
			assert_non_null(strstr(err, "shorter than the 64-byte ELF header"));
		} else if (len < table_end) {
			assert_non_null(strstr(err, "program header table (e_phoff 0x40 + "));
		} else {
			assert_non_null(strstr(err, "runs past the end of the"));
			assert_non_null(strstr(err, "p_filesz"));
		}
	}
	assert_int_equal(parse_bytes(bytes, im->size, bias, &img, err), 0);
	free(bytes);
}

/* A 1 TiB .bss is a valid ELF: the loader's overcommit policy refuses it (mm/uvm.c), not the parser. */
static void test_bss_1tib_parses(void **state)
{
	struct image im;
	struct elf_image img;
	char err[ELF_ERR_MAX];

	(void)state;
	musl_image(&im);
	im.ph[3].p_memsz = 1ULL << 40;
	assert_int_equal(parse(&im, 0, &img, err), 0);
	assert_int_equal(img.seg[3].memsz, 1ULL << 40);
	assert_int_equal(img.bss_end, im.ph[3].p_vaddr + (1ULL << 40));
	assert_int_equal(img.hi, ALIGN_UP(im.ph[3].p_vaddr + (1ULL << 40), PAGE_SIZE));
}

static void test_truncated(void **state)
{
	struct image im;

	(void)state;
	musl_image(&im);
	truncate_all(&im, 0);
	one_image(&im);
	truncate_all(&im, 0);
	pie_image(&im);
	truncate_all(&im, PIE_BIAS);
}

/* Values at and around every boundary the parser checks. */
static const uint64_t interesting[] = {
	0,
	1,
	0x38,
	0x40,
	0xfff,
	0x1000,
	0x1001,
	0x3ff000,
	0x3fffff,
	0x400000,
	0x401000,
	IMAGE_END - PAGE_SIZE,
	IMAGE_END - 1,
	IMAGE_END,
	USER_STACK_TOP,
	USER_END - 1,
	USER_END,
	KERNEL_HALF,
	0x7fffffffffffffffULL,
	0x8000000000000000ULL,
	0xfffffffffffff000ULL,
	0xffffffffffffffc0ULL,
	UINT64_MAX,
};

/* Random damage: byte noise in the headers or anywhere, and boundary values in header fields. */
static void corrupt(uint8_t *bytes, size_t size, size_t headers, uint64_t *rng)
{
	unsigned int edits = 1 + unit_xorshift(rng) % FUZZ_MAX_EDITS;

	for (unsigned int e = 0; e < edits; e++) {
		uint64_t r = unit_xorshift(rng);
		size_t where = (r >> 8) % (r & 1 ? headers : size);

		if (r & 2) {
			bytes[where] = (uint8_t)(r >> 40);
		} else {
			uint64_t v = interesting[(r >> 40) % COUNT(interesting)];
			size_t field = ALIGN_DOWN(where, sizeof(uint64_t)); /* most header fields are 8-byte aligned */

			if (field + sizeof(v) <= size) {
				memcpy(bytes + field, &v, sizeof(v));
			}
		}
	}
}

static void fuzz(const struct image *im, uint64_t bias, uint64_t seed)
{
	uint8_t *good = malloc(im->size), *bytes = malloc(im->size);
	struct elf_image img;
	char err[ELF_ERR_MAX];
	uint64_t rng = seed;
	int accepted = 0;

	assert_non_null(good);
	assert_non_null(bytes);
	serialize(im, good);
	for (int round = 0; round < FUZZ_ROUNDS; round++) {
		memcpy(bytes, good, im->size);
		corrupt(bytes, im->size, headers_size(im->nph), &rng);
		if (parse_bytes(bytes, im->size, bias, &img, err) == 0) { /* checks every promise on success */
			accepted++;
		}
	}
	/* Both outcomes happen: noise in padding and ignored fields is harmless, in checked fields it is not. */
	assert_true(accepted > 0 && accepted < FUZZ_ROUNDS);
	free(good);
	free(bytes);
}

static void test_fuzz(void **state)
{
	struct image im;

	(void)state;
	musl_image(&im);
	fuzz(&im, 0, FUZZ_SEED);
	pie_image(&im);
	fuzz(&im, PIE_BIAS, FUZZ_SEED + 1);
	/* The same corruptions placed below a top: accepted or refused, never past the top. */
	{
		uint8_t *good = malloc(im.size), *bytes = malloc(im.size);
		uint64_t rng = FUZZ_SEED + 2;
		struct elf_image img;
		char err[ELF_ERR_MAX];

		assert_non_null(good);
		assert_non_null(bytes);
		serialize(&im, good);
		for (int round = 0; round < FUZZ_ROUNDS; round++) {
			memcpy(bytes, good, im.size);
			corrupt(bytes, im.size, headers_size(im.nph), &rng);
			if (elf_parse_below(bytes, im.size, USER_MMAP_TOP, &img, err) == 0) {
				check_promises(&img, im.size);
				assert_true(img.type == ET_EXEC || img.hi <= USER_MMAP_TOP);
			} else {
				assert_zeroed(&img);
			}
		}
		free(good);
		free(bytes);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_segment),
		cmocka_unit_test(test_musl_layout),
		cmocka_unit_test(test_osabi_gnu),
		cmocka_unit_test(test_unsorted_segments),
		cmocka_unit_test(test_tls),
		cmocka_unit_test(test_gnu_stack),
		cmocka_unit_test(test_pt_phdr),
		cmocka_unit_test(test_phdr_not_loaded),
		cmocka_unit_test(test_static_et_dyn),
		cmocka_unit_test(test_static_pie_below),
		cmocka_unit_test(test_parse_from_the_head),
		cmocka_unit_test(test_area_edges),
		cmocka_unit_test(test_align_none),
		cmocka_unit_test(test_max_segments),
		cmocka_unit_test(test_empty_segment),
		cmocka_unit_test(test_perm_str),
		cmocka_unit_test(test_calling),
		cmocka_unit_test(test_bss_1tib_parses),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_fuzz),
	};
	struct CMUnitTest corpus[COUNT(bad_cases)];
	int failed;

	for (size_t i = 0; i < COUNT(bad_cases); i++) {
		corpus[i] = (struct CMUnitTest){ .name = bad_cases[i].name,
						 .test_func = test_bad_case,
						 .initial_state = (void *)&bad_cases[i] };
	}
	failed = cmocka_run_group_tests(tests, NULL, NULL);
	failed += _cmocka_run_group_tests("elf_malformed", corpus, COUNT(corpus), NULL, NULL);
	return failed;
}
