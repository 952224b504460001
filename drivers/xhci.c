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
#include "xhci.h"

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

/* PCI class of an xHCI controller. */
#define PCI_CLASS_SERIAL_BUS 0x0c
#define PCI_SUBCLASS_USB 0x03
#define PCI_PROGIF_XHCI 0x30

/* Capability registers (5.3). */
#define CAP_CAPLENGTH 0x00
#define CAP_HCIVERSION 0x02
#define CAP_HCSPARAMS1 0x04
#define CAP_HCSPARAMS2 0x08
#define CAP_HCCPARAMS1 0x10
#define CAP_DBOFF 0x14
#define CAP_RTSOFF 0x18
#define HCS1_MAX_SLOTS(v) ((v)&0xff)
#define HCS1_MAX_PORTS(v) (((v) >> 24) & 0xff)
#define HCS2_SPB_HI(v) (((v) >> 21) & 0x1f)
#define HCS2_SPB_LO(v) (((v) >> 27) & 0x1f)
#define HCC1_CSZ (1u << 2)
#define HCC1_XECP(v) (((v) >> 16) & 0xffff)

/* Operational registers (5.4), from CAPLENGTH. */
#define OP_USBCMD 0x00
#define OP_USBSTS 0x04
#define OP_PAGESIZE 0x08
#define OP_CRCR 0x18
#define OP_DCBAAP 0x30
#define OP_CONFIG 0x38
#define OP_PORTSC(p) (0x400 + 0x10 * ((p)-1))
#define CMD_RS (1u << 0)
#define CMD_HCRST (1u << 1)
#define STS_HCH (1u << 0)
#define STS_HSE (1u << 2)
#define STS_CNR (1u << 11)
#define STS_HCE (1u << 12)
#define CRCR_RCS 1u

/* PORTSC (5.4.8). */
#define PORT_CCS (1u << 0)
#define PORT_PED (1u << 1)
#define PORT_PR (1u << 4)
#define PORT_PP (1u << 9)
#define PORT_SPEED(v) (((v) >> 10) & 0xf)
#define PORT_PRC (1u << 21)
#define PORT_CHANGES (0x7fu << 17) /* CSC PEC WRC OCC PRC PLC CEC: write 1 to clear */
/* Bits kept when writing PORTSC back (Linux's xhci_port_state_to_neutral: RO and RWS). */
#define PORT_KEEP \
	((1u << 0) | (1u << 3) | (0xfu << 10) | (1u << 30) | (0xfu << 5) | (1u << 9) | (0x3u << 14) | (0x7u << 25))

/* Runtime registers (5.5): interrupter 0. */
#define RT_IR0 0x20
#define IR_IMAN 0x00
#define IR_IMOD 0x04
#define IR_ERSTSZ 0x08
#define IR_ERSTBA 0x10
#define IR_ERDP 0x18
#define ERDP_EHB (1u << 3)

/* Extended capabilities (7). */
#define XCAP_ID(v) ((v)&0xff)
#define XCAP_NEXT(v) (((v) >> 8) & 0xff)
#define XCAP_LEGACY 1
#define LEGSUP_BIOS_OWNED (1u << 16)
#define LEGSUP_OS_OWNED (1u << 24)
#define LEGCTLSTS 4
/* USBLEGCTLSTS: keep the reserved bits, turn every SMI enable off, clear the W1C events (as Linux does). */
#define LEGCTL_DISABLE_SMI ((0x7u << 1) + (0xffu << 5) + (0x7u << 17))
#define LEGCTL_SMI_EVENTS (0x7u << 29)

