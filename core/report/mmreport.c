/* SPDX-License-Identifier: MIT */
/*
 * mmreport.c - the memory manager made visible: the kernel's regions as a
 * table, as /proc/PID/maps lines and as include/memlayout.h's picture with
 * the real numbers; the PMM and heap counters; seed 004's 9/9/9/9/12 split
 * of one address walked through the live tables; what the tables cost.
 * Every human view has its JSON records (docs/records-mm.md).
 */
#include "mmreport.h"

#include "heap.h"
#include "kprintf.h"
#include "kstring.h"
#include "kvm.h"
#include "memlayout.h"
#include "pmm.h"
#include "record.h"

#define ULL(x) ((unsigned long long)(x))
#define MAPS_PAD 72 /* Linux: seq_setwidth(m, 25 + sizeof(void *) * 6 - 1), then seq_pad(m, ' ') */
#define BOX_W 48    /* inner width of a diagram box */
#define LABEL_W 22  /* "  0xFFFFFFFF_FFFFFFFF " */

static const char *const level_name[PT_LEVELS + 1] = { "page", "PT", "PD", "PDPT", "PML4" };

/* ---- formatters ---------------------------------------------------------- */

const char *mm_fmt_size(uint64_t bytes, char *buf, size_t size)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	const unsigned nunits = sizeof(unit) / sizeof(unit[0]);
	unsigned u = 0, shift;
	uint64_t whole, rem, tenths;

	while (u + 1 < nunits && bytes >> (10 * (u + 1)))
		u++;
	shift = 10 * u;
	whole = bytes >> shift;
	rem = bytes & ((1ULL << shift) - 1);
	if (!rem) {
		ksnprintf(buf, size, "%llu %s", ULL(whole), unit[u]);
		return buf;
	}
	/* rem < 2^40, so rem * 10 cannot overflow. */
	tenths = (rem * 10 + (1ULL << shift) / 2) >> shift;
	if (tenths == 10) {
		whole++;
		tenths = 0;
	}
	if (whole == 1024 && u + 1 < nunits) {
		whole = 1;
		u++;
	}
	ksnprintf(buf, size, "%llu.%llu %s", ULL(whole), ULL(tenths), unit[u]);
	return buf;
}

const char *mm_perm_str(const struct kregion *r, char *buf)
{
	int guard = r->kind == KR_GUARD;

	buf[0] = guard ? '-' : 'r';
	buf[1] = !guard && (r->vm & VM_WRITE) ? 'w' : '-';
	buf[2] = !guard && (r->vm & VM_EXEC) ? 'x' : '-';
	buf[3] = 0;
	return buf;
}

int mm_maps_line(char *buf, size_t size, const struct kregion *r)
{
	char p[4];
	int n, pad;
	size_t o;

	mm_perm_str(r, p);
	/* Linux: "%08lx-%08lx %c%c%c%c %08llx %02x:%02x %lu " (offset, dev and inode 0 for the kernel). */
	n = ksnprintf(buf, size, "%08llx-%08llx %c%c%cp %08llx %02x:%02x %lu ", ULL(r->start), ULL(r->end), p[0], p[1],
		      p[2], 0ULL, 0U, 0U, 0UL);
	pad = n < MAPS_PAD ? MAPS_PAD - n : 0;
	o = (size_t)n < size ? (size_t)n : (size ? size - 1 : 0);
	return n + ksnprintf(buf + o, size - o, "%*s %s", pad, "", r->name);
}

