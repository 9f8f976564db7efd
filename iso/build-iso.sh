#!/usr/bin/env bash
# Builds the COS installer live ISO: Debian live (live-boot) with python3, the installer wheel and
# the pinned dependency wheels the tests use, the OS image payload under cos/ on the medium,
# volume label CDROM, bootable with BIOS and UEFI (grub-mkrescue), the wizard on tty1 and ttyS0.
#
# Usage: iso/build-iso.sh PAYLOAD OUT.iso
#   PAYLOAD: a compressed raw GPT image with PAYLOAD.sha256 beside it (the demo OS or a real COS).
#   SIGNING_KEY (and SIGNING_KEY_PASSPHRASE_FILE): the key that signs the checksum file
#   (iso/sign-payload.sh); without it the demo's throw-away key in $COS_CACHE. The public key
#   goes into the live root as /usr/share/keyrings/cos-payload.gpg, which the installer trusts.
# The live root (debootstrap + packages) and the dependency wheels are cached in
# $COS_CACHE (default /var/cache/cos-installer) keyed by a hash of their inputs; COS_NO_CACHE=1
# builds cold. SQUASHFS_LEVEL (default 19) and SQUASHFS_BLOCK (1M) trade build time against size.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/slim-live.sh"

payload=${1:?usage: build-iso.sh PAYLOAD OUT.iso}
out=${2:?usage: build-iso.sh PAYLOAD OUT.iso}
[ -f "$payload" ] || die "payload $payload: no such file (run 'make payload' or pass PAYLOAD=...)"
[ -f "$payload.sha256" ] || die "payload $payload: no $payload.sha256 beside it"

PACKAGES=(systemd systemd-sysv udev kmod iproute2 procps linux-image-amd64 live-boot
  live-boot-initramfs-tools zstd python3 python3-venv xfsprogs e2fsprogs dosfstools fdisk gdisk
  util-linux udhcpc isc-dhcp-client ncurses-base ncurses-term less mdadm lvm2
  fbterm fonts-wqy-microhei)
# NIC and storage-controller firmware from non-free-firmware (as Debian's installer images ship
# it since bookworm); prune_live.py keeps the files a kept driver names.
FIRMWARE=(firmware-bnx2 firmware-bnx2x firmware-qlogic firmware-netxen firmware-realtek)
COMPONENTS="main non-free-firmware"
LIVE_KEYRING=/usr/share/keyrings/cos-payload.gpg  # = cos_installer.install.signature.DEFAULT_KEYRING
t0=$SECONDS
work=$(mktemp -d /var/tmp/cos-iso.XXXXXX)
root=$work/root
cleanup() { chroot_umount "$root"; rm -rf "$work"; }
trap cleanup EXIT

# 1. the live root without the installer (cached)
base_key=$(echo "${PACKAGES[*]} ${FIRMWARE[*]} $COMPONENTS untrimmed" | cat - "$ISO_DIR/lib.sh" |
  sha256sum | cut -c1-16)
base="$CACHE_ROOT/live-root-$SUITE-$base_key.tar.zst"
if [ -n "${COS_NO_CACHE:-}" ] || [ ! -s "$base" ]; then
  log "building the live root (debootstrap $SUITE from $(debian_mirror))"
  debootstrap_retry "$root" "ca-certificates"
  sed -i "s/ main\$/ $COMPONENTS/" "$root/etc/apt/sources.list"
  chroot_mount "$root"
  mkdir -p "$root/etc/initramfs-tools/conf.d"
  echo 'COMPRESS=zstd' >"$root/etc/initramfs-tools/conf.d/zstd.conf"
  chroot_apt "$root" "${PACKAGES[@]}" "${FIRMWARE[@]}"
  no_storage_autostart "$root"
  chroot_umount "$root"
  mkdir -p "$CACHE_ROOT"
  tar -C "$root" --numeric-owner --xattrs -cf - . | zstd -q -T0 -3 -o "$base.tmp"
  mv "$base.tmp" "$base"
  prune_cache "live-root-$SUITE" "$base"
  log "live root built and cached at $((SECONDS - t0)) s"
else
  log "live root from cache $base"
  mkdir -p "$root"
  zstd -q -dc "$base" | tar -C "$root" --numeric-owner --xattrs -xf -
fi

# 2. wheels: the project's own, and exactly the dependency versions the test venv pins (cached)
venv="$REPO_DIR/.venv"
[ -x "$venv/bin/pip" ] || die "$venv missing: run 'make venv' first"
wheels=$work/wheels
mkdir -p "$wheels"
"$venv/bin/pip" freeze --exclude-editable | grep -v '^#' >"$work/constraints.txt"
wkey=$(sha256sum "$work/constraints.txt" | cut -c1-16)
wcache="$CACHE_ROOT/wheels-$wkey"
# build from a clean copy of the tree: no stale build/lib, no other helpers' build dirs
mkdir -p "$work/src"
tar -C "$REPO_DIR" --exclude=./.venv --exclude=./build --exclude=./.git --exclude='*.egg-info' \
  --exclude=__pycache__ -cf - . | tar -C "$work/src" -xf -