/* TRBs (6.4). */
#define TRB_WORDS 4
#define TRB_BYTES 16
#define RING_TRBS (PAGE_SIZE / TRB_BYTES)
#define TRB_CYCLE (1u << 0)
#define TRB_TC (1u << 1) /* Link: toggle cycle */
#define TRB_ISP (1u << 2)
#define TRB_IOC (1u << 5)
#define TRB_IDT (1u << 6)
#define TRB_TYPE(t) ((uint32_t)(t) << 10)
#define TRB_GET_TYPE(c) (((c) >> 10) & 0x3f)
#define TRB_SLOT(s) ((uint32_t)(s) << 24)
#define TRB_GET_SLOT(c) ((c) >> 24)
#define TRB_GET_EP(c) (((c) >> 16) & 0x1f)
#define TRB_DIR_IN (1u << 16)
#define TRB_TRT_IN (3u << 16)
#define TRB_TRT_OUT (2u << 16)
#define TRB_CC(status) ((status) >> 24)
#define TRB_RESIDUE(status) ((status)&0xffffff)
#define TRB_NORMAL 1
#define TRB_SETUP 2
#define TRB_DATA 3
#define TRB_STATUS 4
#define TRB_LINK 6
#define TRB_ENABLE_SLOT 9
#define TRB_ADDRESS_DEVICE 11
#define TRB_CONFIGURE_EP 12
#define TRB_EVALUATE_CONTEXT 13
#define TRB_RESET_EP 14
#define TRB_SET_TR_DEQUEUE 16
#define TRB_EV_TRANSFER 32
#define TRB_EV_COMMAND 33
#define CC_SUCCESS 1
#define CC_STALL 6
#define CC_SHORT_PACKET 13

/* Contexts (6.2): dword offsets inside one context. */
#define CTX_SLOT_ROUTE_MASK 0xfffffu
#define CTX_SLOT_SPEED(s) ((uint32_t)(s) << 20)
#define CTX_SLOT_MTT (1u << 25)
#define CTX_SLOT_HUB (1u << 26)
#define CTX_SLOT_ENTRIES(n) ((uint32_t)(n) << 27)
#define CTX_SLOT_ROOT_PORT(p) ((uint32_t)(p) << 16)
#define CTX_SLOT_NPORTS(n) ((uint32_t)(n) << 24)
#define CTX_SLOT_TT_HUB(s) ((uint32_t)(s))
#define CTX_SLOT_TT_PORT(p) ((uint32_t)(p) << 8)
#define CTX_SLOT_TTT(t) ((uint32_t)(t) << 16)
#define CTX_EP_INTERVAL(i) ((uint32_t)(i) << 16)
#define CTX_EP_CERR(n) ((uint32_t)(n) << 1)
#define CTX_EP_TYPE(t) ((uint32_t)(t) << 3)
#define CTX_EP_MPS(m) ((uint32_t)(m) << 16)
#define CTX_EP_MAX_ESIT_LO(m) ((uint32_t)(m) << 16)
#define EP_TYPE_INTERRUPT_IN 7
#define EP_TYPE_CONTROL 4
#define EP_CERR_MAX 3
#define DCI_EP0 1

/* Deadlines, milliseconds. */
#define HALT_MS 20	  /* 5.4.2: the controller halts within 16 ms of RS=0 */
#define RESET_MS 1000	  /* HCRST and CNR clear */
#define HANDOFF_MS 1000	  /* the BIOS gives up ownership */
#define COMMAND_MS 500	  /* a command's completion event */
#define TRANSFER_MS 1000  /* a control transfer */
#define PORT_RESET_MS 500 /* PORTSC.PRC after PR */
#define PORT_POWER_MS 20  /* after setting PP */
#define USEC_PER_MS 1000
#define SPIN_PER_MS 100000 /* pause() rounds per ms when the TSC is not calibrated (a high guess) */
#define MAX_SLOTS_USED 32
#define EVENTS_PER_POLL 32

struct xhci {
	struct xhci_ctrl_info info;
	volatile uint8_t *cap, *op, *rt, *db;
	uint64_t dcbaa; /* physical */
	struct xhci_ring cmd;
	volatile uint32_t *ev; /* the event ring segment */
	uint64_t ev_phys;
	unsigned ev_idx;
	uint32_t ev_cycle;
	struct usb_dev *slot_dev[MAX_SLOTS_USED + 1];
	struct usb_dev devs[XHCI_MAX_DEVICES];
	unsigned ndevs;
	/* The last command completion and control transfer events seen, for the waits. */
	uint64_t done_trb;
	uint32_t done_status, done_slot;
	int done;
	uint64_t xfer_data_trb; /* a data stage whose short packet event tells the length */
	uint32_t xfer_residue;
};

static struct xhci ctrls[XHCI_MAX_CONTROLLERS];
static unsigned nctrls;

/* ---- small helpers -------------------------------------------------------------- */

