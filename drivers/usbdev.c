/* SPDX-License-Identifier: MIT */
/*
 * usbdev.c - what sits on an xHCI port (see xhci.h): standard requests
 * (USB 2.0 chapter 9), hubs one level deep (chapter 11), and HID keyboards
 * switched to the boot protocol (HID 1.11, 7.2.6), whose reports go through
 * usbkbd_decode into the keyboard queue. Anything else is addressed, named
 * in the report and left unconfigured.
 */
#include "kbd.h"
#include "kerrno.h"
#include "kstring.h"
#include "usbkbd.h"
#include "xhci.h"

/* Standard requests and descriptor types. */
#define REQ_GET_STATUS 0
#define REQ_CLEAR_FEATURE 1
#define REQ_SET_FEATURE 3
#define REQ_GET_DESCRIPTOR 6
#define REQ_SET_CONFIGURATION 9
#define DESC_DEVICE 1
#define DESC_CONFIG 2
#define DESC_INTERFACE 4
#define DESC_ENDPOINT 5
#define DESC_HUB 0x29
#define DESC_SS_HUB 0x2a
#define RT_DEV_IN 0x80
#define RT_DEV_OUT 0x00
#define RT_CLASS_IF_OUT 0x21
#define RT_CLASS_DEV_IN 0xa0
#define RT_CLASS_OTHER_IN 0xa3
#define RT_CLASS_OTHER_OUT 0x23
/* HID class requests. */
#define HID_SET_IDLE 0x0a
#define HID_SET_PROTOCOL 0x0b
#define HID_PROTOCOL_BOOT 0
/* Classes. */
#define CLASS_HID 3
#define CLASS_HUB 9
#define HID_SUBCLASS_BOOT 1
#define HID_PROTOCOL_KEYBOARD 1
/* Hub port features and status bits (11.24.2). */
#define HUB_PORT_RESET 4
#define HUB_PORT_POWER 8
#define HUB_C_PORT_CONNECTION 16
#define HUB_C_PORT_RESET 20
#define HUB_STATUS_CONNECTION (1u << 0)
#define HUB_STATUS_ENABLE (1u << 1)
#define HUB_STATUS_LOW_SPEED (1u << 9)
#define HUB_STATUS_HIGH_SPEED (1u << 10)
#define HUB_CHANGE_RESET (1u << 4)
#define HUB_RESET_MS 500
#define HUB_RESET_POLL_MS 10
#define HUB_MIN_POWER_MS 20
#define HUB_RECOVERY_MS 10 /* TRSTRCY: after a reset before the first request */
#define CONFIG_MAX 512	   /* bytes of configuration descriptor read */
#define EP_ADDR_IN 0x80
#define EP_NUM_MASK 0x0f
#define EP_XFER_MASK 0x03
#define EP_XFER_INTERRUPT 3
#define EP_MPS_MASK 0x7ff

static int get(struct xhci *x, struct usb_dev *d, uint8_t type, uint8_t req, uint16_t value, uint16_t index, void *buf,
	       uint16_t len)
{
	struct usb_setup s = { type, req, value, index, len };

	return xhci_control(x, d, &s, buf);
}

static int put(struct xhci *x, struct usb_dev *d, uint8_t type, uint8_t req, uint16_t value, uint16_t index)
{
	struct usb_setup s = { type, req, value, index, 0 };

	return xhci_control(x, d, &s, NULL);
}

/* What the configuration descriptor says about the first interface that matters. */
struct found {
	uint8_t config;
	uint8_t if_num, if_class, if_sub, if_proto;
	uint8_t ep, ep_interval;
	uint16_t ep_mps;
	int keyboard;
};

static void parse_config(const uint8_t *c, unsigned len, struct found *f)
{
	int in_kbd = 0, first = 1;

	memset(f, 0, sizeof(*f));
	if (len >= 6)
		f->config = c[5];
	for (unsigned at = 0; at + 2 <= len && c[at] >= 2; at += c[at]) {
		const uint8_t *dsc = c + at;

		if (at + dsc[0] > len)
			break;
		if (dsc[1] == DESC_INTERFACE && dsc[0] >= 9) {
			in_kbd = dsc[5] == CLASS_HID && dsc[6] == HID_SUBCLASS_BOOT && dsc[7] == HID_PROTOCOL_KEYBOARD;
			if (first || (in_kbd && !f->keyboard)) {
				f->if_num = dsc[2];
				f->if_class = dsc[5];
				f->if_sub = dsc[6];
				f->if_proto = dsc[7];
				first = 0;
			}
			if (in_kbd && !f->keyboard)
				f->keyboard = 1;
			else
				in_kbd = 0;
		} else if (dsc[1] == DESC_ENDPOINT && dsc[0] >= 7 && in_kbd && !f->ep) {
			if ((dsc[2] & EP_ADDR_IN) && (dsc[3] & EP_XFER_MASK) == EP_XFER_INTERRUPT) {
				f->ep = dsc[2] & EP_NUM_MASK;
				f->ep_mps = (uint16_t)((dsc[4] | dsc[5] << 8) & EP_MPS_MASK);
				f->ep_interval = dsc[6];
			}
		}
	}
}

