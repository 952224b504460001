/* SPDX-License-Identifier: MIT */
/*
 * usbreport.c - what the xHCI driver found: one line per controller and per
 * device (human), {"rec":"xhci"} and {"rec":"usb"} records (docs/records.md).
 */
#include "json.h"
#include "kernel.h"
#include "pci_cfg.h"
#include "record.h"
#include "xhci.h"

#define US_PER_MS 1000

static const char *state_name(enum xhci_state s)
{
	return s == XHCI_RUNNING ? "running" : s == XHCI_FAILED ? "failed" : "absent";
}

void usb_report(void)
{
	const struct xhci_ctrl_info *c;
	const struct usb_dev_info *d;
	char bdf[16];
	struct jrec r;

	if (!xhci_controller(0) && report_human())
		kprintf("USB: no xHCI controller (EHCI- and OHCI-only machines have no USB keyboard after boot)\n");
	for (unsigned i = 0; (c = xhci_controller(i)); i++) {
		ksnprintf(bdf, sizeof(bdf), "%02x:%02x.%x", PCI_BUS(c->bdf), PCI_DEV(c->bdf), PCI_FN(c->bdf));
		if (report_human()) {
			if (c->state == XHCI_FAILED)
				kprintf("USB: xHCI %s (%04x:%04x) at 0x%llx %s; left alone\n", bdf, c->vendor,
					c->device, (unsigned long long)c->mmio_phys, c->why);
			else
				kprintf("USB: xHCI %s (%04x:%04x) version %x.%02x at 0x%llx: %u ports, %u slots, "
					"%u-byte contexts, %u scratchpad pages; BIOS handoff: %s; %u devices in %llu ms\n",
					bdf, c->vendor, c->device, c->version >> 8, c->version & 0xff,
					(unsigned long long)c->mmio_phys, c->ports, c->slots, c->context_size,
					c->scratchpads, c->handoff, c->ndevices,
					(unsigned long long)(c->init_us / US_PER_MS));
		}
		jrec_begin(&r, "xhci");
		jrec_str(&r, "pci", bdf);
		jrec_hex(&r, "vendor", c->vendor);
		jrec_hex(&r, "device", c->device);
		jrec_hex(&r, "mmio", c->mmio_phys);
		jrec_u64(&r, "mmio_size", c->mmio_size);
		jrec_str(&r, "state", state_name(c->state));
		jrec_str(&r, "why", c->why ? c->why : "");
		jrec_str(&r, "handoff", c->handoff ? c->handoff : "none");
		jrec_u64(&r, "ports", c->ports);
		jrec_u64(&r, "slots", c->slots);
		jrec_u64(&r, "devices", c->ndevices);
		jrec_u64(&r, "init_us", c->init_us);
		report_emit(&r);
	}
	for (unsigned i = 0; (d = xhci_device(i)); i++) {
		if (report_human())
			kprintf("USB: controller %u port %u%s%.0u slot %u: %04x:%04x class %02x/%02x/%02x %s speed: %s\n",
				d->controller, d->root_port, d->hub_port ? " hub port " : "", d->hub_port, d->slot,
				d->vendor, d->product, d->if_class, d->if_subclass, d->if_protocol,
				usb_speed_name(d->speed), d->state);
		jrec_begin(&r, "usb");
		jrec_u64(&r, "controller", d->controller);
		jrec_u64(&r, "port", d->root_port);
		jrec_u64(&r, "hub_port", d->hub_port);
		jrec_u64(&r, "slot", d->slot);
		jrec_str(&r, "speed", usb_speed_name(d->speed));
		jrec_hex(&r, "vendor", d->vendor);
		jrec_hex(&r, "product", d->product);
		jrec_u64(&r, "class", d->if_class);
		jrec_u64(&r, "subclass", d->if_subclass);
		jrec_u64(&r, "protocol", d->if_protocol);
		jrec_bool(&r, "hub", d->is_hub);
		jrec_bool(&r, "keyboard", d->is_keyboard);
		jrec_str(&r, "state", d->state ? d->state : "");
		report_emit(&r);
	}
}
