/* SPDX-License-Identifier: MIT */
/*
 * xhci.c - the xHCI controller, polled (see xhci.h). Register and bit names
 * follow the xHCI 1.2 specification (chapter 5 registers, 6 data
 * structures, 4.22.1 the BIOS/OS handoff).
 *
 * Memory: every structure the controller reads or writes (DCBAA, scratchpad,
 * rings, contexts, buffers) is a zeroed page from the PMM, addressed by its
 * physical address (no IOMMU) and touched through the direct map; x86 keeps
 * DMA coherent with the caches. Registers are mapped uncached.
 *
 * A failure on the way (a register that never settles, a command that gets
 * no completion) marks the controller failed with the reason; it is then
 * halted if it still answers and never touched again.
 */
#include "xhci_hw.h"

#include "kbd.h"
#include "kerrno.h"
#include "kprintf.h"
#include "kstring.h"
#include "kvm.h"
#include "memlayout.h"
#include "pci_cfg.h"
#include "pmm.h"
#include "tsc.h"
#include "x86.h"

static struct xhci ctrls[XHCI_MAX_CONTROLLERS];
static unsigned nctrls;
/* ---- small helpers -------------------------------------------------------------- */

static uint64_t now_us(void)
{
	return tsc_hz() ? tsc_to_ns(rdtsc()) / USEC_PER_MS : 0;
}

void xhci_delay_ms(unsigned ms)
{
	struct deadline d;

	deadline_in(&d, ms);
	while (!expired(&d))
		pause();
}

/* Wait until (reg & mask) == want. 0, or -ETIMEDOUT. */
static int wait_reg(volatile uint8_t *base, unsigned off, uint32_t mask, uint32_t want, unsigned ms)
{
	struct deadline d;

	deadline_in(&d, ms);
	while ((rd32(base, off) & mask) != want) {
		if (expired(&d))
			return -ETIMEDOUT;
		pause();
	}
	return 0;
}

int xhci_fail(struct xhci *x, const char *why)
{
	if (x->info.state != XHCI_FAILED) {
		x->info.state = XHCI_FAILED;
		x->info.why = why;
		/* Left alone, but not left running on memory that may be reused. */
		if (x->op)
			wr32(x->op, OP_USBCMD, rd32(x->op, OP_USBCMD) & ~CMD_RS);
	}
	return -EIO;
}

void *xhci_page(uint64_t *phys)
{
	*phys = pmm_alloc(0, PMM_OTHER);
	return *phys ? PHYS_TO_DIRECT(*phys) : NULL;
}

/* ---- rings --------------------------------------------------------------------- */

int xhci_ring_init(struct xhci_ring *r)
{
	uint64_t phys;
	volatile uint32_t *t = xhci_page(&phys);

	if (!t)
		return -ENOMEM;
	r->trb = t;
	r->phys = phys;
	r->idx = 0;
	r->cycle = 1;
	/* The last TRB links back to the first and toggles the cycle bit. */
	t[(RING_TRBS - 1) * TRB_WORDS + 0] = (uint32_t)phys;
	t[(RING_TRBS - 1) * TRB_WORDS + 1] = (uint32_t)(phys >> 32);
	t[(RING_TRBS - 1) * TRB_WORDS + 3] = TRB_TYPE(TRB_LINK) | TRB_TC;
	return 0;
}

/* Put one TRB on r (the cycle bit written last); returns its physical address. */
uint64_t xhci_ring_put(struct xhci_ring *r, uint64_t param, uint32_t status, uint32_t control)
{
	volatile uint32_t *t = r->trb + r->idx * TRB_WORDS;
	uint64_t at = r->phys + r->idx * TRB_BYTES;

	t[0] = (uint32_t)param;
	t[1] = (uint32_t)(param >> 32);
	t[2] = status;
	__asm__ volatile("" ::: "memory");
	t[3] = (control & ~TRB_CYCLE) | r->cycle;
	if (++r->idx == RING_TRBS - 1) {
		volatile uint32_t *link = r->trb + r->idx * TRB_WORDS;

		link[3] = (link[3] & ~TRB_CYCLE) | r->cycle;
		r->idx = 0;
		r->cycle ^= 1;
	}
	return at;
}

void xhci_doorbell(struct xhci *x, unsigned slot, unsigned target)
{
	__asm__ volatile("mfence" ::: "memory");
	wr32(x->db, slot * 4, target);
}

/* ---- events -------------------------------------------------------------------- */

