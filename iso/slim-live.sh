# The live root's last trim and its initramfs, after the installer went in (sourced by
# build-iso.sh; not part of the live root's cache key, so changing it costs no debootstrap).
# shellcheck shell=bash

# slim_live ROOT: apt caches/lists, docs, man pages, locales, the Python parts nobody runs,
# debug symbols,
# ICU (only xfs_scrub uses it), kernel modules and firmware no installer needs (prune_live.py);
# then the initramfs, zstd -19. The chroot's /proc, /sys, /dev must be mounted.
slim_live() {
  local root=$1 kver py missing
  chroot "$root" apt-get clean
  rm -f "$root/usr/sbin/policy-rc.d"
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/usr/share/doc/* \
    "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/var/log/*.log \
    "$root"/usr/share/locale/[a-z]* "$root"/tmp/* "$root"/var/tmp/* \
    "$root"/usr/share/python-wheels "$root"/usr/sbin/xfs_scrub* "$root"/usr/lib/x86_64-linux-gnu/libicu*
  for py in "$root"/usr/lib/python3.*; do
    rm -rf "$py"/{test,idlelib,tkinter,lib2to3,ensurepip,pydoc_data,turtledemo}
  done
  # the venv's C extensions carry debug symbols (zstandard: 24 MiB); CPython uses its C backend
  rm -f "$root"/opt/cos-installer/lib/python3*/site-packages/zstandard/_cffi*.so
  find "$root/opt" -name '*.so' -exec strip --strip-unneeded {} +
  python3 "$ISO_DIR/prune_live.py" "$root" >&2
  for kver in $(ls "$root/lib/modules"); do chroot "$root" depmod "$kver"; done
  missing=$(chroot "$root" sh -c 'for f in /usr/bin/* /usr/sbin/*; do
    ldd "$f" 2>/dev/null | grep -q "not found" && echo "$f"; done' || true)
  [ -z "$missing" ] || die "the trimmed live root lacks libraries for: $missing"
  mkdir -p "$root/etc/initramfs-tools/conf.d"
  printf 'COMPRESS=zstd\nCOMPRESSLEVEL=19\n' >"$root/etc/initramfs-tools/conf.d/zstd.conf"
  chroot "$root" update-initramfs -u -k all >/dev/null 2>&1 || die "update-initramfs failed"
}
