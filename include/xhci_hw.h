/* SPDX-License-Identifier: MIT */
/*
 * xhci_hw.h - private to drivers/xhci.c and drivers/xhci_dev.c: the xHCI
 * 1.2 register, TRB and context layouts by the specification's names (once,
 * here), the controller's state, and the primitives the two files share.
 */
#ifndef ATLAS_XHCI_HW_H
#define ATLAS_XHCI_HW_H

#include <stdint.h>

#include "memlayout.h"
#include "tsc.h"
#include "x86.h"
#include "xhci.h"

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
	unsigned index; /* in the order found */
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

/* ---- registers and deadlines -------------------------------------------------------- */

static inline uint32_t rd32(volatile uint8_t *base, unsigned off)
{
	return *(volatile uint32_t *)(base + off);
}
static inline void wr32(volatile uint8_t *base, unsigned off, uint32_t v)
{
	*(volatile uint32_t *)(base + off) = v;
}
static inline void wr64(volatile uint8_t *base, unsigned off, uint64_t v)
{
	wr32(base, off, (uint32_t)v);
	wr32(base, off + 4, (uint32_t)(v >> 32));
}
/* A deadline ms from now: a TSC stamp, or a spin count when the TSC is not calibrated. */
struct deadline {
	uint64_t end;
	uint64_t spins;
};
static inline void deadline_in(struct deadline *d, unsigned ms)
{
	d->spins = (uint64_t)ms * SPIN_PER_MS;
	d->end = tsc_hz() ? rdtsc() + tsc_hz() / USEC_PER_MS * ms : 0;
}
static inline int expired(struct deadline *d)
{
	if (d->end)
		return rdtsc() > d->end;
	return d->spins-- == 0;
}

/* ---- shared by xhci.c and xhci_dev.c ------------------------------------------------ */

/* Mark x failed with why (kept for the report) and halt it; returns -EIO. */
int xhci_fail(struct xhci *x, const char *why);
/* A zeroed page from the PMM: its direct-map address, and its physical one in *phys; NULL when none. */
void *xhci_page(uint64_t *phys);
/* A one-page ring ending in a Link TRB back to its start. 0 or -ENOMEM. */
int xhci_ring_init(struct xhci_ring *r);
/* Enqueue one TRB (cycle bit last); returns its physical address. */
uint64_t xhci_ring_put(struct xhci_ring *r, uint64_t param, uint32_t status, uint32_t control);
/* Ring doorbell slot (0: the command ring) for target. */
void xhci_doorbell(struct xhci *x, unsigned slot, unsigned target);
/* Consume the event ring (bounded per call); keyboard reports are handed on. */
void xhci_events(struct xhci *x);
/* Run one command: its completion code (*slot: the event's slot ID), or -ETIMEDOUT (x then failed). */
int xhci_command(struct xhci *x, uint64_t param, uint32_t control, unsigned *slot);

#endif