static uint32_t rd32(volatile uint8_t *base, unsigned off)
{
	return *(volatile uint32_t *)(base + off);
}

static void wr32(volatile uint8_t *base, unsigned off, uint32_t v)
{
	*(volatile uint32_t *)(base + off) = v;
}

static void wr64(volatile uint8_t *base, unsigned off, uint64_t v)
{
	wr32(base, off, (uint32_t)v);
	wr32(base, off + 4, (uint32_t)(v >> 32));
}

static uint64_t now_us(void)
{
	return tsc_hz() ? tsc_to_ns(rdtsc()) / USEC_PER_MS : 0;
}

/* A deadline ms from now: a TSC stamp, or a spin count when the TSC is not calibrated. */
struct deadline {
	uint64_t end;
	uint64_t spins;
};

static void deadline_in(struct deadline *d, unsigned ms)
{
	d->spins = (uint64_t)ms * SPIN_PER_MS;
	d->end = tsc_hz() ? rdtsc() + tsc_hz() / USEC_PER_MS * ms : 0;
}

static int expired(struct deadline *d)
{
	if (d->end)
		return rdtsc() > d->end;
	return d->spins-- == 0;
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

static int fail(struct xhci *x, const char *why)
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

static void *page(uint64_t *phys)
{
	*phys = pmm_alloc(0, PMM_OTHER);
	return *phys ? PHYS_TO_DIRECT(*phys) : NULL;
}

/* ---- rings --------------------------------------------------------------------- */

static int ring_init(struct xhci_ring *r)
{
	uint64_t phys;
	volatile uint32_t *t = page(&phys);

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
static uint64_t ring_put(struct xhci_ring *r, uint64_t param, uint32_t status, uint32_t control)
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

static void doorbell(struct xhci *x, unsigned slot, unsigned target)
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
			d->intr_trb = ring_put(&d->intr, d->intr_buf, d->intr_len,
					       TRB_TYPE(TRB_NORMAL) | TRB_IOC | TRB_ISP);
			doorbell(x, slot, d->intr_dci);
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
static void events(struct xhci *x)
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
		events(x);
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
static int command(struct xhci *x, uint64_t param, uint32_t control, unsigned *slot)
{
	uint64_t trb = ring_put(&x->cmd, param, 0, control);
	int cc;

	x->done = 0;
	doorbell(x, 0, 0);
	cc = wait_done(x, trb, COMMAND_MS);
	if (cc == -ETIMEDOUT)
		fail(x, "a command got no completion event");
	if (slot)
		*slot = x->done_slot;
	return cc;
}

/* ---- contexts ------------------------------------------------------------------ */

/* Dword i of context n (0: slot / input control, ...) in the page at phys. */
static volatile uint32_t *ctx(struct xhci *x, uint64_t phys, unsigned n)
{
	return (volatile uint32_t *)((uint8_t *)PHYS_TO_DIRECT(phys) + n * x->info.context_size);
}

/* The input context: control context 0, slot 1, endpoint DCI n at n + 1. Zeroed, add flags set. */
static void input_begin(struct xhci *x, struct usb_dev *d, uint32_t add)
{
	memset(PHYS_TO_DIRECT(d->in_ctx), 0, PAGE_SIZE);
	ctx(x, d->in_ctx, 0)[1] = add;
}

static void copy_slot_ctx(struct xhci *x, struct usb_dev *d)
{
	volatile uint32_t *in = ctx(x, d->in_ctx, 1), *out = ctx(x, d->out_ctx, 0);

	for (int i = 0; i < 4; i++)
		in[i] = out[i];
	in[3] = 0; /* device address and slot state are the controller's */
}

static unsigned ep0_mps_for(enum usb_speed s)
{
	return s == USB_SPEED_SUPER ? 512 : s == USB_SPEED_HIGH ? 64 : 8;
}

struct usb_dev *xhci_address(struct xhci *x, unsigned root_port, uint32_t route, enum usb_speed speed,
			     const struct usb_dev *tt_hub, unsigned tt_port)
{
	struct usb_dev *d;
	volatile uint32_t *sc, *ep0;
	unsigned slot = 0;
	int cc;

	if (x->ndevs == XHCI_MAX_DEVICES)
		return NULL;
	d = &x->devs[x->ndevs];
	memset(d, 0, sizeof(*d));
	d->info.controller = (unsigned)(x - ctrls);
	d->info.root_port = root_port;
	d->info.speed = speed;
	d->route = route;
	cc = command(x, 0, TRB_TYPE(TRB_ENABLE_SLOT), &slot);
	if (cc != CC_SUCCESS || !slot || slot > MAX_SLOTS_USED) {
		d->why = "Enable Slot failed";
		return NULL;
	}
	x->ndevs++;
	d->info.slot = slot;
	d->info.state = "addressing";
	if (!page(&d->out_ctx) || !page(&d->in_ctx) || ring_init(&d->ep0)) {
		d->info.state = "no memory for its contexts";
		return d;
	}
	((volatile uint64_t *)PHYS_TO_DIRECT(x->dcbaa))[slot] = d->out_ctx;
	x->slot_dev[slot] = d;
	input_begin(x, d, 0x3); /* A0 slot, A1 EP0 */
	sc = ctx(x, d->in_ctx, 1);
	sc[0] = (route & CTX_SLOT_ROUTE_MASK) | CTX_SLOT_SPEED(speed) | CTX_SLOT_ENTRIES(1);
	sc[1] = CTX_SLOT_ROOT_PORT(root_port);
	if (tt_hub)
		sc[2] = CTX_SLOT_TT_HUB(tt_hub->info.slot) | CTX_SLOT_TT_PORT(tt_port);
	ep0 = ctx(x, d->in_ctx, 1 + DCI_EP0);
	ep0[1] = CTX_EP_CERR(EP_CERR_MAX) | CTX_EP_TYPE(EP_TYPE_CONTROL) | CTX_EP_MPS(ep0_mps_for(speed));
	ep0[2] = (uint32_t)d->ep0.phys | d->ep0.cycle;
	ep0[3] = (uint32_t)(d->ep0.phys >> 32);
	ep0[4] = 8; /* average TRB length: setup packets */
	cc = command(x, d->in_ctx, TRB_TYPE(TRB_ADDRESS_DEVICE) | TRB_SLOT(slot), NULL);
	if (cc != CC_SUCCESS) {
		d->info.state = "Address Device failed";
		return d;
	}
	d->info.state = "addressed";
	return d;
}

int xhci_set_ep0_mps(struct xhci *x, struct usb_dev *d, unsigned mps)
{
	volatile uint32_t *ep0;

	input_begin(x, d, 1u << DCI_EP0);
	ep0 = ctx(x, d->in_ctx, 1 + DCI_EP0);
	ep0[1] = CTX_EP_CERR(EP_CERR_MAX) | CTX_EP_TYPE(EP_TYPE_CONTROL) | CTX_EP_MPS(mps);
	return command(x, d->in_ctx, TRB_TYPE(TRB_EVALUATE_CONTEXT) | TRB_SLOT(d->info.slot), NULL) == CC_SUCCESS ?
		       0 :
		       -EIO;
}

int xhci_make_hub(struct xhci *x, struct usb_dev *d, unsigned nports, int multi_tt, unsigned think_time)
{
	volatile uint32_t *sc;

	input_begin(x, d, 1u << 0);
	copy_slot_ctx(x, d);
	sc = ctx(x, d->in_ctx, 1);
	sc[0] |= CTX_SLOT_HUB | (multi_tt ? CTX_SLOT_MTT : 0);
	sc[1] = (sc[1] & 0x00ffffffu) | CTX_SLOT_NPORTS(nports);
	sc[2] = (sc[2] & ~CTX_SLOT_TTT(3)) | CTX_SLOT_TTT(think_time);
	return command(x, d->in_ctx, TRB_TYPE(TRB_CONFIGURE_EP) | TRB_SLOT(d->info.slot), NULL) == CC_SUCCESS ? 0 :
														-EIO;
}

/* EP0 stalled: Reset Endpoint, then point its dequeue past what was queued. */
static void ep0_recover(struct xhci *x, struct usb_dev *d)
{
	uint32_t slot = TRB_SLOT(d->info.slot) | ((uint32_t)DCI_EP0 << 16);

	if (command(x, 0, TRB_TYPE(TRB_RESET_EP) | slot, NULL) < 0)
		return;
	command(x, (d->ep0.phys + d->ep0.idx * TRB_BYTES) | d->ep0.cycle, TRB_TYPE(TRB_SET_TR_DEQUEUE) | slot, NULL);
}

int xhci_control(struct xhci *x, struct usb_dev *d, const struct usb_setup *s, void *data)
{
	static uint64_t buf_phys;
	static uint8_t *buf;
	int in = !!(s->type & 0x80), cc;
	uint64_t setup = s->type | (uint32_t)s->request << 8 | (uint64_t)s->value << 16 | (uint64_t)s->index << 32 |
			 (uint64_t)s->length << 48;
	uint32_t trt = !s->length ? 0 : in ? TRB_TRT_IN : TRB_TRT_OUT;
	uint64_t status_trb;

	if (x->info.state == XHCI_FAILED)
		return -EIO;
	if (s->length > PAGE_SIZE)
		return -EINVAL;
	if (!buf && !(buf = page(&buf_phys)))
		return -ENOMEM;
	if (!in && s->length)
		memcpy(buf, data, s->length);
	x->done = 0;
	x->xfer_data_trb = 0;
	x->xfer_residue = 0;
	ring_put(&d->ep0, setup, 8, TRB_TYPE(TRB_SETUP) | TRB_IDT | trt);
	if (s->length)
		x->xfer_data_trb = ring_put(&d->ep0, buf_phys, s->length,
					    TRB_TYPE(TRB_DATA) | TRB_ISP | (in ? TRB_DIR_IN : 0));
	status_trb = ring_put(&d->ep0, 0, 0, TRB_TYPE(TRB_STATUS) | TRB_IOC | (in && s->length ? 0 : TRB_DIR_IN));
	doorbell(x, d->info.slot, DCI_EP0);
	for (;;) {
		struct deadline dl;

		deadline_in(&dl, TRANSFER_MS);
		cc = -ETIMEDOUT;
		while (!expired(&dl)) {
			events(x);
			if (x->done) {
				cc = (int)TRB_CC(x->done_status);
				break;
			}
			pause();
		}
		if (cc != -ETIMEDOUT && x->done_trb != status_trb && cc == CC_SUCCESS) {
			x->done = 0;
			continue; /* an earlier stage's event */
		}
		break;
	}
	x->done = 0;
	x->xfer_data_trb = 0;
	if (cc == -ETIMEDOUT) {
		d->why = "a control transfer timed out";
		return -ETIMEDOUT;
	}
	if (cc != CC_SUCCESS) {
		d->why = cc == CC_STALL ? "the device stalled a request" : "a control transfer failed";
		if (cc == CC_STALL)
			ep0_recover(x, d);
		return cc == CC_STALL ? -EPIPE : -EIO;
	}
	if (in && s->length) {
		unsigned got = s->length - (x->xfer_residue < s->length ? x->xfer_residue : s->length);

		memcpy(data, buf, got);
		return (int)got;
	}
	return s->length;
}

int xhci_interrupt_in(struct xhci *x, struct usb_dev *d, unsigned ep, unsigned mps, unsigned interval, unsigned len)
{
	unsigned dci = ep * 2 + 1, xint;
	volatile uint32_t *sc, *ec;

	if (!ep || ep > 15 || !mps || len > PAGE_SIZE)
		return -EINVAL;
	if (ring_init(&d->intr) || !page(&d->intr_buf))
		return -ENOMEM;
	/* 6.2.3.6: an interval of 2^xint x 125 us; full/low speed give bInterval in ms. */
	if (d->info.speed == USB_SPEED_HIGH || d->info.speed == USB_SPEED_SUPER) {
		xint = interval ? interval - 1 : 0;
	} else {
		unsigned frames = (interval ? interval : 1) * 8;

		for (xint = 0; (2u << xint) <= frames; xint++)
			;
	}
	if (xint < 3)
		xint = 3;
	if (xint > 10)
		xint = 10;
	input_begin(x, d, 1u << 0 | 1u << dci);
	copy_slot_ctx(x, d);
	sc = ctx(x, d->in_ctx, 1);
	sc[0] = (sc[0] & ~CTX_SLOT_ENTRIES(0x1f)) | CTX_SLOT_ENTRIES(dci);
	ec = ctx(x, d->in_ctx, 1 + dci);
	ec[0] = CTX_EP_INTERVAL(xint);
	ec[1] = CTX_EP_CERR(EP_CERR_MAX) | CTX_EP_TYPE(EP_TYPE_INTERRUPT_IN) | CTX_EP_MPS(mps);
	ec[2] = (uint32_t)d->intr.phys | d->intr.cycle;
	ec[3] = (uint32_t)(d->intr.phys >> 32);
	ec[4] = mps | CTX_EP_MAX_ESIT_LO(mps);
	if (command(x, d->in_ctx, TRB_TYPE(TRB_CONFIGURE_EP) | TRB_SLOT(d->info.slot), NULL) != CC_SUCCESS)
		return -EIO;
	d->intr_dci = dci;
	d->intr_len = len;
	d->intr_trb = ring_put(&d->intr, d->intr_buf, len, TRB_TYPE(TRB_NORMAL) | TRB_IOC | TRB_ISP);
	doorbell(x, d->info.slot, dci);
	return 0;
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
			return fail(x, "did not halt within 20 ms of clearing Run/Stop");
	}
	wr32(x->op, OP_USBCMD, CMD_HCRST);
	if (wait_reg(x->op, OP_USBCMD, CMD_HCRST, 0, RESET_MS) || wait_reg(x->op, OP_USBSTS, STS_CNR, 0, RESET_MS))
		return fail(x, "did not come out of reset within 1 s");
	return 0;
}

static int setup_memory(struct xhci *x)
{
	uint32_t hcs2 = rd32(x->cap, CAP_HCSPARAMS2);
	unsigned nsp = HCS2_SPB_HI(hcs2) << 5 | HCS2_SPB_LO(hcs2);
	uint64_t erst_phys, sp_phys;
	volatile uint64_t *dcbaa, *erst, *sp;

	if (!(rd32(x->op, OP_PAGESIZE) & 1))
		return fail(x, "does not support 4 KiB pages");
	dcbaa = page(&x->dcbaa);
	if (!dcbaa || ring_init(&x->cmd) || !(x->ev = page(&x->ev_phys)) || !(erst = page(&erst_phys)))
		return fail(x, "no memory for its rings");
	x->info.scratchpads = nsp;
	if (nsp) {
		if (nsp > PAGE_SIZE / sizeof(uint64_t) || !(sp = page(&sp_phys)))
			return fail(x, "no memory for its scratchpad");
		for (unsigned i = 0; i < nsp; i++)
			if (!page((uint64_t *)&sp[i]))
				return fail(x, "no memory for its scratchpad");
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
		return fail(x, "did not start running");
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
		fail(x, "BAR 0 is not a usable memory BAR");
		return;
	}
	cmd = pci_cfg_read32(f->bdf, PCI_COMMAND) & 0xffff;
	pci_cfg_write32(f->bdf, PCI_COMMAND, cmd | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE);
	virt = kvm_map_mmio(f->bar0, f->bar0_size, VM_READ | VM_WRITE | VM_UC, "[xhci]");
	if (!virt) {
		fail(x, "its registers could not be mapped");
		return;
	}
	x->cap = (volatile uint8_t *)virt;
	if (rd32(x->cap, CAP_CAPLENGTH) == 0xffffffffu) {
		fail(x, "its registers read all ones");
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
		fail(x, "reported a host system or controller error");
	x->info.ndevices = x->ndevs;
	x->info.init_us = now_us() - t0;
}

unsigned xhci_init_all(void)
{
	struct pci_fn f;

	while (nctrls < XHCI_MAX_CONTROLLERS &&
	       !pci_find_class(PCI_CLASS_SERIAL_BUS, PCI_SUBCLASS_USB, PCI_PROGIF_XHCI, nctrls, &f)) {
		struct xhci *x = &ctrls[nctrls++];

		memset(x, 0, sizeof(*x));
		bring_up(x, &f);
	}
	return xhci_keyboards();
}

void xhci_poll(void)
{
	for (unsigned i = 0; i < nctrls; i++)
		if (ctrls[i].info.state == XHCI_RUNNING)
			events(&ctrls[i]);
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
