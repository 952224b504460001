/* SPDX-License-Identifier: MIT */
/*
 * iomemreport.c - the physical address tree of this machine: every source
 * gathered into core/iomem.c's inputs, the trees built, and told as
 * /proc/iomem and /proc/ioports text (Linux's exact format) and as
 * {"rec":"iomem"} / {"rec":"ioports"} records.
 *
 * Sources, outermost first: the firmware memory map (normalized; named as
 * Linux names e820 types, with EFI runtime and MMIO kept apart), the boot
 * flash, ECAM, PCI bridge windows and BARs, the framebuffer, the APICs and
 * HPET, each ACPI table, and inside RAM the kernel's image sections and the
 * pages it took for page tables, heap and stacks.
 */
#include "iomemreport.h"
#include "bootreport.h"
#include "cpu.h"
#include "heap.h"
#include "hwinfo.h"
#include "iomem.h"
#include "json.h"
#include "kernel.h"
#include "kstring.h"
#include "kvm.h"
#include "memlayout.h"
#include "memmap.h"
#include "pci.h"
#include "physmap.h"
#include "pmm.h"
#include "ps2kbd.h"
#include "record.h"
#include "serial.h"

#define IN_MAX 640
#define NODES_MAX 640
#define PAGES_MAX 8192 /* kernel pages of one purpose traced into runs */
#define RUNS_MAX 24    /* runs of one purpose listed; the rest are counted */
#define RESET_VECTOR 0xFFFFFFF0ULL
#define IOPORT_LEGACY_END 0xFFFF

/*
 * The inputs and both trees, kept at their size (heap); while build() runs,
 * in and pages point into scratch pages taken from the page allocator for
 * IN_MAX inputs, NODES_MAX nodes and PAGES_MAX traced pages (252 KiB), given
 * back when the tree is built. Scratch from the PMM, not the heap: the tree
 * lists the heap's pages, and scratch there would be listed, then freed.
 */
static struct iomem_in *in;
static int nin;
static struct iomem_node *mem_nodes, *io_nodes;
static int nmem, nio, built;
static uint64_t *pages;

static int add(uint64_t start, uint64_t end_incl, unsigned kind, unsigned space, const char *name)
{
	struct iomem_in *x;

	if (nin == IN_MAX || end_incl < start)
		return -1;
	x = &in[nin];
	memset(x, 0, sizeof(*x));
	x->start = start;
	x->end = end_incl;
	x->kind = (uint8_t)kind;
	x->space = (uint8_t)space;
	x->owner[0] = x->owner[1] = IOMEM_NO_OWNER;
	x->pci = -1;
	kstrlcpy(x->name, name, sizeof(x->name));
	return nin++;
}

/* ---- the firmware map ------------------------------------------------------ */

static unsigned fw_kind(uint32_t type, const char **name)
{
	switch (type) {
	case EFI_LOADER_CODE:
	case EFI_LOADER_DATA:
	case EFI_BOOT_SERVICES_CODE:
	case EFI_BOOT_SERVICES_DATA:
	case EFI_CONVENTIONAL_MEMORY:
		*name = "System RAM";
		return IOK_RAM;
	case EFI_ACPI_RECLAIM_MEMORY:
		*name = "ACPI Tables";
		return IOK_ACPI;
	case EFI_ACPI_MEMORY_NVS:
		*name = "ACPI Non-volatile Storage";
		return IOK_NVS;
	case EFI_UNUSABLE_MEMORY:
		*name = "Unusable memory";
		return IOK_UNUSABLE;
	case EFI_PERSISTENT_MEMORY:
		*name = "Persistent Memory";
		return IOK_PMEM;
	case EFI_RUNTIME_SERVICES_CODE:
		*name = "EFI runtime code";
		return IOK_RT_CODE;
	case EFI_RUNTIME_SERVICES_DATA:
		*name = "EFI runtime data";
		return IOK_RT_DATA;
	case EFI_MEMORY_MAPPED_IO:
		*name = "EFI MMIO";
		return IOK_FW_MMIO;
	case EFI_MEMORY_MAPPED_IO_PORT_SPACE:
		*name = "EFI MMIO port space";
		return IOK_FW_MMIO;
	default:
		*name = "Reserved";
		return IOK_RESERVED;
	}
}