const char *mm_pte_flags(pte_t e, int lvl, char *buf, size_t size)
{
	static const struct {
		pte_t bit;
		const char *name;
	} f[] = {
		{ PTE_P, "P" },	    { PTE_W, "W" },	      { PTE_U, "U" },	{ PTE_PWT, "PWT" },
		{ PTE_PCD, "PCD" }, { PTE_A, "A" },	      { PTE_D, "D" },	{ PTE_PS, "PS" },
		{ PTE_G, "G" },	    { PTE_PAT_LARGE, "PAT" }, { PTE_NX, "NX" },
	};
	int huge_leaf = (lvl == 2 || lvl == 3) && (e & PTE_PS);
	size_t o = 0;

	if (size)
		buf[0] = 0;
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]) && o + 1 < size; i++) {
		const char *name = f[i].name;
		int n;

		if (!(e & f[i].bit))
			continue;
		/* Bit 12 is an address bit except in a 2 MiB / 1 GiB leaf, where it selects PAT. */
		if (f[i].bit == PTE_PAT_LARGE && !huge_leaf)
			continue;
		if (f[i].bit == PTE_PS && lvl == 1)
			name = "PAT";
		n = ksnprintf(buf + o, size - o, "%s%s", o ? " " : "", name);
		o = o + (size_t)n < size ? o + (size_t)n : size - 1;
	}
	if (!o)
		kstrlcpy(buf, "-", size);
	return buf;
}

/* ---- kernel address space ------------------------------------------------ */

static void kmap_table(const struct kregion *reg, size_t n)
{
	size_t guards = 0;
	char sz[16], p[4];

	for (size_t i = 0; i < n; i++)
		guards += reg[i].kind == KR_GUARD;
	kprintf("\nKernel address space: %zu regions (%zu guards)\n", n, guards);
	kprintf("%-16s   %-16s %10s  %-4s %s\n", "start", "end", "size", "perm", "name");
	for (size_t i = 0; i < n; i++)
		kprintf("%016llx - %016llx %10s  %-4s %s\n", ULL(reg[i].start), ULL(reg[i].end),
			mm_fmt_size(reg[i].end - reg[i].start, sz, sizeof(sz)), mm_perm_str(&reg[i], p), reg[i].name);
}

static void kmap_maps(const struct kregion *reg, size_t n)
{
	char line[128];

	kprintf("\npid 0 (kernel) maps:\n");
	for (size_t i = 0; i < n; i++) {
		if (reg[i].kind == KR_GUARD)
			continue;
		mm_maps_line(line, sizeof(line), &reg[i]);
		kprintf("%s\n", line);
	}
}

/* A boundary of the diagram, labelled with its address as include/memlayout.h writes them. */
static void box_edge(uint64_t addr)
{
	static const char dashes[] = "------------------------------------------------------------";

	kprintf("  0x%08llX_%08llX +%.*s+\n", ULL(addr >> 32), ULL(addr & 0xFFFFFFFFULL), BOX_W, dashes);
}

static void box_text(const char *text)
{
	kprintf("%*s|%-*s|\n", LABEL_W, "", BOX_W, text);
}

/* The unmapped range [lo, hi) as a box; hi == 0 stands for 2^64. Nothing when empty or reversed. */
static void box_gap(uint64_t lo, uint64_t hi)
{
	char t[BOX_W + 1], sz[16];

	if (hi == lo || (hi && hi < lo))
		return;
	ksnprintf(t, sizeof(t), "   (gap %s)", mm_fmt_size(hi - lo, sz, sizeof(sz)));
	box_text(t);
	box_edge(lo);
}

/* Top to bottom: every region and guard its own box, the unmapped stretches between them as gaps. */
static void kmap_diagram(const struct kregion *reg, size_t n)
{
	uint64_t hi = 0; /* bottom of what is drawn so far; 0 = 2^64 (nothing yet) */
	char t[BOX_W + 1], sz[16], p[4];

	kprintf("\nKernel half, high addresses at the top (include/memlayout.h with the real numbers):\n\n");
	box_edge(~0ULL);
	for (size_t i = n; i-- > 0;) {
		const struct kregion *r = &reg[i];

		box_gap(r->end, hi);
		ksnprintf(t, sizeof(t), " %-31s %-3s %10s", r->name, mm_perm_str(r, p),
			  mm_fmt_size(r->end - r->start, sz, sizeof(sz)));
		box_text(t);
		box_edge(r->start);
		if (!hi || r->start < hi)
			hi = r->start;
	}
	box_gap(KERNEL_HALF, hi);
	kprintf("%*s  non-canonical hole and user half below (not shown)\n", LABEL_W, "");
}

