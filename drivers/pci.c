/* SPDX-License-Identifier: MIT */
/*
 * pci.c - the bus walk and BAR sizing (include/pci.h), over whatever
 * config-space accessor the caller gives: ECAM or the 0xCF8 ports in the
 * kernel (drivers/pci_cfg.c), a simulated config space in the host tests.
 *
 * BAR sizing is the standard write-ones protocol (PCI 3.0 6.2.5.1): with the
 * function's I/O and memory decode turned off, write all-ones to a BAR, read
 * back which address bits stick, write the original value back; the upper
 * half of a 64-bit BAR the same way. The command register is restored last,
 * so the device decodes at its old addresses again. Nothing else is written.
 */
#include "pci.h"

#include "kerrno.h"
#include "kstring.h"

#define ALL_ONES 0xFFFFFFFFU
#define VENDOR_NONE 0xFFFF
#define PCI_DEVS 32
#define PCI_FNS 8
#define CAP_WALK_MAX 48 /* (256 - 64) / 4: more links than a standard list can hold */
#define EXT_CAP_WALK_MAX ((PCIE_CFG_SIZE - PCIE_EXT_CAP_FIRST) / 4)
#define EXT_CAP_ID(h) ((h)&0xFFFFU)
#define EXT_CAP_VER(h) (((h) >> 16) & 0xFU)
#define EXT_CAP_NEXT(h) (((h) >> 20) & 0xFFCU)

/* Inside capabilities (PCI 3.0 6.8, PCIe 6.0 7.5.3) */
#define PM_CTRL 4
#define PM_STATE_MASK 0x3U
#define MSI_CTRL 2
#define MSI_ENABLE (1U << 0)
#define MSI_64BIT (1U << 7)
#define MSIX_CTRL 2
#define MSIX_ENABLE (1U << 15)
#define MSIX_SIZE_MASK 0x7FFU
#define EXP_FLAGS 2
#define EXP_TYPE_SHIFT 4
#define EXP_TYPE_MASK 0xFU
#define EXP_LNKSTA 0x12
#define EXP_LNK_SPEED_MASK 0xFU
#define EXP_LNK_WIDTH_SHIFT 4
#define EXP_LNK_WIDTH_MASK 0x3FU

struct walk {
	struct pci_scan *s;
	const struct pci_access *a;
	uint8_t seen_bus[PCI_MAX_BUSES / 8]; /* of the segment being scanned */
};

static uint32_t rd(struct walk *w, const struct pci_func *f, uint16_t off, int width)
{
	w->s->cfg_reads++;
	return w->a->read(w->a->ctx, f->seg, f->bus, f->dev, f->fn, off, width);
}

static void wr(struct walk *w, const struct pci_func *f, uint16_t off, int width, uint32_t v)
{
	w->s->cfg_writes++;
	w->a->write(w->a->ctx, f->seg, f->bus, f->dev, f->fn, off, width, v);
}

/* ---- BARs ---------------------------------------------------------------- */

/* Lowest set bit of the bits that stuck: the size of a naturally aligned region. */
static uint64_t size_from_mask(uint64_t mask)
{
	return mask ? mask & (~mask + 1) : 0;
}

/*
 * Size the BAR at register reg (decode already off). Returns how many
 * registers it used (2 for a 64-bit BAR, else 1).
 */
