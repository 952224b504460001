/* SPDX-License-Identifier: MIT */
/*
 * kload.c - unpack the kernel carried inside atlas.efi.
 *
 * The kernel is a separate ELF executable linked at KERNEL_BASE (core/
 * kernel.ld) and embedded by efi/kernel_blob.S, so one .efi file is all a
 * user copies onto an ESP. It travels compressed (an ALZ1 stream without a
 * dictionary, docs/lz.md; as Linux's bzImage carries its kernel): decoded
 * into pages of its own, given back once the segments are copied. Its
 * PT_LOAD segments are copied into one run of
 * fresh pages, so that virtual KERNEL_BASE + x is physical phys + x; .bss
 * is the zeroed tail. The segment list (with p_flags) is kept for vm.c,
 * which maps each segment with its own permissions.
 */
#include "efi.h"
#include "elf64.h"
#include "kstring.h"
#include "lz.h"
#include "memlayout.h"

static int bad(const char *what)
{
	efi_warn("embedded kernel ELF is malformed: %s\n", what);
	return -1;
}

/* Load the kernel ELF blob[0..len) into k (see efi_load_kernel). */
static int load_elf(struct kernel_image *k, const uint8_t *blob, uint64_t len)
{
	Elf64_Ehdr eh;
	uint64_t end = KERNEL_BASE;

	memset(k, 0, sizeof(*k));
	if (len < sizeof(eh))
		return bad("shorter than an ELF header");
	memcpy(&eh, blob, sizeof(eh));
	if (memcmp(eh.e_ident, "\177ELF", 4))
		return bad("e_ident: no ELF magic");
	if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB)
		return bad("e_ident: not ELFCLASS64 little-endian");
	if (eh.e_machine != EM_X86_64 || eh.e_type != ET_EXEC)
		return bad("e_machine/e_type: not an x86-64 ET_EXEC");
	if (eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == 0 || eh.e_phoff > len ||
	    (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr) > len - eh.e_phoff)
		return bad("program header table out of bounds");

	/* First pass: validate and find the span. */
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;

		memcpy(&ph, blob + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_LOAD)
			continue;
		if (k->nseg == (int)(sizeof(k->seg) / sizeof(k->seg[0])))
			return bad("too many PT_LOAD segments");
		if (ph.p_vaddr < end || (ph.p_vaddr & (PAGE_SIZE - 1)))
			return bad("PT_LOAD not page aligned, below KERNEL_BASE or out of order");
		if (ph.p_filesz > ph.p_memsz || ph.p_offset > len || ph.p_filesz > len - ph.p_offset)
			return bad("PT_LOAD file range out of bounds");
		if (ph.p_memsz > KERNEL_IMAGE_MAX || ph.p_vaddr - KERNEL_BASE > KERNEL_IMAGE_MAX - ph.p_memsz)
			return bad("PT_LOAD beyond KERNEL_IMAGE_MAX");
		k->seg[k->nseg].vaddr = ph.p_vaddr;
		k->seg[k->nseg].memsz = ALIGN_UP(ph.p_memsz, PAGE_SIZE);
		k->seg[k->nseg].flags = ph.p_flags;
		k->nseg++;
		end = ph.p_vaddr + ALIGN_UP(ph.p_memsz, PAGE_SIZE);
	}
	if (!k->nseg)
		return bad("no PT_LOAD segment");
	if (eh.e_entry < KERNEL_BASE || eh.e_entry >= end)
		return bad("e_entry outside the image");

	k->size = end - KERNEL_BASE;
	k->entry = eh.e_entry;
	k->phys = efi_alloc_pages(k->size >> PAGE_SHIFT, "the kernel image");
	if (!k->phys)
		return -1;

	/* Second pass: copy file bytes; the rest stays zero (.bss). */
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;

		memcpy(&ph, blob + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type == PT_LOAD)
			memcpy((void *)(uintptr_t)(k->phys + (ph.p_vaddr - KERNEL_BASE)), blob + ph.p_offset,
			       ph.p_filesz);
	}
	return 0;
}

int efi_load_kernel(struct kernel_image *k)
{
	const uint8_t *lz = atlas_kernel_lz;
	size_t lz_len = (size_t)((uintptr_t)atlas_kernel_lz_end - (uintptr_t)atlas_kernel_lz);
	struct lz_header h;
	uint64_t buf, pages;
	long got;
	int ret;

	memset(k, 0, sizeof(*k));
	if (lz_header(lz, lz_len, &h) || h.dict_len)
		return bad("not an ALZ1 stream without a dictionary");
	pages = ALIGN_UP((uint64_t)h.raw_len, PAGE_SIZE) >> PAGE_SHIFT;
	buf = efi_alloc_pages(pages, "the kernel ELF, decompressed");
	if (!buf)
		return -1;
	got = lz_decompress((void *)(uintptr_t)buf, h.raw_len, lz, lz_len, NULL, 0);
	ret = got < 0 ? bad(lz_strerror(got)) : load_elf(k, (const uint8_t *)(uintptr_t)buf, (uint64_t)got);
	if (efi_bs->FreePages(buf, pages) != EFI_SUCCESS)
		efi_warn("could not give back the %llu pages of the decompressed kernel ELF\n",
			 (unsigned long long)pages);
	return ret;
}