void report_kmap(void)
{
	size_t n;
	const struct kregion *reg = kvm_regions(&n);
	struct jrec r;
	char p[4];

	if (report_human()) {
		kmap_table(reg, n);
		kmap_maps(reg, n);
		kmap_diagram(reg, n);
	}
	for (size_t i = 0; i < n; i++) {
		jrec_begin(&r, "kmap");
		jrec_hex(&r, "start", reg[i].start);
		jrec_hex(&r, "end", reg[i].end);
		jrec_str(&r, "perm", mm_perm_str(&reg[i], p));
		jrec_str(&r, "name", reg[i].name);
		report_emit(&r);
	}
}

/* ---- physical memory ----------------------------------------------------- */

/* Pages as MiB with one decimal, rounded: "507.8". */
static const char *pages_mib(uint64_t pages, char *buf, size_t size)
{
	uint64_t t = (pages * 10 + 128) / 256;

	ksnprintf(buf, size, "%llu.%llu", ULL(t / 10), ULL(t % 10));
	return buf;
}

static void pmm_row(const char *what, uint64_t pages)
{
	char mib[24];

	kprintf("  %-10s %10llu %10s\n", what, ULL(pages), pages_mib(pages, mib, sizeof(mib)));
}

void report_pmm(void)
{
	struct pmm_stats s;
	struct jrec r;

	pmm_get_stats(&s);
	if (report_human()) {
		kprintf("\nPhysical memory (PMM): %u span%s (1 GiB-aligned stretches of RAM)\n", s.spans,
			s.spans == 1 ? "" : "s");
		kprintf("  %-10s %10s %10s\n", "", "pages", "MiB");
		pmm_row("total", s.total_pages);
		pmm_row("free", s.free_pages);
		pmm_row("metadata", s.meta_pages);
		for (int p = 0; p < PMM_PURPOSES; p++) {
			char what[16];

			ksnprintf(what, sizeof(what), "used %s", pmm_purpose_name((enum pmm_purpose)p));
			pmm_row(what, s.used_pages[p]);
		}
		kprintf("  allocs %llu, frees %llu, failures %llu\n", ULL(s.allocs), ULL(s.frees), ULL(s.failures));
		kprintf("  free blocks by order (order:count):");
		for (unsigned k = 0; k < PMM_ORDERS; k++)
			kprintf(" %u:%llu", k, ULL(s.free_blocks[k]));
		kprintf("\n");
	}
	jrec_begin(&r, "pmm");
	jrec_u64(&r, "total_pages", s.total_pages);
	jrec_u64(&r, "free_pages", s.free_pages);
	jrec_u64(&r, "meta_pages", s.meta_pages);
	for (int p = 0; p < PMM_PURPOSES; p++)
		jrec_u64(&r, pmm_purpose_name((enum pmm_purpose)p), s.used_pages[p]);
	jrec_u64(&r, "allocs", s.allocs);
	jrec_u64(&r, "frees", s.frees);
	jrec_u64(&r, "failures", s.failures);
	jrec_u64(&r, "cached_pages", s.cached_pages);
	jrec_u64(&r, "zeroed_pages", s.zeroed_pages);
	report_emit(&r);
}

/* ---- kernel heap --------------------------------------------------------- */