static int size_bar(struct walk *w, struct pci_func *f, int index, uint16_t reg, int last_reg)
{
	struct pci_bar *b = &f->bar[f->nbars];
	uint32_t orig = rd(w, f, reg, 4), mask, orig_hi = 0, mask_hi = 0;
	uint64_t m;
	int regs = 1;

	wr(w, f, reg, 4, ALL_ONES);
	mask = rd(w, f, reg, 4);
	wr(w, f, reg, 4, orig);
	memset(b, 0, sizeof(*b));
	b->index = (uint8_t)index;
	if (orig & PCI_BAR_SPACE_IO) {
		/* I/O BARs decode 16 bits on x86; a device may hard-wire the upper half to 0. */
		m = mask & PCI_BAR_IO_MASK & 0xFFFFU;
		if (!m || mask == ALL_ONES)
			return regs;
		b->kind = PCI_BAR_IO;
		b->base = orig & PCI_BAR_IO_MASK;
		b->size = size_from_mask(m);
		b->enabled = !!(f->command & PCI_CMD_IO);
	} else {
		uint32_t type = orig & PCI_BAR_MEM_TYPE_MASK;

		b->prefetch = !!(orig & PCI_BAR_MEM_PREFETCH);
		if (type == PCI_BAR_MEM_TYPE_64 && !last_reg) {
			regs = 2;
			orig_hi = rd(w, f, (uint16_t)(reg + 4), 4);
			wr(w, f, (uint16_t)(reg + 4), 4, ALL_ONES);
			mask_hi = rd(w, f, (uint16_t)(reg + 4), 4);
			wr(w, f, (uint16_t)(reg + 4), 4, orig_hi);
			b->kind = PCI_BAR_MEM64;
		} else {
			b->kind = type == 0x2 ? PCI_BAR_MEM1M : PCI_BAR_MEM32;
		}
		m = ((uint64_t)mask_hi << 32 | mask) & PCI_BAR_MEM_MASK;
		if (b->kind != PCI_BAR_MEM64)
			m |= 0xFFFFFFFF00000000ULL; /* a 32-bit BAR's size comes from its low half */
		if (!(mask & PCI_BAR_MEM_MASK) && !mask_hi)
			return regs; /* not implemented */
		b->base = ((uint64_t)orig_hi << 32 | orig) & PCI_BAR_MEM_MASK;
		b->size = size_from_mask(m);
		b->enabled = !!(f->command & PCI_CMD_MEM);
	}
	if (b->size)
		f->nbars++;
	return regs;
}

static void size_rom(struct walk *w, struct pci_func *f, uint16_t reg)
{
	struct pci_bar *b = &f->bar[f->nbars];
	uint32_t orig = rd(w, f, reg, 4), mask;

	/* All-ones with the enable bit clear: the ROM must not start decoding here. */
	wr(w, f, reg, 4, (uint32_t)PCI_ROM_MASK);
	mask = rd(w, f, reg, 4);
	wr(w, f, reg, 4, orig);
	if (mask == ALL_ONES || !(mask & PCI_ROM_MASK))
		return;
	memset(b, 0, sizeof(*b));
	b->index = PCI_ROM_INDEX;
	b->kind = PCI_BAR_ROM;
	b->base = orig & PCI_ROM_MASK;
	b->size = size_from_mask((mask & PCI_ROM_MASK) | 0xFFFFFFFF00000000ULL);
	b->enabled = (orig & PCI_ROM_ENABLE) && (f->command & PCI_CMD_MEM);
	f->nbars++;
}

static void read_bars(struct walk *w, struct pci_func *f)
{
	int nregs = f->header_type == PCI_HEADER_NORMAL ? 6 : f->header_type == PCI_HEADER_BRIDGE ? 2 : 0;
	uint16_t rom = f->header_type == PCI_HEADER_NORMAL ? PCI_ROM_BAR : PCI_BRIDGE_ROM_BAR;

	/*
	 * Decode off around the whole protocol; the command register goes back
	 * last. Not for host bridges: as Linux (quirk_mmio_always_on), since
	 * some decode main memory through their command register.
	 */
	int toggle = (f->command & (PCI_CMD_IO | PCI_CMD_MEM)) &&
		     !(f->class_code == PCI_CLASS_BRIDGE && f->subclass == PCI_SUBCLASS_HOST);

	if (f->header_type > PCI_HEADER_BRIDGE)
		return;
	if (toggle)
		wr(w, f, PCI_COMMAND, 2, f->command & ~(PCI_CMD_IO | PCI_CMD_MEM));
	for (int i = 0; i < nregs;)
		i += size_bar(w, f, i, (uint16_t)(PCI_BAR0 + 4 * i), i == nregs - 1);
	size_rom(w, f, rom);
	if (toggle)
		wr(w, f, PCI_COMMAND, 2, f->command);
}