"$venv/bin/pip" wheel -q --no-deps --no-build-isolation -w "$wheels" "$work/src" 2>/dev/null ||
  retry 4 "$venv/bin/pip" wheel -q --no-deps -w "$wheels" "$work/src"
if [ -n "${COS_NO_CACHE:-}" ] || [ ! -d "$wcache" ]; then
  rm -rf "$wcache.tmp" && mkdir -p "$wcache.tmp"
  retry 4 "$venv/bin/pip" wheel -q -c "$work/constraints.txt" -w "$wcache.tmp" \
    --only-binary=:all: "$wheels"/cos_installer-*.whl
  rm -f "$wcache.tmp"/cos_installer-*.whl
  rm -rf "$wcache" && mv "$wcache.tmp" "$wcache"
  prune_cache wheels "$wcache"
fi
cp "$wcache"/*.whl "$wheels/"
log "wheels: $(cd "$wheels" && ls | tr '\n' ' ')"

# 3. the payload as the medium carries it, its checksum file signed (iso/sign-payload.sh)
signed=$work/payload
mkdir -p "$signed"
ln "$payload" "$signed/cos-image.raw.zst" 2>/dev/null || cp "$payload" "$signed/cos-image.raw.zst"
echo "$(cut -d' ' -f1 <"$payload.sha256")  cos-image.raw.zst" >"$signed/cos-image.raw.zst.sha256"
"$ISO_DIR/sign-payload.sh" "$signed" "$work/cos-payload.gpg"

# 4. the installer and the live system's configuration
[ -x "$root/usr/bin/gpgv" ] || die "the live root has no gpgv: the installer could not check signatures"
install -D -m 0644 "$work/cos-payload.gpg" "$root$LIVE_KEYRING"
chroot_mount "$root"
cp -r "$wheels" "$root/tmp/wheels"
chroot "$root" python3 -m venv /opt/cos-installer
chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin /opt/cos-installer/bin/pip install -q --no-index --find-links /tmp/wheels \
  --disable-pip-version-check cos-installer
chroot "$root" /opt/cos-installer/bin/pip uninstall -q -y pip setuptools 2>/dev/null || true
ln -sf /opt/cos-installer/bin/cos-installer "$root/usr/local/bin/cos-installer"
chroot "$root" /opt/cos-installer/bin/python -c 'import cos_installer.cli, urwid, pyudev, netifaces'
chroot "$root" env -i /usr/local/bin/cos-installer --help >/dev/null ||
  die "the installed cos-installer does not start (a module missing from the wheel?)"
slim_live "$root"
chroot_umount "$root"
rm -rf "$root/tmp/wheels"
echo cos-installer >"$root/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 cos-installer\n' >"$root/etc/hosts"
mkdir -p "$root/etc/network"  # live-boot warns without it
: >"$root/etc/machine-id"
install -m 0644 "$ISO_DIR/live/cos-installer@.service" "$root/etc/systemd/system/"
for tty in tty1 ttyS0; do
  ln -sf /etc/systemd/system/cos-installer@.service \
    "$root/etc/systemd/system/multi-user.target.wants/cos-installer@$tty.service"
done
ln -sf /dev/null "$root/etc/systemd/system/getty@tty1.service"
ln -sf /dev/null "$root/etc/systemd/system/serial-getty@ttyS0.service"
mkdir -p "$root/etc/systemd/system/getty@tty2.service.d"
install -m 0644 "$ISO_DIR/live/autologin-tty2.conf" "$root/etc/systemd/system/getty@tty2.service.d/"
ln -sf /lib/systemd/system/getty@.service "$root/etc/systemd/system/getty.target.wants/getty@tty2.service"
install -m 0644 "$ISO_DIR/live/sysctl-quiet.conf" "$root/etc/sysctl.d/10-cos-quiet.conf"
sed -i 's/^#\?ForwardToConsole=.*/ForwardToConsole=no/' "$root/etc/systemd/journald.conf"
log "live root configured at $((SECONDS - t0)) s"

# 5. the medium and the ISO
kver=$(ls "$root/lib/modules" | head -n1)
mv "$root/boot/vmlinuz-$kver" "$work/vmlinuz"
mv "$root/boot/initrd.img-$kver" "$work/initrd.img"
rm -f "$root"/boot/initrd.img-* "$root"/boot/vmlinuz-* "$root"/boot/System.map-*
mksquashfs "$root" "$work/filesystem.squashfs" -noappend -quiet -no-progress \
  -comp zstd -Xcompression-level "${SQUASHFS_LEVEL:-19}" -b "${SQUASHFS_BLOCK:-1M}" >/dev/null
log "live part: squashfs $(stat -c %s "$work/filesystem.squashfs"), initrd $(stat -c %s \
  "$work/initrd.img"), kernel $(stat -c %s "$work/vmlinuz") bytes at $((SECONDS - t0)) s"
"$ISO_DIR/make-medium.sh" "$work/vmlinuz" "$work/initrd.img" "$work/filesystem.squashfs" \
  "$signed/cos-image.raw.zst" "$out"
log "ISO built in $((SECONDS - t0)) s"
