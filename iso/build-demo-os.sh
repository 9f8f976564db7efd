#!/usr/bin/env bash
# Builds the DEMO OS image: a stand-in for the real COS image, so the installer has something
# real to write and QEMU something real to boot. Debian (debootstrap) with a kernel, systemd,
# systemd-networkd and cloud-init (NoCloud, reading /var/lib/coreos-install/user_data), plus
# cos-apply-units for coreos.units. GPT: BIOS boot partition, ESP (label ESP), ext4 ROOT; GRUB
# for BIOS and UEFI. Built without mounting anything (mkfs.ext4 -d, mtools, grub-bios-setup).
#
# Usage: iso/build-demo-os.sh OUTDIR   -> OUTDIR/cos-image.raw.zst and OUTDIR/cos-image.raw.zst.sha256
# Cached in $COS_CACHE (default /var/cache/cos-installer)/demo-os-<hash of inputs>; COS_NO_CACHE=1
# forces a cold build.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

out=${1:?usage: build-demo-os.sh OUTDIR}
name=cos-image.raw.zst
key=$(input_hash "$ISO_DIR/build-demo-os.sh" "$ISO_DIR/lib.sh" "$ISO_DIR/demo-os")
cache="$CACHE_ROOT/demo-os-$SUITE-$key"
mkdir -p "$out"

if [ -z "${COS_NO_CACHE:-}" ] && [ -s "$cache/$name.sha256" ]; then
  log "demo OS image from cache $cache"
  cp --reflink=auto "$cache/$name" "$cache/$name.sha256" "$out/"
  exit 0
fi

PACKAGES=(systemd systemd-sysv udev dbus kmod iproute2 procps linux-image-amd64 initramfs-tools
  zstd cloud-init python3-yaml xfsprogs e2fsprogs)

work=$(mktemp -d /var/tmp/cos-demo-os.XXXXXX)
root=$work/root
cleanup() { chroot_umount "$root"; rm -rf "$work"; }
trap cleanup EXIT

t0=$SECONDS
log "debootstrap $SUITE from $(debian_mirror) into $root"
debootstrap_retry "$root" "ca-certificates"
log "debootstrap done in $((SECONDS - t0)) s"
chroot_mount "$root"
echo 'COMPRESS=zstd' >"$root/etc/initramfs-tools/conf.d/zstd.conf" 2>/dev/null ||
  { mkdir -p "$root/etc/initramfs-tools/conf.d"; echo 'COMPRESS=zstd' >"$root/etc/initramfs-tools/conf.d/zstd.conf"; }
chroot_apt "$root" "${PACKAGES[@]}"
log "packages installed at $((SECONDS - t0)) s"

# --- configuration of the demo OS ---
echo cos-demo >"$root/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 cos-demo\n' >"$root/etc/hosts"
: >"$root/etc/machine-id"  # empty: every installed node gets its own id (and DHCP client id)
rm -f "$root/var/lib/dbus/machine-id"
printf 'LABEL=ROOT / ext4 defaults,errors=remount-ro 0 1\n' >"$root/etc/fstab"
install -m 0644 "$ISO_DIR/demo-os/99-cos-demo.cfg" "$root/etc/cloud/cloud.cfg.d/99-cos-demo.cfg"
sed -i '/^ *- ssh$/d' "$root/etc/cloud/cloud.cfg"  # no openssh-server on the demo OS
mkdir -p "$root/var/lib/cloud/seed/nocloud" "$root/var/lib/coreos-install"
ln -sf /var/lib/coreos-install/user_data "$root/var/lib/cloud/seed/nocloud/user-data"
printf 'instance-id: cos-demo-node\nlocal-hostname: cos-demo\n' >"$root/var/lib/cloud/seed/nocloud/meta-data"
# cos-cloud-instance: a new instance id at every boot, so cloud-init applies user_data again
# (as coreos-cloudinit does on COS), not only at the first boot
install -m 0755 "$ISO_DIR/demo-os/cos-apply-units" "$ISO_DIR/demo-os/cos-demo-report" \
  "$ISO_DIR/demo-os/cos-cloud-instance" "$ISO_DIR/demo-os/cos-demo-ping" "$root/usr/local/sbin/"
install -m 0644 "$ISO_DIR/demo-os/cos-apply-units.service" "$ISO_DIR/demo-os/cos-demo-report.service" \
  "$ISO_DIR/demo-os/cos-cloud-instance.service" "$root/etc/systemd/system/"
