#!/bin/sh
# mkesp.sh OUT EFI STARTUP_NSH CFG [--shell-only OPTIONS]
#
# Build a FAT32 EFI System Partition image with mtools:
#   \EFI\BOOT\BOOTX64.EFI   atlas.efi on the removable-media path
#   \startup.nsh            what the UEFI shell runs
#   \atlas.cfg              default options
#   \atlas\initrd.cpio     the initramfs, when the environment names one in INITRD
#   \atlas\suite.bin       the ring-3 test suite (tools/mkprogs.sh), when the
#                           environment names one in SUITE
#   \atlas\pci.ids          Debian's PCI ID database (package pci.ids; PCI_IDS
#                           names another file, PCI_IDS= none leaves it out)
# With --shell-only OPTIONS, atlas.efi goes to \EFI\atlas\atlas.efi instead
# (so the firmware finds no boot loader and falls back to its shell) and
# startup.nsh runs it with OPTIONS on the command line (LoadOptions).
set -eu
out=$1 efi=$2 nsh=$3 cfg=$4
shell_only=""
if [ "${5:-}" = "--shell-only" ]; then shell_only=1; opts=${6:-}; fi

size_mb=64 # FAT32 needs at least 65525 clusters; 64 MiB with 512-byte clusters
tmp=$out.tmp
rm -f "$tmp"
truncate -s ${size_mb}M "$tmp"
mformat -i "$tmp" -F -c 1 -v ATLAS ::
mmd -i "$tmp" ::/EFI
if [ -n "$shell_only" ]; then
	mmd -i "$tmp" ::/EFI/atlas
	mcopy -i "$tmp" "$efi" ::/EFI/atlas/atlas.efi
	printf '@echo -off\r\nfs0:\r\n\\EFI\\atlas\\atlas.efi %s\r\n' "$opts" > "$tmp.nsh"
	mcopy -i "$tmp" "$tmp.nsh" ::/startup.nsh
	rm -f "$tmp.nsh"
else
	mmd -i "$tmp" ::/EFI/BOOT
	mcopy -i "$tmp" "$efi" ::/EFI/BOOT/BOOTX64.EFI
	mcopy -i "$tmp" "$nsh" ::/startup.nsh
fi
mcopy -i "$tmp" "$cfg" ::/atlas.cfg
mmd -i "$tmp" ::/atlas
if [ -n "${INITRD:-}" ]; then
	mcopy -i "$tmp" "$INITRD" ::/atlas/initrd.cpio
fi
if [ -n "${SUITE:-}" ]; then
	mcopy -i "$tmp" "$SUITE" ::/atlas/suite.bin
fi
pci_ids=${PCI_IDS-/usr/share/misc/pci.ids}
if [ -n "$pci_ids" ]; then
	if [ ! -f "$pci_ids" ]; then
		echo "mkesp.sh: $pci_ids missing (Debian package pci.ids; make deps installs it)" >&2
		exit 1
	fi
	mcopy -i "$tmp" "$pci_ids" ::/atlas/pci.ids
fi
mv "$tmp" "$out"