void report_heap(void)
{
	struct heap_stats st;
	char cls[HEAP_NCLASSES * 48], b1[16], b2[16];
	size_t o = 0;
	struct jrec r;

	heap_get_stats(&st);
	for (unsigned c = 0; c < HEAP_NCLASSES && o + 1 < sizeof(cls); c++) {
		const struct heap_class_stats *cs = &st.cls[c];
		int n = ksnprintf(cls + o, sizeof(cls) - o, "%s%zu:%zu/%zu", c ? "," : "", cs->obj_size, cs->in_use,
				  cs->peak);

		o = o + (size_t)n < sizeof(cls) ? o + (size_t)n : sizeof(cls) - 1;
	}
	if (report_human()) {
		kprintf("\nKernel heap: %s in use (peak %s), %zu pages held; %zu large block%s in %zu pages; %zu failed "
			"allocations\n",
			mm_fmt_size(st.bytes_in_use, b1, sizeof(b1)), mm_fmt_size(st.peak_bytes_in_use, b2, sizeof(b2)),
			st.pages_held, st.large_in_use, st.large_in_use == 1 ? "" : "s", st.large_pages,
			st.alloc_failures);
		kprintf("  %6s %9s %8s %8s %6s\n", "size", "objs/slab", "in use", "peak", "slabs");
		for (unsigned c = 0; c < HEAP_NCLASSES; c++) {
			const struct heap_class_stats *cs = &st.cls[c];

			kprintf("  %6zu %9zu %8zu %8zu %6zu\n", cs->obj_size, cs->objs_per_slab, cs->in_use, cs->peak,
				cs->slabs);
		}
	}
	jrec_begin(&r, "heap");
	jrec_u64(&r, "in_use", st.bytes_in_use);
	jrec_u64(&r, "peak", st.peak_bytes_in_use);
	jrec_u64(&r, "pages", st.pages_held);
	jrec_u64(&r, "large", st.large_in_use);
	jrec_u64(&r, "large_pages", st.large_pages);
	jrec_u64(&r, "failures", st.alloc_failures);
	jrec_str(&r, "classes", cls);
	report_emit(&r);
}

/* ---- one page walk ------------------------------------------------------- */

static void walk_levels(const struct pt_walk *w)
{
	char fl[48], sz[16];

	for (int lvl = PT_LEVELS; lvl >= w->level; lvl--) {
		pte_t e = w->entry[lvl];

		kprintf("  %-4s table 0x%016llx [%3llu] = 0x%016llx  %-20s ", level_name[lvl], ULL(w->table[lvl]),
			ULL(PT_INDEX(w->va, lvl)), ULL(e), mm_pte_flags(e, lvl, fl, sizeof(fl)));
		if (!(e & PTE_P))
			kprintf("not present\n");
		else if (lvl == w->level && w->present)
			kprintf("-> %s page at 0x%llx\n", mm_fmt_size(w->page_size, sz, sizeof(sz)),
				ULL(w->phys - (w->va & (w->page_size - 1))));
		else
			kprintf("-> %s at 0x%llx\n", level_name[lvl - 1], ULL(e & PTE_ADDR_MASK));
	}
}

void report_walk(uint64_t va)
{
	struct pt_walk w;
	char region[64], why[80], sz[16];
	uint64_t entries[PT_LEVELS];
	int canon = va_canonical(va), nent = 0;
	struct jrec r;

	kvm_describe(va, region, sizeof(region));
	memset(&w, 0, sizeof(w));
	w.va = va;
	if (canon)
		pt_walk(kvm_pt(), va, 1, 0, &w);
	why[0] = 0;
	if (!canon)
		kstrlcpy(why, "non-canonical address: bits 63..48 must equal bit 47", sizeof(why));
	else if (!w.present)
		ksnprintf(why, sizeof(why), "%s entry %llu not present", level_name[w.level],
			  ULL(PT_INDEX(va, w.level)));
	for (int lvl = PT_LEVELS; canon && lvl >= w.level && lvl >= 1; lvl--)
		entries[nent++] = w.entry[lvl];

	if (report_human()) {
		kprintf("\nPage walk of 0x%016llx (%s)\n", ULL(va), region);
		kprintf("  9/9/9/9/12 split: PML4 %llu | PDPT %llu | PD %llu | PT %llu | offset 0x%03llx"
			"  (bits 63..48 = 0x%04llx)\n",
			ULL(PT_INDEX(va, 4)), ULL(PT_INDEX(va, 3)), ULL(PT_INDEX(va, 2)), ULL(PT_INDEX(va, 1)),
			ULL(va & (PAGE_SIZE - 1)), ULL(va >> 48));
		if (canon)
			walk_levels(&w);
		if (w.present)
			kprintf("  => mapped: %s page, phys 0x%llx\n", mm_fmt_size(w.page_size, sz, sizeof(sz)),
				ULL(w.phys));
		else
			kprintf("  => not mapped: %s\n", why);
	}
	jrec_begin(&r, "walk");
	jrec_hex(&r, "va", va);
	jrec_u64(&r, "pml4", PT_INDEX(va, 4));
	jrec_u64(&r, "pdpt", PT_INDEX(va, 3));
	jrec_u64(&r, "pd", PT_INDEX(va, 2));
	jrec_u64(&r, "pt", PT_INDEX(va, 1));
	jrec_hex(&r, "offset", va & (PAGE_SIZE - 1));
	jrec_hex_array(&r, "entries", entries, nent);
	jrec_u64(&r, "level", canon ? (uint64_t)w.level : 0);
	jrec_bool(&r, "present", w.present);
	jrec_u64(&r, "page_size", w.present ? w.page_size : 0);
	jrec_hex(&r, "phys", w.present ? w.phys : 0);
	jrec_str(&r, "region", region);
	if (!w.present)
		jrec_str(&r, "reason", why);
	report_emit(&r);
}

