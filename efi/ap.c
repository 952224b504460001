/* SPDX-License-Identifier: MIT */
/*
 * ap.c - the other processors. After ExitBootServices the firmware leaves
 * its application processors spinning (or halted) in code and data it owns,
 * in boot-services memory that Atlas is about to hand to its allocator.
 * Before anything reuses that memory, every AP gets an INIT IPI: it drops
 * whatever it was running and waits for a startup IPI that never comes.
 * This runs right after ExitBootServices, still on the firmware's identity
 * map, where the local APIC's registers are reachable at their physical
 * address; it only touches the APIC, never a firmware service.
 */
#include "efi.h"
#include "x86.h"

#define LAPIC_ICR_LOW 0x300
#define LAPIC_ICR_HIGH 0x310
#define ICR_DELIVERY_INIT (5U << 8)
#define ICR_LEVEL_ASSERT (1U << 14)
#define ICR_TRIGGER_LEVEL (1U << 15)
#define ICR_DELIVERY_PENDING (1U << 12)
#define ICR_ALL_EXCLUDING_SELF (3U << 18)
#define ICR_POLL_LIMIT 100000

/* Returns 1 when the INIT went out to all other processors, 0 when there is no APIC to send it with. */
int efi_ap_init_all(void)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);
	volatile uint32_t *icr_lo, *icr_hi;

	if (!(base & APIC_BASE_ENABLE))
		return 0;
	if (base & APIC_BASE_EXTD) {
		wrmsr(MSR_X2APIC_ICR, ICR_ALL_EXCLUDING_SELF | ICR_LEVEL_ASSERT | ICR_DELIVERY_INIT);
		return 1;
	}
	icr_lo = (volatile uint32_t *)(uintptr_t)((base & APIC_BASE_ADDR_MASK) + LAPIC_ICR_LOW);
	icr_hi = (volatile uint32_t *)(uintptr_t)((base & APIC_BASE_ADDR_MASK) + LAPIC_ICR_HIGH);
	*icr_hi = 0;
	*icr_lo = ICR_ALL_EXCLUDING_SELF | ICR_LEVEL_ASSERT | ICR_DELIVERY_INIT;
	for (int i = 0; i < ICR_POLL_LIMIT && (*icr_lo & ICR_DELIVERY_PENDING); i++)
		pause();
	/* The de-assert that pre-Pentium-4 parts need; later ones ignore it. */
	*icr_lo = ICR_ALL_EXCLUDING_SELF | ICR_TRIGGER_LEVEL | ICR_DELIVERY_INIT;
	for (int i = 0; i < ICR_POLL_LIMIT && (*icr_lo & ICR_DELIVERY_PENDING); i++)
		pause();
	return 1;
}