static void transfer_event(struct xhci *x, uint64_t trb, uint32_t status, uint32_t control)
{
	unsigned slot = TRB_GET_SLOT(control);
	struct usb_dev *d = slot <= MAX_SLOTS_USED ? x->slot_dev[slot] : NULL;

	if (d && d->intr_dci && TRB_GET_EP(control) == d->intr_dci && trb == d->intr_trb) {
		unsigned cc = TRB_CC(status), got = d->intr_len - TRB_RESIDUE(status);

		if (cc == CC_SUCCESS || cc == CC_SHORT_PACKET)
			usbdev_interrupt_done(d, PHYS_TO_DIRECT(d->intr_buf), got);
		/* Queue the next report (an error leaves the endpoint halted: the keyboard goes quiet). */
		if (cc == CC_SUCCESS || cc == CC_SHORT_PACKET) {
			d->intr_trb = xhci_ring_put(&d->intr, d->intr_buf, d->intr_len,
						    TRB_TYPE(TRB_NORMAL) | TRB_IOC | TRB_ISP);
			xhci_doorbell(x, slot, d->intr_dci);
		} else {
			d->info.state = "keyboard endpoint failed";
			d->intr_dci = 0;
		}
		return;
	}
	if (trb == x->xfer_data_trb) {
		x->xfer_residue = TRB_RESIDUE(status);
		if (TRB_CC(status) == CC_SHORT_PACKET)
			return;
	}
	x->done = 1;
	x->done_trb = trb;
	x->done_status = status;
	x->done_slot = slot;
}

/* Consume what the event ring holds (at most EVENTS_PER_POLL). */
void xhci_events(struct xhci *x)
{
	int seen = 0;

	for (int i = 0; i < EVENTS_PER_POLL; i++) {
		volatile uint32_t *e = x->ev + x->ev_idx * TRB_WORDS;
		uint32_t control = e[3];
		uint64_t trb;

		if ((control & TRB_CYCLE) != x->ev_cycle)
			break;
		trb = (uint64_t)e[1] << 32 | e[0];
		switch (TRB_GET_TYPE(control)) {
		case TRB_EV_COMMAND:
			x->done = 1;
			x->done_trb = trb;
			x->done_status = e[2];
			x->done_slot = TRB_GET_SLOT(control);
			break;
		case TRB_EV_TRANSFER:
			transfer_event(x, trb, e[2], control);
			break;
		default: /* port status changes: the ports are looked at when enumerating */
			break;
		}
		if (++x->ev_idx == RING_TRBS) {
			x->ev_idx = 0;
			x->ev_cycle ^= 1;
		}
		seen = 1;
	}
	if (seen)
		wr64(x->rt, RT_IR0 + IR_ERDP, (x->ev_phys + x->ev_idx * TRB_BYTES) | ERDP_EHB);
}

/* Wait for the completion of the TRB at trb. Returns its completion code, or -ETIMEDOUT. */
static int wait_done(struct xhci *x, uint64_t trb, unsigned ms)
{
	struct deadline d;

	deadline_in(&d, ms);
	for (;;) {
		xhci_events(x);
		if (x->done && x->done_trb == trb) {
			x->done = 0;
			return (int)TRB_CC(x->done_status);
		}
		if (expired(&d))
			return -ETIMEDOUT;
		pause();
	}
}

/* Run one command. Returns the completion code (*slot: the event's slot ID), or -ETIMEDOUT. */
int xhci_command(struct xhci *x, uint64_t param, uint32_t control, unsigned *slot)
{
	uint64_t trb = xhci_ring_put(&x->cmd, param, 0, control);
	int cc;

	x->done = 0;
	xhci_doorbell(x, 0, 0);
	cc = wait_done(x, trb, COMMAND_MS);
	if (cc == -ETIMEDOUT)
		xhci_fail(x, "a command got no completion event");
	if (slot)
		*slot = x->done_slot;
	return cc;
}
/* ---- bring-up ------------------------------------------------------------------- */

/* 4.22.1: ask the BIOS to let go (USBLEGSUP), and stop its SMIs. */
static void handoff(struct xhci *x)
{
	uint32_t hcc = rd32(x->cap, CAP_HCCPARAMS1);
	unsigned off = HCC1_XECP(hcc) * 4;

	x->info.handoff = "none";
	for (int guard = 0; off && guard < 64; guard++) {
		uint32_t v = rd32(x->cap, off);

		if (XCAP_ID(v) == XCAP_LEGACY) {
			struct deadline d;

			wr32(x->cap, off, v | LEGSUP_OS_OWNED);
			deadline_in(&d, HANDOFF_MS);
			while ((rd32(x->cap, off) & LEGSUP_BIOS_OWNED) && !expired(&d))
				pause();
			if (rd32(x->cap, off) & LEGSUP_BIOS_OWNED) {
				/* As Linux does: the firmware did not answer; take it anyway. */
				wr32(x->cap, off, rd32(x->cap, off) & ~LEGSUP_BIOS_OWNED);
				x->info.handoff = "forced";
			} else {
				x->info.handoff = v & LEGSUP_BIOS_OWNED ? "released" : "not owned";
			}
			wr32(x->cap, off + LEGCTLSTS,
			     (rd32(x->cap, off + LEGCTLSTS) & LEGCTL_DISABLE_SMI) | LEGCTL_SMI_EVENTS);
			return;
		}
		if (!XCAP_NEXT(v))
			return;
		off += XCAP_NEXT(v) * 4;
	}
}