static void keyboard(struct xhci *x, struct usb_dev *d, const struct found *f)
{
	struct usb_dev_info *i = usbdev_info(d);

	if (!f->ep) {
		i->state = "keyboard without an interrupt IN endpoint";
		return;
	}
	if (put(x, d, RT_CLASS_IF_OUT, HID_SET_PROTOCOL, HID_PROTOCOL_BOOT, f->if_num) < 0) {
		i->state = "keyboard refused the boot protocol";
		return;
	}
	/* Reports only on change; a keyboard that cannot do that (STALL) is fine as it is. */
	(void)put(x, d, RT_CLASS_IF_OUT, HID_SET_IDLE, 0, f->if_num);
	usbkbd_decoder_init(&d->kbd);
	if (xhci_interrupt_in(x, d, f->ep, f->ep_mps, f->ep_interval, USBKBD_REPORT) < 0) {
		i->state = "keyboard endpoint could not be configured";
		return;
	}
	i->is_keyboard = 1;
	i->state = "keyboard";
}

/* Reset hub port p and return the speed of what is behind it, or USB_SPEED_NONE. */
static enum usb_speed hub_port_up(struct xhci *x, struct usb_dev *hub, unsigned p)
{
	uint8_t st[4];
	uint16_t status, change;

	if (get(x, hub, RT_CLASS_OTHER_IN, REQ_GET_STATUS, 0, (uint16_t)p, st, 4) != 4)
		return USB_SPEED_NONE;
	if (!((st[0] | st[1] << 8) & HUB_STATUS_CONNECTION))
		return USB_SPEED_NONE;
	(void)put(x, hub, RT_CLASS_OTHER_OUT, REQ_CLEAR_FEATURE, HUB_C_PORT_CONNECTION, (uint16_t)p);
	if (put(x, hub, RT_CLASS_OTHER_OUT, REQ_SET_FEATURE, HUB_PORT_RESET, (uint16_t)p) < 0)
		return USB_SPEED_NONE;
	for (unsigned waited = 0;; waited += HUB_RESET_POLL_MS) {
		if (waited >= HUB_RESET_MS)
			return USB_SPEED_NONE;
		xhci_delay_ms(HUB_RESET_POLL_MS);
		if (get(x, hub, RT_CLASS_OTHER_IN, REQ_GET_STATUS, 0, (uint16_t)p, st, 4) != 4)
			return USB_SPEED_NONE;
		status = (uint16_t)(st[0] | st[1] << 8);
		change = (uint16_t)(st[2] | st[3] << 8);
		if (change & HUB_CHANGE_RESET)
			break;
	}
	(void)put(x, hub, RT_CLASS_OTHER_OUT, REQ_CLEAR_FEATURE, HUB_C_PORT_RESET, (uint16_t)p);
	xhci_delay_ms(HUB_RECOVERY_MS);
	if (!(status & HUB_STATUS_ENABLE))
		return USB_SPEED_NONE;
	return status & HUB_STATUS_LOW_SPEED  ? USB_SPEED_LOW :
	       status & HUB_STATUS_HIGH_SPEED ? USB_SPEED_HIGH :
						USB_SPEED_FULL;
}

static void device(struct xhci *x, unsigned root_port, uint32_t route, enum usb_speed speed, struct usb_dev *parent,
		   unsigned parent_port);