/* ---- bridge windows (PCI-to-PCI Bridge 1.2, 3.2.5) ----------------------- */

static void read_windows(struct walk *w, struct pci_func *f)
{
	struct pci_window *io = &f->win[PCI_WIN_IO], *mem = &f->win[PCI_WIN_MEM], *pf = &f->win[PCI_WIN_PREF];
	uint32_t iob = rd(w, f, PCI_IO_BASE, 1), iol = rd(w, f, PCI_IO_LIMIT, 1);
	uint32_t mb = rd(w, f, PCI_MEM_BASE, 2), ml = rd(w, f, PCI_MEM_LIMIT, 2);
	uint32_t pb = rd(w, f, PCI_PREF_BASE, 2), pl = rd(w, f, PCI_PREF_LIMIT, 2);

	/* A bridge without an I/O window hard-wires base and limit to 0: 0 means none only if both are. */
	if (iob || iol) {
		io->base = (uint64_t)(iob & 0xF0U) << 8;
		io->limit = ((uint64_t)(iol & 0xF0U) << 8) | 0xFFF;
		if ((iob & 0xFU) == PCI_WIN_IO_32) {
			io->wide = 1;
			io->base |= (uint64_t)rd(w, f, PCI_IO_BASE_UPPER, 2) << 16;
			io->limit |= (uint64_t)rd(w, f, PCI_IO_LIMIT_UPPER, 2) << 16;
		}
		io->valid = io->base <= io->limit;
	}
	mem->base = (uint64_t)(mb & 0xFFF0U) << 16;
	mem->limit = ((uint64_t)(ml & 0xFFF0U) << 16) | 0xFFFFF;
	mem->valid = (mb || ml) && mem->base <= mem->limit;
	if (pb || pl) {
		pf->base = (uint64_t)(pb & 0xFFF0U) << 16;
		pf->limit = ((uint64_t)(pl & 0xFFF0U) << 16) | 0xFFFFF;
		if ((pb & 0xFU) == PCI_WIN_PREF_64) {
			pf->wide = 1;
			pf->base |= (uint64_t)rd(w, f, PCI_PREF_BASE_UPPER, 4) << 32;
			pf->limit |= (uint64_t)rd(w, f, PCI_PREF_LIMIT_UPPER, 4) << 32;
		}
		pf->valid = pf->base <= pf->limit;
	}
	f->bridge_control = (uint16_t)rd(w, f, PCI_BRIDGE_CONTROL, 2);
}

/* ---- capabilities -------------------------------------------------------- */

static void cap_problem(struct pci_func *f, enum pci_cap_problem p, uint16_t at)
{
	if (!f->cap_problem) {
		f->cap_problem = (uint8_t)p;
		f->cap_problem_at = at;
	}
}

static int add_cap(struct pci_func *f, uint16_t off, uint16_t id, int ext, uint8_t ver)
{
	if (f->ncaps == PCI_MAX_CAPS) {
		cap_problem(f, PCI_CAPS_TOO_MANY, off);
		return -1;
	}
	f->cap[f->ncaps].off = off;
	f->cap[f->ncaps].id = id;
	f->cap[f->ncaps].ext = (uint8_t)ext;
	f->cap[f->ncaps].version = ver;
	f->ncaps++;
	return 0;
}

