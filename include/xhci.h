/* SPDX-License-Identifier: MIT */
/*
 * xhci.h - a polled xHCI host controller driver, for USB keyboards after
 * ExitBootServices (eXtensible Host Controller Interface 1.2).
 *
 * No interrupts: one event ring per controller, read whenever the monitor
 * (kbd_read) asks for keys. Every wait is bounded by a deadline; a
 * controller that misses one is named in the report and left alone (its
 * keyboards are not used), and the run goes on.
 *
 * drivers/xhci.c has the controller (BIOS/OS handoff, reset, rings,
 * commands, events, root-hub ports); drivers/usbdev.c enumerates what is
 * plugged in (descriptors, one level of hubs, boot keyboards). Reports are
 * core/report/usbreport.c's, from xhci_controller() and xhci_device().
 */
#ifndef ATLAS_XHCI_H
#define ATLAS_XHCI_H

#include <stddef.h>
#include <stdint.h>

#define XHCI_MAX_CONTROLLERS 4
#define XHCI_MAX_DEVICES 16 /* per controller */
#define USB_HUB_MAX_PORTS 15

/* USB speeds as xHCI's PORTSC and slot context number them. */
enum usb_speed { USB_SPEED_NONE, USB_SPEED_FULL, USB_SPEED_LOW, USB_SPEED_HIGH, USB_SPEED_SUPER };

/* What became of a controller. */
enum xhci_state { XHCI_ABSENT, XHCI_RUNNING, XHCI_FAILED };

struct xhci_ctrl_info {
	enum xhci_state state;
	uint32_t bdf;
	uint16_t vendor, device;
	uint64_t mmio_phys, mmio_size;
	uint16_t version; /* HCIVERSION, BCD */
	unsigned ports, slots, context_size, scratchpads;
	const char *handoff; /* "none" (no USBLEGSUP), "released", "forced" (the BIOS kept it), "not owned" */
	const char *why;     /* XHCI_FAILED: what went wrong, in words */
	unsigned ndevices;
	uint64_t init_us; /* time from finding it to the end of enumeration */
};

/* One USB device as enumeration found it. */
struct usb_dev_info {
	unsigned controller;
	unsigned slot;
	unsigned root_port; /* 1-based root-hub port */
	unsigned hub_port;  /* 1-based port of the hub it sits behind, 0 on a root port */
	enum usb_speed speed;
	uint16_t vendor, product;
	uint8_t dev_class, if_class, if_subclass, if_protocol;
	int is_hub, is_keyboard;
	unsigned hub_ports;
	const char *state; /* "keyboard", "hub", "not used", or what failed */
};

/*
 * Find every xHCI controller (PCI class 0C/03/30), take it from the firmware,
 * reset it, and enumerate its root ports and one level of hubs below them,
 * configuring boot keyboards. Needs the kernel's tables, the PMM and a
 * calibrated TSC. Returns the number of keyboards ready.
 */
unsigned xhci_init_all(void);

/* Read every running controller's event ring; keyboard reports become kbd keys. */
void xhci_poll(void);

/* Keyboards configured on running controllers. */
unsigned xhci_keyboards(void);

/* For reports: the i-th controller found (NULL past the last), and the i-th device of all. */
const struct xhci_ctrl_info *xhci_controller(unsigned i);
const struct usb_dev_info *xhci_device(unsigned i);
const char *usb_speed_name(enum usb_speed s);

/* ---- between xhci.c and usbdev.c ------------------------------------------------- */

#include "usbkbd.h"

struct xhci;

/* A ring of 16-byte TRBs in one page, the last a Link back to the first. */
struct xhci_ring {
	volatile uint32_t *trb; /* through the direct map */
	uint64_t phys;
	unsigned idx; /* next TRB to write */
	uint32_t cycle;
};

struct usb_dev {
	struct usb_dev_info info;
	uint32_t route;
	uint64_t out_ctx, in_ctx; /* device and input context pages (physical) */
	struct xhci_ring ep0;
	/* The interrupt IN pipe (keyboards): ring, DCI, the transfer's buffer. */
	struct xhci_ring intr;
	unsigned intr_dci, intr_len;
	uint64_t intr_buf;
	uint64_t intr_trb; /* the TRB in flight */
	struct usbkbd_decoder kbd;
	const char *why; /* the last failure */
};

/* A setup packet (USB 2.0, 9.3). */
struct usb_setup {
	uint8_t type, request;
	uint16_t value, index, length;
};

/*
 * Address a new device: Enable Slot, then Address Device with its route
 * string, root port and speed (and the TT of a high-speed hub above a
 * full/low-speed device). Returns the device or NULL (dev->why says).
 */
struct usb_dev *xhci_address(struct xhci *x, unsigned root_port, uint32_t route, enum usb_speed speed,
			     const struct usb_dev *tt_hub, unsigned tt_port);
/* A control transfer on the default pipe; data in or out per setup->type bit 7. Returns bytes moved or -errno. */
int xhci_control(struct xhci *x, struct usb_dev *d, const struct usb_setup *setup, void *data);
/* Change EP0's max packet size (Evaluate Context). 0 or -errno. */
int xhci_set_ep0_mps(struct xhci *x, struct usb_dev *d, unsigned mps);
/* Make the slot a hub with nports ports (Configure Endpoint, slot context only). 0 or -errno. */
int xhci_make_hub(struct xhci *x, struct usb_dev *d, unsigned nports, int multi_tt, unsigned think_time);
/*
 * Configure the interrupt IN endpoint ep (1..15) with max packet mps and
 * bInterval, and keep a transfer of len bytes queued on it: each completion
 * calls usbdev_interrupt_done(). 0 or -errno.
 */
int xhci_interrupt_in(struct xhci *x, struct usb_dev *d, unsigned ep, unsigned mps, unsigned interval, unsigned len);
/* Sleep-free delay with the TSC. */
void xhci_delay_ms(unsigned ms);

/* usbdev.c: enumerate what sits on a root port that xhci.c just enabled. */
void usbdev_enumerate(struct xhci *x, unsigned root_port, enum usb_speed speed);
/* usbdev.c: an interrupt IN transfer on d finished with data[0..len). */
void usbdev_interrupt_done(struct usb_dev *d, const uint8_t *data, unsigned len);
/* usbdev.c: the info block of d (xhci.c keeps the devices). */
struct usb_dev_info *usbdev_info(struct usb_dev *d);

#endif
