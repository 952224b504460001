# atlas.gdb - gdb setup for `make debug` (QEMU started with -s -S).
#
# A template: tools/gengdb.py fills in the addresses of include/memlayout.h
# (each name between at signs) and writes build/atlas.gdb, which `make debug` runs. The address
# space's regions are gdb variables there: $DIRECT_MAP_BASE, $KERNEL_BASE,
# $KHEAP_BASE, $KSTACK_AREA_BASE, $USER_STACK_TOP, ...
#
# The kernel's symbols are loaded at their link addresses (the higher half).
# atlas.efi is relocated by the firmware; its symbols follow automatically
# once kmain is reached (boot_info knows the load address), or by hand with
#   atlas-efi 0xADDR   (the "image at 0x..." address Atlas prints first)
# OVMF loads the image at the same address on every boot of the same QEMU
# configuration, so the address from an earlier run can be used to break in
# efi_main:  atlas-efi 0x1de5e000  then  hbreak efi_main  then  continue.
set pagination off
set confirm off
set disassembly-flavor att
file build/kernel.elf
python
import os
# ATLAS_GDB_PORT: QEMU's gdbstub port (make debug: -s, 1234).
gdb.execute("target remote localhost:%s" % os.environ.get("ATLAS_GDB_PORT", "1234"))
end

# include/memlayout.h
@MEMLAYOUT@

define atlas-efi
  add-symbol-file build/atlas.so -o $arg0
end
document atlas-efi
Load atlas.efi's symbols for an image loaded at ADDR: atlas-efi 0xADDR
end

python
import gdb

DIRECT_MAP_BASE = @DIRECT_MAP_BASE@

class KmainBreak(gdb.Breakpoint):
    """At kmain's first instruction, read boot_info (physical address in %rdi) for the .efi load address.

    The breakpoint is on *kmain, the entry address, not on "kmain": gdb puts
    the latter after the prologue, which is inside kmain's first statement,
    an inlined rdtsc, so the stop would show include/x86.h. At the entry
    gdb shows kmain's own line, and %rdi still holds the argument."""
    def stop(self):
        bi = int(gdb.parse_and_eval("$rdi")) + DIRECT_MAP_BASE
        base = int(gdb.parse_and_eval("((struct boot_info *)%d)->efi_image_base" % bi))
        gdb.execute("add-symbol-file build/atlas.so -o %#x" % base)
        print("atlas: kernel entered; atlas.efi was loaded at %#x (symbols added)" % base)
        return True

KmainBreak("*kmain", type=gdb.BP_HARDWARE_BREAKPOINT)
end

echo atlas: QEMU is stopped at the reset vector; 'continue' runs to kmain.\n