static void hub(struct xhci *x, struct usb_dev *d, const uint8_t *dev_desc)
{
	struct usb_dev_info *i = usbdev_info(d);
	uint8_t hd[16];
	unsigned nports, power_ms;
	int ss = i->speed == USB_SPEED_SUPER;

	i->is_hub = 1;
	if (get(x, d, RT_CLASS_DEV_IN, REQ_GET_DESCRIPTOR, (ss ? DESC_SS_HUB : DESC_HUB) << 8, 0, hd, sizeof(hd)) < 7) {
		i->state = "hub descriptor unreadable";
		return;
	}
	nports = hd[2] < USB_HUB_MAX_PORTS ? hd[2] : USB_HUB_MAX_PORTS;
	power_ms = hd[5] * 2u > HUB_MIN_POWER_MS ? hd[5] * 2u : HUB_MIN_POWER_MS;
	i->hub_ports = nports;
	/* A high-speed hub's protocol 2 is multi-TT; think time from wHubCharacteristics bits 5..6. */
	if (xhci_make_hub(x, d, nports, i->speed == USB_SPEED_HIGH && dev_desc[6] == 2, (hd[3] >> 5) & 3) < 0) {
		i->state = "hub could not be configured";
		return;
	}
	i->state = "hub";
	if (i->hub_port) {
		i->state = "hub behind a hub (only one level is enumerated)";
		return;
	}
	for (unsigned p = 1; p <= nports; p++)
		(void)put(x, d, RT_CLASS_OTHER_OUT, REQ_SET_FEATURE, HUB_PORT_POWER, (uint16_t)p);
	xhci_delay_ms(power_ms);
	for (unsigned p = 1; p <= nports; p++) {
		enum usb_speed s = hub_port_up(x, d, p);

		if (s != USB_SPEED_NONE)
			device(x, i->root_port, p, s, d, p);
	}
}

static void device(struct xhci *x, unsigned root_port, uint32_t route, enum usb_speed speed, struct usb_dev *parent,
		   unsigned parent_port)
{
	static uint8_t cfg[CONFIG_MAX];
	uint8_t dd[18];
	struct found f;
	struct usb_dev *d;
	struct usb_dev_info *i;
	const struct usb_dev *tt = NULL;
	int n;

	/* A full/low-speed device behind a high-speed hub talks through the hub's transaction translator. */
	if (parent && usbdev_info(parent)->speed == USB_SPEED_HIGH &&
	    (speed == USB_SPEED_FULL || speed == USB_SPEED_LOW))
		tt = parent;
	d = xhci_address(x, root_port, route, speed, tt, parent_port);
	if (!d)
		return;
	i = usbdev_info(d);
	i->hub_port = parent ? parent_port : 0;
	if (strcmp(i->state, "addressed"))
		return;
	n = get(x, d, RT_DEV_IN, REQ_GET_DESCRIPTOR, DESC_DEVICE << 8, 0, dd, 8);
	if (n < 8) {
		i->state = "device descriptor unreadable";
		return;
	}
	if (speed != USB_SPEED_SUPER && dd[7] && dd[7] != (speed == USB_SPEED_HIGH ? 64 : 8) &&
	    xhci_set_ep0_mps(x, d, dd[7]) < 0) {
		i->state = "EP0 max packet size could not be set";
		return;
	}
	if (get(x, d, RT_DEV_IN, REQ_GET_DESCRIPTOR, DESC_DEVICE << 8, 0, dd, sizeof(dd)) < (int)sizeof(dd)) {
		i->state = "device descriptor unreadable";
		return;
	}
	i->vendor = (uint16_t)(dd[8] | dd[9] << 8);
	i->product = (uint16_t)(dd[10] | dd[11] << 8);
	i->dev_class = dd[4];
	n = get(x, d, RT_DEV_IN, REQ_GET_DESCRIPTOR, DESC_CONFIG << 8, 0, cfg, 9);
	if (n >= 4) {
		unsigned total = (unsigned)(cfg[2] | cfg[3] << 8);

		n = get(x, d, RT_DEV_IN, REQ_GET_DESCRIPTOR, DESC_CONFIG << 8, 0, cfg,
			(uint16_t)(total < sizeof(cfg) ? total : sizeof(cfg)));
	}
	if (n < 9) {
		i->state = "configuration descriptor unreadable";
		return;
	}
	parse_config(cfg, (unsigned)n, &f);
	i->if_class = f.if_class;
	i->if_subclass = f.if_sub;
	i->if_protocol = f.if_proto;
	if (dd[4] != CLASS_HUB && f.if_class != CLASS_HUB && !f.keyboard) {
		i->state = "not used";
		return;
	}
	if (put(x, d, RT_DEV_OUT, REQ_SET_CONFIGURATION, f.config, 0) < 0) {
		i->state = "SET_CONFIGURATION failed";
		return;
	}
	if (f.keyboard)
		keyboard(x, d, &f);
	else
		hub(x, d, dd);
}

void usbdev_enumerate(struct xhci *x, unsigned root_port, enum usb_speed speed)
{
	device(x, root_port, 0, speed, NULL, 0);
}

void usbdev_interrupt_done(struct usb_dev *d, const uint8_t *data, unsigned len)
{
	int keys[USBKBD_MAX_KEYS], n = usbkbd_decode(&d->kbd, data, len, keys);

	for (int k = 0; k < n; k++)
		kbd_push_from(keys[k], KBD_SRC_USB);
}
