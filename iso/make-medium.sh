#!/usr/bin/env bash
# Lays out the installer medium and writes the hybrid ISO (BIOS + UEFI, volume label CDROM):
#   /live/vmlinuz /live/initrd.img /live/filesystem.squashfs   (live-boot)
#   /cos/cos-image.raw.zst /cos/cos-image.raw.zst.sha256       (the payload, a fixed path)
#   /cos/cos-image.raw.zst.sha256.sig                           (when PAYLOAD.sha256.sig exists)
#   /boot/grub/grub.cfg                                        (menu on VGA and serial)
# Usage: iso/make-medium.sh KERNEL INITRD SQUASHFS PAYLOAD OUT.iso
set -euo pipefail
. "$(dirname "$0")/lib.sh"

usage="usage: make-medium.sh KERNEL INITRD SQUASHFS PAYLOAD OUT.iso"
[ $# -eq 5 ] || die "$usage"
kernel=$1 initrd=$2 squashfs=$3 payload=$4 out=$5
for f in "$kernel" "$initrd" "$squashfs" "$payload"; do
  [ -f "$f" ] || die "$f: no such file ($usage)"
done
[ -f "$payload.sha256" ] ||
  die "payload $payload: no $payload.sha256 beside it (sha256sum $(basename "$payload") > $(basename "$payload").sha256)"
expected=$(cut -d' ' -f1 <"$payload.sha256")
[[ "$expected" =~ ^[0-9a-f]{64}$ ]] || die "payload $payload.sha256: no sha256 checksum in it"
PAYLOAD_ON_MEDIUM=cos/cos-image.raw.zst  # = cos_installer.hardware.media.PAYLOAD

medium=$(mktemp -d "${TMPDIR:-/var/tmp}/cos-medium.XXXXXX")
trap 'rm -rf "$medium"' EXIT
mkdir -p "$medium/live" "$medium/cos" "$medium/boot/grub"
ln "$kernel" "$medium/live/vmlinuz" 2>/dev/null || cp "$kernel" "$medium/live/vmlinuz"
ln "$initrd" "$medium/live/initrd.img" 2>/dev/null || cp "$initrd" "$medium/live/initrd.img"
ln "$squashfs" "$medium/live/filesystem.squashfs" 2>/dev/null || cp "$squashfs" "$medium/live/filesystem.squashfs"
ln "$payload" "$medium/$PAYLOAD_ON_MEDIUM" 2>/dev/null || cp "$payload" "$medium/$PAYLOAD_ON_MEDIUM"
if [ -f "$payload.sha256.sig" ]; then  # the signature covers the checksum file as it is
  cp "$payload.sha256" "$medium/$PAYLOAD_ON_MEDIUM.sha256"
  cp "$payload.sha256.sig" "$medium/$PAYLOAD_ON_MEDIUM.sha256.sig"
else
  echo "$expected  $(basename "$PAYLOAD_ON_MEDIUM")" >"$medium/$PAYLOAD_ON_MEDIUM.sha256"
fi
sed "s|@CMDLINE@|$(cat "$ISO_DIR/live/cmdline")|" "$ISO_DIR/live/grub.cfg" >"$medium/boot/grub/grub.cfg"
mkdir -p "$(dirname "$out")"
grub-mkrescue -o "$out.tmp" --locales= --themes= --fonts= --compress=xz "$medium" -- \
  -volid CDROM -hfsplus off >"$medium.log" 2>&1 ||
  { cat "$medium.log" >&2; rm -f "$medium.log" "$out.tmp"; die "grub-mkrescue failed"; }
rm -f "$medium.log"
mv "$out.tmp" "$out"
log "ISO $out: $(du -h "$out" | cut -f1) ($(stat -c %s "$out") bytes)"