/* ---- page-table cost ----------------------------------------------------- */

struct leaf_count {
	uint64_t bytes;
	uint64_t n[PT_LEVELS + 1]; /* leaves by level */
};

static int count_leaf(const struct pt_leaf *l, void *ctx)
{
	struct leaf_count *c = ctx;

	c->bytes += l->size;
	if (l->level >= 1 && l->level <= PT_LEVELS)
		c->n[l->level]++;
	return 0;
}

/* Table pages per GiB of mapped memory, in tenths, rounded. */
static uint64_t per_gib_tenths(uint64_t tables, uint64_t mapped)
{
	return mapped ? ((tables * 10 << 30) + mapped / 2) / mapped : 0;
}

void report_pt_usage(void)
{
	uint64_t t[PT_LEVELS + 1], total = 0, pg;
	struct leaf_count lc = { 0, { 0 } };
	char b1[16], b2[16];
	struct jrec r;

	kvm_count_tables(kvm_pt(), t);
	pt_for_each_leaf(kvm_pt(), count_leaf, &lc);
	for (int lvl = 1; lvl <= PT_LEVELS; lvl++)
		total += t[lvl];
	if (report_human()) {
		kprintf("\nKernel page tables: %llu pages (%s) map %s (recursive slot not counted)\n", ULL(total),
			mm_fmt_size(total << PAGE_SHIFT, b1, sizeof(b1)), mm_fmt_size(lc.bytes, b2, sizeof(b2)));
		kprintf("  %-5s %8s %12s\n", "level", "tables", "per GiB");
		for (int lvl = PT_LEVELS; lvl >= 1; lvl--) {
			pg = per_gib_tenths(t[lvl], lc.bytes);
			kprintf("  %-5s %8llu %10llu.%llu\n", level_name[lvl], ULL(t[lvl]), ULL(pg / 10), ULL(pg % 10));
		}
		pg = per_gib_tenths(total, lc.bytes);
		kprintf("  %-5s %8llu %10llu.%llu\n", "all", ULL(total), ULL(pg / 10), ULL(pg % 10));
		kprintf("  leaves: %llu x 1 GiB, %llu x 2 MiB, %llu x 4 KiB\n", ULL(lc.n[3]), ULL(lc.n[2]),
			ULL(lc.n[1]));
	}
	jrec_begin(&r, "ptables");
	jrec_u64(&r, "pml4", t[4]);
	jrec_u64(&r, "pdpt", t[3]);
	jrec_u64(&r, "pd", t[2]);
	jrec_u64(&r, "pt", t[1]);
	jrec_u64(&r, "mapped_bytes", lc.bytes);
	jrec_u64(&r, "leaves_1g", lc.n[3]);
	jrec_u64(&r, "leaves_2m", lc.n[2]);
	jrec_u64(&r, "leaves_4k", lc.n[1]);
	report_emit(&r);
}