static void add_firmware_map(void)
{
	size_t n;
	const struct mm_region *r = memmap_regions(&n, NULL);

	for (size_t i = 0; i < n; i++) {
		const char *name;
		unsigned kind = fw_kind(r[i].type, &name);

		/* Adjacent ranges of one name are one range, as Linux's e820 table merges them. */
		if (nin && in[nin - 1].kind == kind && in[nin - 1].end + 1 == r[i].start &&
		    !strcmp(in[nin - 1].name, name)) {
			in[nin - 1].end = r[i].end - 1;
			continue;
		}
		add(r[i].start, r[i].end - 1, kind, IOMEM_MEM, name);
	}
	/* The boot flash: the MMIO range holding the reset vector. */
	for (size_t i = 0; i < n; i++)
		if (r[i].type == EFI_MEMORY_MAPPED_IO && r[i].start <= RESET_VECTOR && RESET_VECTOR < r[i].end)
			add(r[i].start, r[i].end - 1, IOK_FLASH, IOMEM_MEM, "Boot ROM (flash)");
}

/* ---- the kernel inside RAM --------------------------------------------------- */

static void sort_pages(uint64_t *a, int n)
{
	/* Heapsort: thousands of pages, no recursion, no allocation. */
	for (int start = n / 2 - 1, end = n;;) {
		int root, child;
		uint64_t t;

		if (start >= 0) {
			root = start--;
		} else {
			if (--end <= 0)
				return;
			t = a[0];
			a[0] = a[end];
			a[end] = t;
			root = 0;
		}
		while ((child = 2 * root + 1) < end) {
			if (child + 1 < end && a[child] < a[child + 1])
				child++;
			if (a[root] >= a[child])
				break;
			t = a[root];
			a[root] = a[child];
			a[child] = t;
			root = child;
		}
	}
}

static void add_runs(int npages, unsigned kind, const char *name)
{
	int runs = 0, i = 0;
	char label[IOMEM_NAME];

	sort_pages(pages, npages);
	while (i < npages) {
		int j = i;

		while (j + 1 < npages && pages[j + 1] == pages[j] + PAGE_SIZE)
			j++;
		if (runs == RUNS_MAX) {
			ksnprintf(label, sizeof(label), "%s (+%d pages elsewhere)", name, npages - i);
			kstrlcpy(in[nin - 1].name, label, sizeof(in[nin - 1].name));
			return;
		}
		add(pages[i], pages[j] + PAGE_SIZE - 1, kind, IOMEM_MEM, name);
		runs++;
		i = j + 1;
	}
}

static int collect_tables(uint64_t table, int lvl, int n)
{
	const pte_t *t = PHYS_TO_DIRECT(table);

	if (n < PAGES_MAX)
		pages[n++] = table;
	if (lvl == 1)
		return n;
	for (int i = 0; i < PT_ENTRIES; i++) {
		if (!(t[i] & PTE_P) || (t[i] & PTE_PS))
			continue;
		if (lvl == PT_LEVELS && (t[i] & PTE_ADDR_MASK) == kvm_pt()->root)
			continue; /* the recursive slot */
		n = collect_tables(t[i] & PTE_ADDR_MASK, lvl - 1, n);
	}
	return n;
}

/* Physical pages behind the kernel regions whose name starts with prefix. */
static int collect_region_pages(const char *prefix)
{
	size_t nreg;
	const struct kregion *reg = kvm_regions(&nreg);
	size_t len = strlen(prefix);
	int n = 0;

	for (size_t i = 0; i < nreg; i++) {
		if (reg[i].kind != KR_MAPPED || strncmp(reg[i].name, prefix, len))
			continue;
		for (uint64_t va = reg[i].start; va < reg[i].end && n < PAGES_MAX; va += PAGE_SIZE) {
			struct pt_walk w;

			if (pt_query(kvm_pt(), va, &w))
				pages[n++] = w.phys & PAGE_MASK;
		}
	}
	return n;
}