static void decode_cap(struct walk *w, struct pci_func *f, uint8_t id, uint16_t off)
{
	uint32_t v;

	switch (id) {
	case PCI_CAP_ID_PM:
		f->pm_state = (uint8_t)((rd(w, f, (uint16_t)(off + PM_CTRL), 2) & PM_STATE_MASK) + 1);
		break;
	case PCI_CAP_ID_MSI:
		v = rd(w, f, (uint16_t)(off + MSI_CTRL), 2);
		f->msi_enabled = !!(v & MSI_ENABLE);
		f->msi_64 = !!(v & MSI_64BIT);
		break;
	case PCI_CAP_ID_MSIX:
		v = rd(w, f, (uint16_t)(off + MSIX_CTRL), 2);
		f->msix_enabled = !!(v & MSIX_ENABLE);
		f->msix_table_size = (uint16_t)((v & MSIX_SIZE_MASK) + 1);
		break;
	case PCI_CAP_ID_EXP:
		v = rd(w, f, (uint16_t)(off + EXP_FLAGS), 2);
		f->pcie_type = (uint8_t)(((v >> EXP_TYPE_SHIFT) & EXP_TYPE_MASK) + 1);
		v = rd(w, f, (uint16_t)(off + EXP_LNKSTA), 2);
		f->link_speed = (uint8_t)(v & EXP_LNK_SPEED_MASK);
		f->link_width = (uint8_t)((v >> EXP_LNK_WIDTH_SHIFT) & EXP_LNK_WIDTH_MASK);
		break;
	default:
		break;
	}
}

/* The standard list from PCI_CAP_PTR: every pointer checked, loops cut. */
static void read_caps(struct walk *w, struct pci_func *f)
{
	uint8_t seen[PCI_CFG_SIZE / 4 / 8] = { 0 };
	uint16_t ptr;

	if (!(f->status & PCI_STATUS_CAP_LIST))
		return;
	ptr = (uint16_t)(rd(w, f, PCI_CAP_PTR, 1) & 0xFC);
	for (int i = 0; ptr && i < CAP_WALK_MAX; i++) {
		uint32_t hdr;

		if (ptr < PCI_CAP_FIRST || ptr > PCI_CFG_SIZE - 4) {
			cap_problem(f, PCI_CAPS_BAD_POINTER, ptr);
			return;
		}
		if (seen[ptr / 4 / 8] & (1U << (ptr / 4 % 8))) {
			cap_problem(f, PCI_CAPS_LOOP, ptr);
			return;
		}
		seen[ptr / 4 / 8] |= (uint8_t)(1U << (ptr / 4 % 8));
		hdr = rd(w, f, ptr, 2);
		if (hdr == 0xFFFF)
			return; /* the function went away */
		if (add_cap(f, ptr, hdr & 0xFF, 0, 0))
			return;
		decode_cap(w, f, (uint8_t)(hdr & 0xFF), ptr);
		ptr = (uint16_t)((hdr >> 8) & 0xFC);
	}
	if (ptr)
		cap_problem(f, PCI_CAPS_LOOP, ptr);
}

/* The extended list at 0x100 (PCIe only, ECAM only). */
static void read_ext_caps(struct walk *w, struct pci_func *f)
{
	uint8_t seen[(PCIE_CFG_SIZE - PCIE_EXT_CAP_FIRST) / 4 / 8] = { 0 };
	uint16_t ptr = PCIE_EXT_CAP_FIRST;

	if (!w->a->extended || !f->pcie_type)
		return;
	for (int i = 0; ptr && i < EXT_CAP_WALK_MAX; i++) {
		uint32_t hdr, slot;

		if (ptr < PCIE_EXT_CAP_FIRST || ptr > PCIE_CFG_SIZE - 4) {
			cap_problem(f, PCI_CAPS_BAD_POINTER, ptr);
			return;
		}
		slot = (uint32_t)(ptr - PCIE_EXT_CAP_FIRST) / 4;
		if (seen[slot / 8] & (1U << (slot % 8))) {
			cap_problem(f, PCI_CAPS_LOOP, ptr);
			return;
		}
		seen[slot / 8] |= (uint8_t)(1U << (slot % 8));
		hdr = rd(w, f, ptr, 4);
		/* 0: no extended capabilities; all-ones: none reachable (or gone). */
		if (!hdr || hdr == ALL_ONES)
			return;
		if (add_cap(f, ptr, (uint16_t)EXT_CAP_ID(hdr), 1, (uint8_t)EXT_CAP_VER(hdr)))
			return;
		ptr = (uint16_t)EXT_CAP_NEXT(hdr);
	}
}

