/* SPDX-License-Identifier: MIT */
/*
 * acpi.h - a small ACPI table reader for after ExitBootServices: enough of
 * the RSDP, RSDT/XSDT, FADT, DSDT (\_S5 only) and MADT to power off, reset,
 * and count CPUs. No AML interpreter: \_S5 is found by a bounded byte scan.
 *
 * Every physical range is approved by the caller's ok() before it is read,
 * and every table's header (signature, length, checksum) is checked first, so
 * a broken firmware table is skipped rather than read past its end.
 */
#ifndef ATLAS_ACPI_H
#define ATLAS_ACPI_H

#include <stdint.h>

/* The power-management timer's rate (ACPI 6.5 4.8.3.3). */
#define ACPI_PM_TIMER_HZ 3579545ULL

/* Generic Address Structure address spaces (ACPI 6.5 5.2.3.2). */
#define ACPI_GAS_SPACE_MEMORY 0
#define ACPI_GAS_SPACE_IO 1

struct acpi_info {
	uint64_t rsdp, xsdt_or_rsdt, fadt, dsdt, madt; /* physical addresses; 0 = not found / invalid */
	int revision;				       /* RSDP revision: 0 (ACPI 1.0) or >= 2 */
	uint16_t pm1a_cnt, pm1b_cnt;		       /* I/O ports; 0 = absent */
	uint16_t pm_tmr;			       /* the PM timer's I/O port (ACPI_PM_TIMER_HZ); 0 = absent */
	int pm_tmr_32bit;			       /* it counts 32 bits (FADT TMR_VAL_EXT), else 24 */
	uint16_t slp_typa_s5, slp_typb_s5;	       /* from \_S5, valid when have_s5 */
	int have_s5;
	/* FADT IAPC_BOOT_ARCH (5.2.9.3), valid from FADT revision 3 (ACPI 2.0) on. */
	int boot_arch_valid;
	uint16_t boot_arch;  /* ACPI_BOOT_ARCH_* */
	int reset_supported; /* FADT RESET_REG_SUP and a long enough FADT */
	uint8_t reset_space; /* ACPI_GAS_SPACE_* of RESET_REG */
	uint64_t reset_addr;
	uint8_t reset_value;
	char oem_id[7]; /* RSDP OEMID, NUL-terminated */
	/* SPCR: the firmware's serial console (a 16550-compatible UART), when it names one. */
	uint64_t spcr;	    /* physical address of the table; 0 = none */
	uint8_t spcr_type;  /* Interface Type: ACPI_SPCR_16550, ACPI_SPCR_16450, ACPI_SPCR_16550_GAS, ... */
	uint8_t spcr_space; /* ACPI_GAS_SPACE_IO or ACPI_GAS_SPACE_MEMORY */
	uint8_t spcr_width; /* register access width in bytes (1 or 4) */
	uint64_t spcr_addr; /* base address (I/O port or physical MMIO) */
	uint32_t spcr_baud; /* bits per second, 0 = "as the firmware left it" */
};

/* IA-PC Boot Architecture Flags (ACPI 6.5 table 5.11). */
#define ACPI_BOOT_ARCH_LEGACY_DEVICES (1U << 0)
#define ACPI_BOOT_ARCH_8042 (1U << 1) /* an 8042 (or compatible) keyboard controller */

/* 1 when [phys, phys + len) may be read through the direct map. */
typedef int (*acpi_phys_ok_fn)(uint64_t phys, uint64_t len);

/* SPCR Interface Types Atlas's 16550 driver can drive (DBG2 port subtypes). */
#define ACPI_SPCR_16550 0x00
#define ACPI_SPCR_16450 0x01
#define ACPI_SPCR_16550_GAS 0x12

/* 1 when the SPCR found by acpi_init describes a UART Atlas can use. */
int acpi_spcr_usable(const struct acpi_info *ai);

/*
 * Parse the tables reachable from the RSDP at rsdp_phys into *ai (zeroed
 * first). Returns 0 when the RSDP, the root table and a FADT were valid
 * (\_S5, the DSDT and the MADT may still be missing: see have_s5, dsdt, madt);
 * -ENOENT when there is no valid RSDP there (signature, checksum, unreadable);
 * -EINVAL when the root table is unusable or no valid FADT was found. *ai
 * keeps whatever was found before the failure.
 */
int acpi_init(struct acpi_info *ai, uint64_t rsdp_phys, const void *(*phys_to_virt)(uint64_t), acpi_phys_ok_fn ok);

/*
 * Enter S5 (soft off) through PM1a_CNT (and PM1b_CNT when present). Returns
 * -ENODEV when \_S5 or PM1a_CNT is unknown, -ETIMEDOUT when the machine is
 * still running a bounded time after the write; on success it does not return.
 */
int acpi_shutdown(const struct acpi_info *ai);

/*
 * Reset through the FADT RESET_REG. Only the system I/O space is supported:
 * returns -ENODEV when the reset register is unsupported or not in I/O space,
 * -ETIMEDOUT when the machine is still running a bounded time after the write.
 */
int acpi_reset(const struct acpi_info *ai);

/*
 * Count the usable CPUs in the MADT found by acpi_init: Processor Local APIC
 * (type 0) and Processor Local x2APIC (type 9) entries whose flags say enabled
 * or online-capable. Returns the count, -ENOENT when there is no MADT, -EINVAL
 * when it no longer validates.
 */
int acpi_madt_cpus(const struct acpi_info *ai, const void *(*phys_to_virt)(uint64_t));

/*
 * How acpi_shutdown and acpi_reset reach the registers: port I/O, and a
 * bounded wait for the chipset to act. drivers/acpi_kernel.c gives the
 * machine's (acpi_init_kernel sets them); the host tests record instead.
 * Without them both return -ENODEV.
 */
struct acpi_io {
	void (*outb)(uint16_t port, uint8_t v);
	void (*outw)(uint16_t port, uint16_t v);
	uint16_t (*inw)(uint16_t port);
	void (*settle)(void);
};
void acpi_set_io(const struct acpi_io *io);

/*
 * drivers/acpi_kernel.c, in the kernel: acpi_init on the firmware's RSDP
 * (boot_info) with the tables read through the direct map (ranges checked
 * with kvm_direct_ok). Returns as acpi_init, or -ENOENT when the firmware
 * published no RSDP.
 */
int acpi_init_kernel(struct acpi_info *ai);
/* The direct-map address of phys, as acpi_madt_cpus takes it. */
const void *acpi_kernel_p2v(uint64_t phys);

#endif
