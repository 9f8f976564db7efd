# Shared helpers for the iso/ build scripts (sourced, not run).
# shellcheck shell=bash
ISO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$ISO_DIR/.." && pwd)
SUITE=${SUITE:-bookworm}
CACHE_ROOT=${COS_CACHE:-/var/cache/cos-installer}

log() { printf '%s [%s] %s\n' "$(date -u +%H:%M:%S)" "${0##*/}" "$*" >&2; }
die() { log "error: $*"; exit 1; }
retry() { "$REPO_DIR/scripts/retry.sh" "$@"; }

# The Debian mirror this machine already uses (deb822 or one-line sources), else deb.debian.org.
debian_mirror() {
  if [ -n "${DEBIAN_MIRROR:-}" ]; then echo "$DEBIAN_MIRROR"; return; fi
  local m
  m=$(cat /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null |
    grep -oE '(https?)://[^ ]+/debian/?( |$)' | grep -v security | head -n1 | tr -d ' ')
  echo "${m:-http://deb.debian.org/debian}"
}

# input_hash PATH...: a short hash of the named files/directories (contents and names).
input_hash() {
  local p
  for p in "$@"; do
    if [ -d "$p" ]; then find "$p" -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum
    else sha256sum "$p"; fi
  done | sed "s| $REPO_DIR/| |" | sha256sum | cut -c1-16
}

# debootstrap_retry TARGET INCLUDES: a minbase root, retried from scratch on network failures.
debootstrap_retry() {
  local target=$1 include=$2 mirror i delay=5
  mirror=$(debian_mirror)
  for i in 1 2 3 4; do
    rm -rf "$target"
    if debootstrap --variant=minbase --include="$include" "$SUITE" "$target" "$mirror" \
      >"$target.debootstrap.log" 2>&1; then return 0; fi
    log "debootstrap failed (attempt $i/4, see $target.debootstrap.log); next in ${delay}s"
    tail -n 5 "$target.debootstrap.log" >&2 || true
    sleep "$delay"; delay=$((delay * 2))
  done
  die "debootstrap from $mirror failed 4 times"
}

# Mount /proc, /sys, /dev into a chroot for apt; chroot_umount undoes it.
chroot_mount() {
  mount -t proc proc "$1/proc"
  mount -t sysfs sys "$1/sys"
  mount --bind /dev "$1/dev"
  mount --bind /dev/pts "$1/dev/pts"
}
chroot_umount() {
  local d
  for d in dev/pts dev sys proc; do umount -l "$1/$d" 2>/dev/null || true; done
}

# chroot_apt ROOT PKG...: install packages without recommends, retried.
chroot_apt() {
  local root=$1; shift
  printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"; chmod +x "$root/usr/sbin/policy-rc.d"
  retry 4 chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  retry 4 chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends -o Dpkg::Use-Pty=0 "$@" >/dev/null
}

# Shrink a root: apt caches/lists, docs, man pages, locales, kernel modules an installer never needs.
slim_root() {
  local root=$1 kver
  chroot "$root" apt-get clean
  rm -f "$root/usr/sbin/policy-rc.d"
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/usr/share/doc/* \
    "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/var/log/*.log \
    "$root"/usr/share/locale/[a-z]* "$root"/tmp/* "$root"/var/tmp/*
  for kver in $(ls "$root/lib/modules"); do
    ( cd "$root/lib/modules/$kver/kernel" &&
      rm -rf sound drivers/gpu drivers/media drivers/net/wireless net/wireless net/mac80211 \
        net/bluetooth drivers/bluetooth drivers/staging drivers/infiniband drivers/iio \
        drivers/input/touchscreen drivers/isdn drivers/net/can drivers/usb/gadget \
        drivers/video/fbdev drivers/platform/chrome drivers/comedi )
    chroot "$root" depmod "$kver"
  done
}

# prune_cache PREFIX KEEP: drop older cache entries PREFIX-* other than KEEP (one per kind).
prune_cache() {
  local entry
  for entry in "$CACHE_ROOT/$1"-*; do
    [ -e "$entry" ] && [ "$entry" != "$2" ] && case "$entry" in *.tmp) ;; *) rm -rf "$entry" ;; esac
  done
  return 0
}

# no_storage_autostart ROOT: the live system never assembles RAID or activates LVM found on the
# machine's disks (mdadm and lvm2 are there for --clear-holders and for the operator's shell):
# udev's incremental assembly and LVM autoactivation are masked, mdadm.conf says AUTO -all,
# lvm.conf autoactivates no VG, and neither tool goes into the initramfs (built after this).
no_storage_autostart() {
  local root=$1 rules
  mkdir -p "$root/etc/udev/rules.d"
  for rules in 64-md-raid-assembly.rules 69-lvm.rules 69-md-clustered-confirm-device.rules; do
    ln -sf /dev/null "$root/etc/udev/rules.d/$rules"
  done
  printf 'AUTO -all\n' >>"$root/etc/mdadm/mdadm.conf"
  sed -i 's/^activation {/activation {\n\tauto_activation_volume_list = []/' "$root/etc/lvm/lvm.conf"
  grep -q '^\s*auto_activation_volume_list = \[\]' "$root/etc/lvm/lvm.conf" ||
    die "lvm.conf: could not set auto_activation_volume_list"
  rm -f "$root"/usr/share/initramfs-tools/hooks/{mdadm,lvm2} \
    "$root"/usr/share/initramfs-tools/scripts/local-{block,bottom,top}/{mdadm,lvm2}
  chroot "$root" systemctl mask mdmonitor.service mdcheck_start.timer mdcheck_continue.timer \
    mdmonitor-oneshot.timer lvm2-monitor.service >/dev/null 2>&1 || true
}