/* ---- the walk ------------------------------------------------------------ */

static int bus_seen(struct walk *w, uint8_t bus)
{
	return w->seen_bus[bus / 8] & (1U << (bus % 8));
}

static void scan_bus(struct walk *w, uint16_t seg, uint8_t bus, int parent, int depth);

static void read_function(struct walk *w, struct pci_func *f)
{
	uint32_t v = rd(w, f, PCI_VENDOR_ID, 4);

	f->vendor = (uint16_t)v;
	f->device = (uint16_t)(v >> 16);
	v = rd(w, f, PCI_COMMAND, 4);
	f->command = (uint16_t)v;
	f->status = (uint16_t)(v >> 16);
	v = rd(w, f, PCI_REVISION, 4);
	f->revision = (uint8_t)v;
	f->prog_if = (uint8_t)(v >> 8);
	f->subclass = (uint8_t)(v >> 16);
	f->class_code = (uint8_t)(v >> 24);
	v = rd(w, f, PCI_HEADER_TYPE, 1);
	f->header_type = (uint8_t)(v & PCI_HEADER_LAYOUT);
	f->multi = !!(v & PCI_HEADER_MULTI);
	v = rd(w, f, PCI_IRQ_LINE, 2);
	f->irq_line = (uint8_t)v;
	f->irq_pin = (uint8_t)(v >> 8);
	if (f->header_type == PCI_HEADER_NORMAL) {
		v = rd(w, f, PCI_SUBSYS_VENDOR, 4);
		f->sub_vendor = (uint16_t)v;
		f->sub_device = (uint16_t)(v >> 16);
	}
	if (f->header_type == PCI_HEADER_BRIDGE) {
		v = rd(w, f, PCI_PRIMARY_BUS, 4);
		f->primary = (uint8_t)v;
		f->secondary = (uint8_t)(v >> 8);
		f->subordinate = (uint8_t)(v >> 16);
		read_windows(w, f);
	}
	read_bars(w, f);
	read_caps(w, f);
	read_ext_caps(w, f);
}

/* Function fn of dev on bus: recorded when it exists. Returns its index, or -1. */
static int probe(struct walk *w, uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn, int parent, int depth)
{
	struct pci_scan *s = w->s;
	struct pci_func *f;
	uint32_t id = w->a->read(w->a->ctx, seg, bus, dev, fn, PCI_VENDOR_ID, 4);

	s->cfg_reads++;
	/* All-ones: no function; 0 / 0xFFFF vendors are not valid devices either. */
	if (id == ALL_ONES || (id & 0xFFFF) == VENDOR_NONE || (id & 0xFFFF) == 0)
		return -1;
	if (s->nfuncs == PCI_MAX_FUNCS) {
		s->problems |= PCI_PROB_TOO_MANY;
		return -1;
	}
	f = &s->f[s->nfuncs];
	memset(f, 0, sizeof(*f));
	f->seg = seg;
	f->bus = bus;
	f->dev = dev;
	f->fn = fn;
	f->parent = parent;
	f->depth = (uint8_t)depth;
	read_function(w, f);
	return s->nfuncs++;
}

static void follow_bridge(struct walk *w, int idx, int depth)
{
	struct pci_func *f = &w->s->f[idx];

	if (f->header_type != PCI_HEADER_BRIDGE)
		return;
	/* An unconfigured bridge (secondary 0) forwards nothing the firmware set up. */
	if (!f->secondary)
		return;
	if (f->secondary <= f->bus || f->subordinate < f->secondary) {
		w->s->problems |= PCI_PROB_BAD_BRIDGE;
		return;
	}
	if (depth + 1 > PCI_MAX_DEPTH) {
		w->s->problems |= PCI_PROB_TOO_DEEP;
		return;
	}
	scan_bus(w, f->seg, f->secondary, idx, depth + 1);
}