static int reset(struct xhci *x)
{
	if (!(rd32(x->op, OP_USBSTS) & STS_HCH)) {
		wr32(x->op, OP_USBCMD, rd32(x->op, OP_USBCMD) & ~CMD_RS);
		if (wait_reg(x->op, OP_USBSTS, STS_HCH, STS_HCH, HALT_MS))
			return xhci_fail(x, "did not halt within 20 ms of clearing Run/Stop");
	}
	wr32(x->op, OP_USBCMD, CMD_HCRST);
	if (wait_reg(x->op, OP_USBCMD, CMD_HCRST, 0, RESET_MS) || wait_reg(x->op, OP_USBSTS, STS_CNR, 0, RESET_MS))
		return xhci_fail(x, "did not come out of reset within 1 s");
	return 0;
}

static int setup_memory(struct xhci *x)
{
	uint32_t hcs2 = rd32(x->cap, CAP_HCSPARAMS2);
	unsigned nsp = HCS2_SPB_HI(hcs2) << 5 | HCS2_SPB_LO(hcs2);
	uint64_t erst_phys, sp_phys;
	volatile uint64_t *dcbaa, *erst, *sp;

	if (!(rd32(x->op, OP_PAGESIZE) & 1))
		return xhci_fail(x, "does not support 4 KiB pages");
	dcbaa = xhci_page(&x->dcbaa);
	if (!dcbaa || xhci_ring_init(&x->cmd) || !(x->ev = xhci_page(&x->ev_phys)) || !(erst = xhci_page(&erst_phys)))
		return xhci_fail(x, "no memory for its rings");
	x->info.scratchpads = nsp;
	if (nsp) {
		if (nsp > PAGE_SIZE / sizeof(uint64_t) || !(sp = xhci_page(&sp_phys)))
			return xhci_fail(x, "no memory for its scratchpad");
		for (unsigned i = 0; i < nsp; i++)
			if (!xhci_page((uint64_t *)&sp[i]))
				return xhci_fail(x, "no memory for its scratchpad");
		dcbaa[0] = sp_phys;
	}
	x->ev_idx = 0;
	x->ev_cycle = 1;
	erst[0] = x->ev_phys;
	erst[1] = RING_TRBS; /* segment size in TRBs */
	wr32(x->op, OP_CONFIG, x->info.slots < MAX_SLOTS_USED ? x->info.slots : MAX_SLOTS_USED);
	wr64(x->op, OP_DCBAAP, x->dcbaa);
	wr64(x->op, OP_CRCR, x->cmd.phys | CRCR_RCS);
	wr32(x->rt, RT_IR0 + IR_IMOD, 0);
	wr32(x->rt, RT_IR0 + IR_IMAN, 0); /* polled: no interrupts */
	wr32(x->rt, RT_IR0 + IR_ERSTSZ, 1);
	wr64(x->rt, RT_IR0 + IR_ERDP, x->ev_phys);
	wr64(x->rt, RT_IR0 + IR_ERSTBA, erst_phys);
	wr32(x->op, OP_USBCMD, CMD_RS);
	if (wait_reg(x->op, OP_USBSTS, STS_HCH, 0, HALT_MS))
		return xhci_fail(x, "did not start running");
	return 0;
}

/* Power, reset and enable root port p; its speed, or USB_SPEED_NONE when nothing usable is there. */
static enum usb_speed port_up(struct xhci *x, unsigned p)
{
	unsigned off = OP_PORTSC(p);
	uint32_t v = rd32(x->op, off);

	if (!(v & PORT_PP)) {
		wr32(x->op, off, (v & PORT_KEEP) | PORT_PP);
		xhci_delay_ms(PORT_POWER_MS);
		v = rd32(x->op, off);
	}
	if (!(v & PORT_CCS))
		return USB_SPEED_NONE;
	if (!(v & PORT_PED)) { /* USB 2 ports need a reset; USB 3 ones enable themselves */
		wr32(x->op, off, (v & PORT_KEEP) | PORT_PR);
		if (wait_reg(x->op, off, PORT_PRC, PORT_PRC, PORT_RESET_MS))
			return USB_SPEED_NONE;
	}
	v = rd32(x->op, off);
	wr32(x->op, off, (v & PORT_KEEP) | (v & PORT_CHANGES));
	if (!(v & PORT_PED))
		return USB_SPEED_NONE;
	return (enum usb_speed)PORT_SPEED(v);
}

