/* SPDX-License-Identifier: MIT */
/*
 * xhci_dev.c - one device's side of the xHCI driver (see xhci.h): its
 * contexts, Address Device, Evaluate Context and Configure Endpoint, control
 * transfers on the default pipe (with recovery from a STALL), and the
 * interrupt IN pipe a keyboard reports through. Section numbers are xHCI 1.2.
 */
#include "kerrno.h"
#include "kstring.h"
#include "memlayout.h"
#include "xhci_hw.h"

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
	d->info.controller = x->index;
	d->info.root_port = root_port;
	d->info.speed = speed;
	d->route = route;
	cc = xhci_command(x, 0, TRB_TYPE(TRB_ENABLE_SLOT), &slot);
	if (cc != CC_SUCCESS || !slot || slot > MAX_SLOTS_USED) {
		d->why = "Enable Slot failed";
		return NULL;
	}
	x->ndevs++;
	d->info.slot = slot;
	d->info.state = "addressing";
	if (!xhci_page(&d->out_ctx) || !xhci_page(&d->in_ctx) || xhci_ring_init(&d->ep0)) {
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
	cc = xhci_command(x, d->in_ctx, TRB_TYPE(TRB_ADDRESS_DEVICE) | TRB_SLOT(slot), NULL);
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
	return xhci_command(x, d->in_ctx, TRB_TYPE(TRB_EVALUATE_CONTEXT) | TRB_SLOT(d->info.slot), NULL) == CC_SUCCESS ?
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
	return xhci_command(x, d->in_ctx, TRB_TYPE(TRB_CONFIGURE_EP) | TRB_SLOT(d->info.slot), NULL) == CC_SUCCESS ?
		       0 :
		       -EIO;
}

/* EP0 stalled: Reset Endpoint, then point its dequeue past what was queued. */
static void ep0_recover(struct xhci *x, struct usb_dev *d)
{
	uint32_t slot = TRB_SLOT(d->info.slot) | ((uint32_t)DCI_EP0 << 16);

	if (xhci_command(x, 0, TRB_TYPE(TRB_RESET_EP) | slot, NULL) < 0)
		return;
	xhci_command(x, (d->ep0.phys + d->ep0.idx * TRB_BYTES) | d->ep0.cycle, TRB_TYPE(TRB_SET_TR_DEQUEUE) | slot,
		     NULL);
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
	if (!buf && !(buf = xhci_page(&buf_phys)))
		return -ENOMEM;
	if (!in && s->length)
		memcpy(buf, data, s->length);
	x->done = 0;
	x->xfer_data_trb = 0;
	x->xfer_residue = 0;
	xhci_ring_put(&d->ep0, setup, 8, TRB_TYPE(TRB_SETUP) | TRB_IDT | trt);
	if (s->length)
		x->xfer_data_trb = xhci_ring_put(&d->ep0, buf_phys, s->length,
						 TRB_TYPE(TRB_DATA) | TRB_ISP | (in ? TRB_DIR_IN : 0));
	status_trb = xhci_ring_put(&d->ep0, 0, 0, TRB_TYPE(TRB_STATUS) | TRB_IOC | (in && s->length ? 0 : TRB_DIR_IN));
	xhci_doorbell(x, d->info.slot, DCI_EP0);
	for (;;) {
		struct deadline dl;

		deadline_in(&dl, TRANSFER_MS);
		cc = -ETIMEDOUT;
		while (!expired(&dl)) {
			xhci_events(x);
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
	if (xhci_ring_init(&d->intr) || !xhci_page(&d->intr_buf))
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
	if (xhci_command(x, d->in_ctx, TRB_TYPE(TRB_CONFIGURE_EP) | TRB_SLOT(d->info.slot), NULL) != CC_SUCCESS)
		return -EIO;
	d->intr_dci = dci;
	d->intr_len = len;
	d->intr_trb = xhci_ring_put(&d->intr, d->intr_buf, len, TRB_TYPE(TRB_NORMAL) | TRB_IOC | TRB_ISP);
	xhci_doorbell(x, d->info.slot, dci);
	return 0;
}