static void scan_bus(struct walk *w, uint16_t seg, uint8_t bus, int parent, int depth)
{
	if (bus_seen(w, bus)) {
		w->s->problems |= PCI_PROB_BUS_LOOP;
		return;
	}
	w->seen_bus[bus / 8] |= (uint8_t)(1U << (bus % 8));
	if (w->a->bus_ok && !w->a->bus_ok(w->a->ctx, seg, bus))
		return;
	for (uint8_t dev = 0; dev < PCI_DEVS; dev++) {
		int idx = probe(w, seg, bus, dev, 0, parent, depth), multi;

		if (idx < 0)
			continue;
		multi = w->s->f[idx].multi;
		follow_bridge(w, idx, depth);
		for (uint8_t fn = 1; multi && fn < PCI_FNS; fn++) {
			idx = probe(w, seg, bus, dev, fn, parent, depth);
			if (idx >= 0)
				follow_bridge(w, idx, depth);
		}
	}
}

int pci_scan(struct pci_scan *s, const struct pci_access *acc, const struct pci_root *roots, int nroots)
{
	struct walk w;

	/* Not the whole (100 KiB) table: probe() clears each function it fills. */
	s->nfuncs = 0;
	s->problems = 0;
	s->cfg_reads = s->cfg_writes = 0;
	s->method = acc ? acc->name : "none";
	if (!acc || !acc->read || !acc->write)
		return -EINVAL;
	memset(&w, 0, sizeof(w));
	w.s = s;
	w.a = acc;
	for (int r = 0; r < nroots; r++) {
		/* Bus numbers are per segment: a new segment starts a new "seen" set. */
		if (r && roots[r].seg != roots[r - 1].seg)
			memset(w.seen_bus, 0, sizeof(w.seen_bus));
		if (!bus_seen(&w, roots[r].bus))
			scan_bus(&w, roots[r].seg, roots[r].bus, -1, 0);
	}
	return s->nfuncs;
}

int pci_find(const struct pci_scan *s, uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn)
{
	for (int i = 0; i < s->nfuncs; i++)
		if (s->f[i].seg == seg && s->f[i].bus == bus && s->f[i].dev == dev && s->f[i].fn == fn)
			return i;
	return -1;
}

int pci_scan_equal(const struct pci_scan *a, const struct pci_scan *b)
{
	if (a->nfuncs != b->nfuncs || a->problems != b->problems)
		return 0;
	for (int i = 0; i < a->nfuncs; i++)
		if (memcmp(&a->f[i], &b->f[i], sizeof(a->f[i])))
			return 0;
	return 1;
}

/* f without the registers a driver owns (see pci_scan_same_devices). */
static void driver_neutral(struct pci_func *f)
{
	f->command &= (uint16_t) ~(PCI_CMD_MASTER | PCI_CMD_INTX_DISABLE);
	f->status = 0;
	f->irq_line = 0;
	f->msi_enabled = f->msix_enabled = 0;
}

int pci_scan_same_devices(const struct pci_scan *a, const struct pci_scan *b, int *diff)
{
	struct pci_func x, y;

	*diff = a->nfuncs;
	if (a->nfuncs != b->nfuncs || a->problems != b->problems)
		return 0;
	for (int i = 0; i < a->nfuncs; i++) {
		/* memcpy, not assignment: padding is compared too, and probe() cleared it. */
		memcpy(&x, &a->f[i], sizeof(x));
		memcpy(&y, &b->f[i], sizeof(y));
		driver_neutral(&x);
		driver_neutral(&y);
		if (memcmp(&x, &y, sizeof(x))) {
			*diff = i;
			return 0;
		}
	}
	return 1;
}

int pci_bar_window(const struct pci_bar *b)
{
	switch (b->kind) {
	case PCI_BAR_IO:
		return PCI_WIN_IO;
	case PCI_BAR_ROM:
		return b->enabled ? PCI_WIN_MEM : -1;
	case PCI_BAR_NONE:
		return -1;
	default:
		return b->prefetch ? PCI_WIN_PREF : PCI_WIN_MEM;
	}
}