static void add_kernel(void)
{
	static const struct {
		char *start, *end;
		const char *name;
	} sec[] = {
		{ __text_start, __text_end, "Kernel code" },
		{ __rodata_start, __rodata_end, "Kernel rodata" },
		{ __data_start, __data_end, "Kernel data" },
		{ __bss_start, __bss_end, "Kernel bss" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(sec); i++) {
		uint64_t p = g_boot->kernel_phys + (SYM(sec[i].start) - KERNEL_BASE);

		if (SYM(sec[i].end) > SYM(sec[i].start))
			add(p, p + (SYM(sec[i].end) - SYM(sec[i].start)) - 1, IOK_KERNEL, IOMEM_MEM, sec[i].name);
	}
	add_runs(collect_tables(kvm_pt()->root, PT_LEVELS, 0), IOK_PT, "Kernel page tables");
	add_runs(collect_region_pages("[kheap]"), IOK_HEAP, "Kernel heap");
	add_runs(collect_region_pages("[kstack"), IOK_STACK, "Kernel stacks");
}

/* ---- platform: ACPI's view --------------------------------------------------- */

static void add_platform(void)
{
	const struct acpi_survey *as = hw_acpi();
	char name[IOMEM_NAME];

	for (int i = 0; i < as->ntables; i++) {
		const struct acpi_table_ent *t = &as->t[i];

		if (!t->length)
			continue;
		if (t->header)
			ksnprintf(name, sizeof(name), "ACPI %s (%s %s rev %u)", t->sig, t->oem_id, t->oem_table_id,
				  t->revision);
		else
			ksnprintf(name, sizeof(name), "ACPI %s%s%s", t->sig, t->oem_id[0] ? " " : "", t->oem_id);
		add(t->phys, t->phys + t->length - 1, IOK_ACPI_TABLE, IOMEM_MEM, name);
	}
	for (int i = 0; i < as->nmcfg; i++) {
		const struct acpi_mcfg_ent *m = &as->mcfg[i];

		/* Linux's name for it (arch/x86/pci/mmconfig-shared.c). */
		ksnprintf(name, sizeof(name), "PCI MMCONFIG %04x [bus %02x-%02x]", m->seg, m->bus_start, m->bus_end);
		add(m->base, m->base + ((uint64_t)(m->bus_end - m->bus_start + 1) << 20) - 1, IOK_ECAM, IOMEM_MEM,
		    name);
	}
	for (int i = 0; i < as->nioapic; i++) {
		ksnprintf(name, sizeof(name), "IOAPIC %d", i);
		add(as->ioapic[i].addr, as->ioapic[i].addr + ACPI_IOAPIC_MMIO_SIZE - 1, IOK_IOAPIC, IOMEM_MEM, name);
	}
	for (int i = 0; i < as->nhpet; i++) {
		ksnprintf(name, sizeof(name), "HPET %d", i);
		add(as->hpet[i], as->hpet[i] + ACPI_HPET_MMIO_SIZE - 1, IOK_HPET, IOMEM_MEM, name);
	}
	if (as->lapic)
		add(as->lapic, as->lapic + ACPI_LAPIC_MMIO_SIZE - 1, IOK_LAPIC, IOMEM_MEM, "Local APIC");
	if (g_boot->fb.base && g_boot->fb.size)
		add(g_boot->fb.base, g_boot->fb.base + g_boot->fb.size - 1, IOK_FB, IOMEM_MEM, "GOP framebuffer");
}

/* ---- PCI --------------------------------------------------------------------- */

static void pci_name(const struct pci_func *f, char *buf, size_t size)
{
	ksnprintf(buf, size, "%04x:%02x:%02x.%x", f->seg, f->bus, f->dev, f->fn);
}

static void add_pci(void)
{
	const struct pci_scan *s = pci_state();
	static int16_t win_in[PCI_MAX_FUNCS][PCI_WINDOWS];
	char name[IOMEM_NAME];

	if (!s)
		return;
	/* Windows first, so BARs can name them as owners; a bridge comes before what is behind it. */
	for (int i = 0; i < s->nfuncs; i++) {
		const struct pci_func *f = &s->f[i];

		for (int w = 0; w < PCI_WINDOWS; w++) {
			const struct pci_window *win = &f->win[w];
			int k, up = f->parent;

			win_in[i][w] = IOMEM_NO_OWNER;
			if (f->header_type != PCI_HEADER_BRIDGE || !win->valid)
				continue;
			ksnprintf(name, sizeof(name), "PCI Bus %04x:%02x", f->seg, f->secondary);
			k = add(win->base, win->limit, IOK_WINDOW, w == PCI_WIN_IO ? IOMEM_IO : IOMEM_MEM, name);
			if (k < 0)
				continue;
			win_in[i][w] = (int16_t)k;
			in[k].pci = (int16_t)i;
			if (up >= 0) {
				in[k].owner[0] = win_in[up][w];
				in[k].owner[1] = w == PCI_WIN_PREF ? win_in[up][PCI_WIN_MEM] : IOMEM_NO_OWNER;
				if (in[k].owner[0] == IOMEM_NO_OWNER && in[k].owner[1] == IOMEM_NO_OWNER)
					in[k].owner[0] = IOMEM_NO_OWNER -
							 1; /* the bridge above forwards no such range */
			}
		}
	}
	for (int i = 0; i < s->nfuncs; i++) {
		const struct pci_func *f = &s->f[i];

		pci_name(f, name, sizeof(name));
		for (int b = 0; b < f->nbars; b++) {
			const struct pci_bar *bar = &f->bar[b];
			int w = pci_bar_window(bar), k;

			/* What decodes now: a BAR whose decode is off claims nothing (its base may be 0). */
			if (!bar->enabled || !bar->size || w < 0)
				continue;
			k = add(bar->base, bar->base + bar->size - 1, bar->kind == PCI_BAR_ROM ? IOK_ROM : IOK_BAR,
				bar->kind == PCI_BAR_IO ? IOMEM_IO : IOMEM_MEM, name);
			if (k < 0)
				continue;
			in[k].pci = (int16_t)i;
			if (f->parent >= 0) {
				in[k].owner[0] = win_in[f->parent][w];
				in[k].owner[1] = w == PCI_WIN_PREF ? win_in[f->parent][PCI_WIN_MEM] : IOMEM_NO_OWNER;
				if (in[k].owner[0] == IOMEM_NO_OWNER && in[k].owner[1] == IOMEM_NO_OWNER)
					in[k].owner[0] = IOMEM_NO_OWNER - 1;
			}
		}
	}
}

/* ---- I/O ports Atlas itself knows about -------------------------------------- */

static void add_legacy_io(void)
{
	const struct acpi_survey *as = hw_acpi();
	const struct pci_scan *s = pci_state();
	char name[IOMEM_NAME];

	/* The ones Atlas drives: PIC (masked at boot), PIT (TSC calibration), its UART and keyboard. */
	add(0x20, 0x21, IOK_LEGACY, IOMEM_IO, "pic1");
	add(0x40, 0x43, IOK_LEGACY, IOMEM_IO, "timer0");
	if (ps2kbd_present()) {
		add(0x60, 0x60, IOK_LEGACY, IOMEM_IO, "keyboard");
		add(0x64, 0x64, IOK_LEGACY, IOMEM_IO, "keyboard");
	}
	add(0xa0, 0xa1, IOK_LEGACY, IOMEM_IO, "pic2");
	if (serial_present() && serial_port())
		add(serial_port(), serial_port() + 7U, IOK_LEGACY, IOMEM_IO, "serial");
	if (s && s->method && !strcmp(s->method, "conf1"))
		add(0xcf8, 0xcff, IOK_LEGACY, IOMEM_IO, "PCI conf1");
	for (int i = 0; i < as->nfixed; i++) {
		ksnprintf(name, sizeof(name), "ACPI %s", as->fixed[i].name);
		add(as->fixed[i].port, (uint64_t)as->fixed[i].port + as->fixed[i].len - 1, IOK_LEGACY, IOMEM_IO, name);
	}
}

/* ---- building and telling ---------------------------------------------------- */

#define SCRATCH_BYTES (IN_MAX * sizeof(struct iomem_in) + NODES_MAX * sizeof(struct iomem_node) + PAGES_MAX * 8)
#define SCRATCH_PAGES ((SCRATCH_BYTES + PAGE_SIZE - 1) / PAGE_SIZE)

/* A heap copy of src[0..n) (n >= 0), or NULL when out of memory. */
static void *keep(const void *src, size_t n, size_t size)
{
	void *p = kmalloc(n ? n * size : 1);

	if (p)
		memcpy(p, src, n * size);
	return p;
}

static void build(void)
{
	uint64_t phys = pmm_alloc_pages(SCRATCH_PAGES, PMM_OTHER);
	struct iomem_in *old_in = in, *all_in;
	struct iomem_node *nodes, *old_mem = mem_nodes, *old_io = io_nodes, *new_mem = NULL, *new_io = NULL;
	int n, new_nmem, new_nio, old_nin = nin;

	built = 1;
	if (!phys) {
		kprintf("iomem: no %zu KiB to build the tree in; keeping the last one\n", (size_t)SCRATCH_PAGES * 4);
		return;
	}
	all_in = PHYS_TO_DIRECT(phys);
	nodes = (struct iomem_node *)(all_in + IN_MAX);
	pages = (uint64_t *)(nodes + NODES_MAX);
	in = all_in;
	nin = 0;
	add_firmware_map();
	add_platform();
	add_pci();
	add_kernel();
	add_legacy_io();
	n = iomem_build(in, nin, IOMEM_MEM, cpu()->phys_bits, nodes, NODES_MAX);
	new_nmem = n < 0 ? NODES_MAX : n;
	new_mem = keep(nodes, (size_t)new_nmem, sizeof(*nodes));
	n = iomem_build(in, nin, IOMEM_IO, 0, nodes, NODES_MAX);
	new_nio = n < 0 ? NODES_MAX : n;
	new_io = keep(nodes, (size_t)new_nio, sizeof(*nodes));
	in = keep(all_in, (size_t)nin, sizeof(*in));
	pages = NULL;
	pmm_free_pages(phys, SCRATCH_PAGES, PMM_OTHER);
	if (!in || !new_mem || !new_io) {
		kprintf("iomem: no memory to keep the tree; keeping the last one\n");
		kfree(in);
		kfree(new_mem);
		kfree(new_io);
		in = old_in;
		nin = old_nin;
		return;
	}
	kfree(old_in);
	kfree(old_mem);
	kfree(old_io);
	mem_nodes = new_mem;
	io_nodes = new_io;
	nmem = new_nmem;
	nio = new_nio;
}

void iomem_refresh(void)
{
	build();
}

const struct iomem_node *iomem_nodes(int io, int *count)
{
	if (!built)
		build();
	*count = io ? nio : nmem;
	return io ? io_nodes : mem_nodes;
}

const struct iomem_in *iomem_inputs(int *count)
{
	if (!built)
		build();
	*count = nin;
	return in;
}

long iomem_format(char *buf, size_t size)
{
	if (!built)
		build();
	return iomem_format_nodes(mem_nodes, nmem, 8, buf, size);
}

long ioports_format(char *buf, size_t size)
{
	if (!built)
		build();
	return iomem_format_nodes(io_nodes, nio, 4, buf, size);
}

static void node_record(const char *rec, const struct iomem_node *x)
{
	const struct iomem_in *src = &in[x->src];
	struct jrec r;
	char flags[96];

	jrec_begin(&r, rec);
	jrec_hex(&r, "start", x->start);
	jrec_hex(&r, "end", x->end);
	jrec_u64(&r, "depth", x->depth);
	jrec_str(&r, "name", x->name);
	jrec_str(&r, "kind", iomem_kind_name(x->kind));
	jrec_str(&r, "flags", iomem_flags_str(x->flags, flags, sizeof(flags)));
	if (src->pci >= 0 && pci_state()) {
		const struct pci_func *f = &pci_state()->f[src->pci];
		char bdf[16];

		pci_name(f, bdf, sizeof(bdf));
		jrec_str(&r, "pci", bdf);
	}
	report_emit(&r);
}

/* Print text line by line: kprintf cuts lines longer than its buffer, not texts. */
static void print_text(long (*fmt)(char *, size_t))
{
	const size_t size = 48 * 1024;
	char *text = kmalloc(size);
	long need;
	const char *p = text;

	if (!text) {
		kprintf("(no %zu KiB to format the text in)\n", size >> 10);
		return;
	}
	need = fmt(text, size);
	if (need >= (long)size)
		kprintf("(%ld bytes; the first %zu follow)\n", need, size - 1);
	while (*p) {
		const char *nl = p;

		while (*nl && *nl != '\n')
			nl++;
		kprintf("%.*s\n", (int)(nl - p), p);
		p = *nl ? nl + 1 : nl;
	}
	kfree(text);
}

static void report_conflicts(const struct iomem_node *n, int count, const char *what)
{
	char flags[96];
	int shown = 0;

	for (int i = 0; i < count; i++) {
		if (!n[i].flags || n[i].flags == IOMEM_F_NOT_IN_MEMMAP)
			continue;
		if (!shown++)
			kprintf("%s conflicts:\n", what);
		kprintf("  %llx-%llx %s: %s\n", (unsigned long long)n[i].start, (unsigned long long)n[i].end, n[i].name,
			iomem_flags_str(n[i].flags, flags, sizeof(flags)));
	}
	if (!shown)
		kprintf("%s: no conflicts (BAR in RAM, BAR outside its bridge window, overlapping BARs)\n", what);
}

void report_iomem(void)
{
	int unlisted = 0;

	if (!built)
		build();
	if (report_human()) {
		kprintf("\nPhysical address space (/proc/iomem format):\n");
		print_text(iomem_format);
		for (int i = 0; i < nmem; i++)
			unlisted += !!(mem_nodes[i].flags & IOMEM_F_NOT_IN_MEMMAP);
		kprintf("%d MMIO range(s) the firmware memory map does not describe (flag not_in_memmap)\n", unlisted);
		report_conflicts(mem_nodes, nmem, "iomem");
	}
	for (int i = 0; i < nmem; i++)
		node_record("iomem", &mem_nodes[i]);
}

void report_ioports(void)
{
	if (!built)
		build();
	if (report_human()) {
		kprintf("\nI/O ports (/proc/ioports format):\n");
		print_text(ioports_format);
		report_conflicts(io_nodes, nio, "ioports");
	}
	for (int i = 0; i < nio; i++)
		node_record("ioports", &io_nodes[i]);
}
