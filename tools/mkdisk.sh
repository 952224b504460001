#!/bin/sh
# mkdisk.sh [--with-args "k=v ..."] OUT ESP_IMG
#
# Wrap an ESP image in a GPT disk (partition 1, type EF00, 1 MiB aligned) so
# that `dd if=disk.img of=/dev/sdX` makes a bootable USB stick. With
# --with-args, the copy's \atlas.cfg gets the words appended (later words
# win), which is how `make run ARGS=...` reaches the removable-media path.
set -eu
args=""
if [ "$1" = "--with-args" ]; then args=$2; shift 2; fi
out=$1 esp=$2

esp_bytes=$(stat -c %s "$esp")
esp_sectors=$((esp_bytes / 512))
first=2048 # 1 MiB
total=$((first + esp_sectors + 2048))
tmp=$out.tmp
rm -f "$tmp"
truncate -s $((total * 512)) "$tmp"
sgdisk -o -n 1:$first:$((first + esp_sectors - 1)) -t 1:EF00 -c 1:"Atlas ESP" "$tmp" >/dev/null 2>&1 || { echo "mkdisk: sgdisk failed" >&2; exit 1; }
sgdisk -v "$tmp" 2>/dev/null | grep -q "No problems found" || { echo "mkdisk: GPT did not verify" >&2; exit 1; }
dd if="$esp" of="$tmp" bs=1M seek=1 conv=notrunc,sparse status=none
if [ -n "$args" ]; then
	mtype -i "$tmp@@1M" ::/atlas.cfg > "$tmp.cfg"
	printf '\n# from make run ARGS\n%s\n' "$args" >> "$tmp.cfg"
	mcopy -o -i "$tmp@@1M" "$tmp.cfg" ::/atlas.cfg
	rm -f "$tmp.cfg"
fi
mv "$tmp" "$out"