const char *pci_cap_name(uint16_t id)
{
	static const char *const names[] = {
		[PCI_CAP_ID_PM] = "Power Management",
		[PCI_CAP_ID_AGP] = "AGP",
		[PCI_CAP_ID_VPD] = "Vital Product Data",
		[PCI_CAP_ID_SLOTID] = "Slot ID",
		[PCI_CAP_ID_MSI] = "MSI",
		[0x06] = "CompactPCI hot-swap",
		[0x07] = "PCI-X",
		[PCI_CAP_ID_HT] = "HyperTransport",
		[PCI_CAP_ID_VENDOR] = "Vendor Specific",
		[PCI_CAP_ID_DEBUG] = "Debug port",
		[0x0B] = "CompactPCI central resource control",
		[PCI_CAP_ID_HOTPLUG] = "PCI hot-plug",
		[PCI_CAP_ID_SSVID] = "Subsystem ID",
		[0x0E] = "AGP 8x",
		[0x0F] = "Secure device",
		[PCI_CAP_ID_EXP] = "Express",
		[PCI_CAP_ID_MSIX] = "MSI-X",
		[PCI_CAP_ID_SATA] = "SATA HBA",
		[PCI_CAP_ID_AF] = "PCI Advanced Features",
		[PCI_CAP_ID_EA] = "Enhanced Allocation",
	};

	return id < sizeof(names) / sizeof(names[0]) ? names[id] : NULL;
}

const char *pci_ext_cap_name(uint16_t id)
{
	static const char *const names[] = {
		[0x01] = "Advanced Error Reporting",
		[0x02] = "Virtual Channel",
		[0x03] = "Device Serial Number",
		[0x04] = "Power Budgeting",
		[0x05] = "Root Complex Link",
		[0x06] = "Root Complex Internal Link Control",
		[0x07] = "Root Complex Event Collector",
		[0x08] = "Multi-Function VC",
		[0x09] = "Virtual Channel (MFVC)",
		[0x0A] = "Root Complex Register Block",
		[0x0B] = "Vendor Specific Information",
		[0x0D] = "Access Control Services",
		[0x0E] = "Alternative Routing-ID Interpretation",
		[0x0F] = "Address Translation Service",
		[0x10] = "Single Root I/O Virtualization",
		[0x11] = "Multi-Root I/O Virtualization",
		[0x12] = "Multicast",
		[0x13] = "Page Request Interface",
		[0x15] = "Resizable BAR",
		[0x16] = "Dynamic Power Allocation",
		[0x17] = "TPH Requester",
		[0x18] = "Latency Tolerance Reporting",
		[0x19] = "Secondary PCI Express",
		[0x1A] = "Protocol Multiplexing",
		[0x1B] = "Process Address Space ID",
		[0x1D] = "Downstream Port Containment",
		[0x1E] = "L1 PM Substates",
		[0x1F] = "Precision Time Measurement",
		[0x23] = "Designated Vendor-Specific",
		[0x25] = "Data Link Feature",
		[0x26] = "Physical Layer 16.0 GT/s",
		[0x27] = "Lane Margining at the Receiver",
		[0x2A] = "Physical Layer 32.0 GT/s",
	};

	return id < sizeof(names) / sizeof(names[0]) ? names[id] : NULL;
}

const char *pci_pcie_type_name(uint8_t type)
{
	static const char *const names[] = {
		[0x0] = "Endpoint",
		[0x1] = "Legacy Endpoint",
		[0x4] = "Root Port",
		[0x5] = "Upstream Port",
		[0x6] = "Downstream Port",
		[0x7] = "PCI-Express to PCI/PCI-X Bridge",
		[0x8] = "PCI/PCI-X to PCI-Express Bridge",
		[0x9] = "Root Complex Integrated Endpoint",
		[0xA] = "Root Complex Event Collector",
	};

	return type < sizeof(names) / sizeof(names[0]) && names[type] ? names[type] : "?";
}