chroot "$root" systemctl enable systemd-networkd.service cos-apply-units.service \
  cos-demo-report.service cos-cloud-instance.service >/dev/null 2>&1
mkdir -p "$root/etc/systemd/system/systemd-networkd-wait-online.service.d"
install -m 0644 "$ISO_DIR/demo-os/wait-online.conf" \
  "$root/etc/systemd/system/systemd-networkd-wait-online.service.d/cos-demo.conf"
echo 'blacklist floppy' >"$root/etc/modprobe.d/cos-demo-floppy.conf"  # QEMU's empty floppy
echo 'COS demo OS (a stand-in for the real COS image) \n \l' >"$root/etc/issue"

slim_root "$root"
chroot "$root" update-initramfs -u -k all >/dev/null 2>&1
kver=$(ls "$root/lib/modules" | head -n1)

# --- GRUB: one grub.cfg for BIOS and UEFI; images carry an early config that finds ROOT ---
mkdir -p "$root/boot/grub"
cp -r /usr/lib/grub/i386-pc /usr/lib/grub/x86_64-efi "$root/boot/grub/"
rm -f "$root"/boot/grub/*/*.img.sig
cat >"$root/boot/grub/grub.cfg" <<CFG
serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
set timeout=1
menuentry "COS demo OS (stand-in for COS)" {
  linux /boot/vmlinuz-$kver root=LABEL=ROOT ro console=tty0 console=ttyS0,115200n8
  initrd /boot/initrd.img-$kver
}
CFG
chroot_umount "$root"

# --- the disk image ---
root_mib=$(( $(du -sm "$root" | cut -f1) * 13 / 10 + 256 ))
esp_mib=32
img=$work/cos-image.raw
truncate -s $(( (2 + esp_mib + root_mib + 1) * 1024 * 1024 )) "$img"
sgdisk -n1:2048:+1M -t1:EF02 -c1:BIOS -n2:0:+${esp_mib}M -t2:EF00 -c2:ESP \
  -n3:0:+${root_mib}M -t3:8300 -c3:ROOT "$img" >/dev/null
mkfs.ext4 -q -L ROOT -O ^orphan_file,^metadata_csum_seed -d "$root" "$work/root.ext4" "${root_mib}M"
dd if="$work/root.ext4" of="$img" bs=1M seek=$((2 + esp_mib)) conv=notrunc,sparse status=none

mods="part_gpt ext2 search search_label normal linux echo serial terminal configfile test gzio"
grub-mkimage -O x86_64-efi -c "$ISO_DIR/demo-os/grub-early.cfg" -p /boot/grub \
  -o "$work/BOOTX64.EFI" $mods fat efi_gop all_video
mkfs.vfat -C -n ESP "$work/esp.img" $((esp_mib * 1024)) >/dev/null
mmd -i "$work/esp.img" ::/EFI ::/EFI/BOOT
mcopy -i "$work/esp.img" "$work/BOOTX64.EFI" ::/EFI/BOOT/BOOTX64.EFI
dd if="$work/esp.img" of="$img" bs=1M seek=2 conv=notrunc status=none

mkdir -p "$work/grub-pc"
cp /usr/lib/grub/i386-pc/boot.img "$work/grub-pc/"
grub-mkimage -O i386-pc -c "$ISO_DIR/demo-os/grub-early.cfg" -p /boot/grub \
  -o "$work/grub-pc/core.img" biosdisk $mods
python3 "$ISO_DIR/grub-bios-embed.py" "$img" "$work/grub-pc/boot.img" "$work/grub-pc/core.img" >/dev/null
log "image assembled at $((SECONDS - t0)) s (ROOT ${root_mib} MiB)"

zstd -q -T0 -12 --sparse -f "$img" -o "$work/$name"
( cd "$work" && sha256sum "$name" >"$name.sha256" )
log "compressed: $(du -h "$work/$name" | cut -f1) in $((SECONDS - t0)) s total"
mkdir -p "$cache.tmp" && mv "$work/$name" "$work/$name.sha256" "$cache.tmp/"
rm -rf "$cache" && mv "$cache.tmp" "$cache"
prune_cache "demo-os-$SUITE" "$cache"
cp --reflink=auto "$cache/$name" "$cache/$name.sha256" "$out/"