static void bring_up(struct xhci *x, const struct pci_fn *f)
{
	uint64_t t0 = now_us();
	uint32_t cmd, hcs1, hcc;
	uint64_t virt;

	x->info.state = XHCI_RUNNING;
	x->info.bdf = f->bdf;
	x->info.vendor = f->vendor;
	x->info.device = f->device;
	x->info.mmio_phys = f->bar0;
	x->info.mmio_size = f->bar0_size;
	x->info.handoff = "none";
	if (!f->bar0 || f->bar0_size < PAGE_SIZE) {
		xhci_fail(x, "BAR 0 is not a usable memory BAR");
		return;
	}
	cmd = pci_cfg_read32(f->bdf, PCI_COMMAND) & 0xffff;
	pci_cfg_write32(f->bdf, PCI_COMMAND, cmd | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE);
	virt = kvm_map_mmio(f->bar0, f->bar0_size, VM_READ | VM_WRITE | VM_UC, "[xhci]");
	if (!virt) {
		xhci_fail(x, "its registers could not be mapped");
		return;
	}
	x->cap = (volatile uint8_t *)virt;
	if (rd32(x->cap, CAP_CAPLENGTH) == 0xffffffffu) {
		xhci_fail(x, "its registers read all ones");
		return;
	}
	x->op = x->cap + (rd32(x->cap, CAP_CAPLENGTH) & 0xff);
	x->rt = x->cap + (rd32(x->cap, CAP_RTSOFF) & ~0x1fu);
	x->db = x->cap + (rd32(x->cap, CAP_DBOFF) & ~0x3u);
	x->info.version = (uint16_t)(rd32(x->cap, CAP_CAPLENGTH) >> 16);
	hcs1 = rd32(x->cap, CAP_HCSPARAMS1);
	hcc = rd32(x->cap, CAP_HCCPARAMS1);
	x->info.slots = HCS1_MAX_SLOTS(hcs1);
	x->info.ports = HCS1_MAX_PORTS(hcs1);
	x->info.context_size = hcc & HCC1_CSZ ? 64 : 32;
	handoff(x);
	if (reset(x) || setup_memory(x))
		return;
	for (unsigned p = 1; p <= x->info.ports && x->info.state == XHCI_RUNNING; p++) {
		enum usb_speed s = port_up(x, p);

		if (s != USB_SPEED_NONE)
			usbdev_enumerate(x, p, s);
	}
	if (rd32(x->op, OP_USBSTS) & (STS_HSE | STS_HCE))
		xhci_fail(x, "reported a host system or controller error");
	x->info.ndevices = x->ndevs;
	x->info.init_us = now_us() - t0;
}

unsigned xhci_init_all(void)
{
	struct pci_fn f;

	while (nctrls < XHCI_MAX_CONTROLLERS &&
	       !pci_find_class(PCI_CLASS_SERIAL_BUS, PCI_SUBCLASS_USB, PCI_PROGIF_XHCI, nctrls, &f)) {
		struct xhci *x = &ctrls[nctrls];

		memset(x, 0, sizeof(*x));
		x->index = nctrls++;
		bring_up(x, &f);
	}
	return xhci_keyboards();
}

void xhci_poll(void)
{
	for (unsigned i = 0; i < nctrls; i++)
		if (ctrls[i].info.state == XHCI_RUNNING)
			xhci_events(&ctrls[i]);
}

unsigned xhci_keyboards(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < nctrls; i++)
		for (unsigned k = 0; k < ctrls[i].ndevs && ctrls[i].info.state == XHCI_RUNNING; k++)
			n += ctrls[i].devs[k].info.is_keyboard && ctrls[i].devs[k].intr_dci;
	return n;
}

const struct xhci_ctrl_info *xhci_controller(unsigned i)
{
	return i < nctrls ? &ctrls[i].info : NULL;
}

const struct usb_dev_info *xhci_device(unsigned i)
{
	for (unsigned c = 0; c < nctrls; c++) {
		if (i < ctrls[c].ndevs)
			return &ctrls[c].devs[i].info;
		i -= ctrls[c].ndevs;
	}
	return NULL;
}

struct usb_dev_info *usbdev_info(struct usb_dev *d)
{
	return &d->info;
}

const char *usb_speed_name(enum usb_speed s)
{
	static const char *const names[] = { "none", "full", "low", "high", "super" };

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}
