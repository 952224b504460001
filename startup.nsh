@echo -off
# startup.nsh - what the UEFI shell runs when the firmware drops into it.
# Starts Atlas from the removable-media path of the first file system that
# has it. Options may follow the program name, e.g. report=json.
for %i in 0 1 2 3 4 5 6 7 8 9
  if exist fs%i:\EFI\BOOT\BOOTX64.EFI then
    fs%i:
    \EFI\BOOT\BOOTX64.EFI
    goto done
  endif
endfor
echo "startup.nsh: no \EFI\BOOT\BOOTX64.EFI on fs0..fs9"
:done
