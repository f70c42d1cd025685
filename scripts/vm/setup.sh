#!/bin/bash
# scripts/vm/setup.sh — prepare baomi's QEMU test harness. Run as root; idempotent (a re-run with
# everything in place takes about a second).
#
#  1. installs the Debian packages the harness uses on the host and, through the shared root, in the guest;
#  2. fetches Debian's current linux-image-*-amd64 with `apt-get download` into the cache dir and
#     unpacks it there (never installed on the host), plus an uncompressed vmlinux for a fast PVH boot;
#  3. builds the initramfs (static busybox + scripts/vm/guest/init + the modules needed to reach the 9p root);
#  4. fetches the packages only the GUEST runs (rsyslog, logrotate, isc-dhcp-client and their libraries the
#     host lacks) with `apt-get download` and unpacks them into guest-root/ (never installed on the host);
#     run.sh --syslog / --nic=dhcp=dhclient copy that tree over the guest's overlay root.
#
# Cache dir (outside the repo): ${BAOMI_VM_CACHE:-/var/tmp/baomi-vm}
#   debs/  kernel/  kernel.version  vmlinux.elf  initramfs.cpio.gz  initramfs.stamp  ppd/  guest-root/  runs/
# Env: BAOMI_VM_CACHE, BAOMI_VM_NO_APT=1 (skip the package step, e.g. when offline and already installed)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
CACHE=${BAOMI_VM_CACHE:-/var/tmp/baomi-vm}
log() { echo "setup: $*"; }
die() { echo "setup: ERROR: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "run as root (apt-get, and QEMU's 9p export of / needs to read everything)"
mkdir -p "$CACHE"/{debs,runs}

# ---------------------------------------------------------------- 1. packages
PKGS=(qemu-system-x86 busybox-static cpio kmod xz-utils python3 socat dosfstools mtools util-linux iproute2
      udev usbutils pciutils usbip alsa-utils v4l-utils iw ethtool bluez bluez-test-tools
      cups cups-daemon cups-client cups-filters)
apt_updated=0
apt_update() { [ $apt_updated = 1 ] && return 0; log "apt-get update"; timeout 900 apt-get update -qq; apt_updated=1; }
if [ "${BAOMI_VM_NO_APT:-0}" != 1 ]; then
  missing=$(dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' "${PKGS[@]}" 2>&1 |
            awk '{ if ($1 == "ii") ok[$2] = 1 } END { for (p in ok) print p }' |
            sort | comm -13 - <(printf '%s\n' "${PKGS[@]}" | sort) | tr '\n' ' ')
  if [ -n "${missing// /}" ]; then
    log "installing: $missing"
    apt_update
    # Keep package scripts from starting udevd/cupsd on the HOST: they only ever run inside the guest.
    own_policy=0
    if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d; own_policy=1; fi
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive timeout 1800 apt-get install -y -qq --no-install-recommends $missing ||
      { [ $own_policy = 1 ] && rm -f /usr/sbin/policy-rc.d; die "apt-get install failed"; }
    [ $own_policy = 1 ] && rm -f /usr/sbin/policy-rc.d
  fi
fi
for c in qemu-system-x86_64 busybox cpio modprobe depmod python3 mkfs.vfat; do
  command -v $c >/dev/null || [ -x /bin/$c ] || [ -x /sbin/$c ] || die "$c not found"
done

# ---------------------------------------------------------------- 2. kernel
resolve_kpkg() { apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/ { print $2; exit }'; }
KPKG=$(resolve_kpkg || true)
CUR=$(cat "$CACHE/kernel.version" 2>/dev/null || true)
if [ -z "$KPKG" ]; then
  if [ -n "$CUR" ] && [ -f "$CACHE/kernel/lib/modules/$CUR/modules.dep" ]; then
    KPKG=linux-image-$CUR   # no apt lists here: keep the kernel we already have
  else
    apt_update; KPKG=$(resolve_kpkg) || true
    [ -n "$KPKG" ] || die "cannot resolve linux-image-amd64 with apt-cache"
  fi
fi
KV=${KPKG#linux-image-}
if [ "$CUR" != "$KV" ] || [ ! -f "$CACHE/kernel/lib/modules/$KV/modules.dep" ] || [ ! -f "$CACHE/kernel/boot/vmlinuz-$KV" ]; then
  deb=$(ls "$CACHE"/debs/"${KPKG}"_*_amd64.deb 2>/dev/null | sort -V | tail -1 || true)
  if [ -z "$deb" ]; then
    log "downloading $KPKG"
    (cd "$CACHE/debs" && timeout 900 apt-get -q -o APT::Sandbox::User=root download "$KPKG") || { apt_update; (cd "$CACHE/debs" && timeout 900 apt-get -q -o APT::Sandbox::User=root download "$KPKG"); }
    deb=$(ls "$CACHE"/debs/"${KPKG}"_*_amd64.deb | sort -V | tail -1)
  fi
  log "unpacking $(basename "$deb")"
  rm -rf "$CACHE/kernel" "$CACHE/vmlinux.elf" "$CACHE/initramfs.stamp"
  mkdir -p "$CACHE/kernel.tmp"; dpkg -x "$deb" "$CACHE/kernel.tmp"
  depmod -b "$CACHE/kernel.tmp" "$KV"
  mv "$CACHE/kernel.tmp" "$CACHE/kernel"
  echo "$KV" > "$CACHE/kernel.version"
  # old kernels' .debs are of no further use
  for f in "$CACHE"/debs/linux-image-*.deb; do [ "$f" = "$deb" ] || rm -f "$f"; done
fi

# An uncompressed ELF vmlinux lets QEMU enter the kernel through its PVH note (CONFIG_PVH): no firmware,
# no real-mode setup, no xz decompression under TCG — about 2 s faster per boot. Optional: run.sh falls
# back to the bzImage when it is absent.
if [ ! -f "$CACHE/vmlinux.elf" ] && [ ! -f "$CACHE/vmlinux.none" ]; then
  python3 "$HERE/lib/extract-vmlinux.py" "$CACHE/kernel/boot/vmlinuz-$KV" "$CACHE/vmlinux.elf.tmp" &&
    mv "$CACHE/vmlinux.elf.tmp" "$CACHE/vmlinux.elf" ||
    { rm -f "$CACHE/vmlinux.elf.tmp"; : > "$CACHE/vmlinux.none"; log "no PVH-bootable vmlinux; run.sh will boot the bzImage"; }
fi

# ---------------------------------------------------------------- 3. initramfs
INITRD_MODS="virtio_pci 9pnet_virtio 9p overlay configfs"
stamp="$KV $(md5sum < "$HERE/guest/init" | cut -c1-32) $(md5sum < /bin/busybox | cut -c1-32) $INITRD_MODS"
if [ ! -f "$CACHE/initramfs.cpio.gz" ] || [ "$(cat "$CACHE/initramfs.stamp" 2>/dev/null)" != "$stamp" ]; then
  log "building initramfs"
  W=$(mktemp -d)
  trap 'rm -rf "$W"' EXIT
  mkdir -p "$W"/{bin,modules,proc,sys,dev,lower,rw,newroot}
  cp /bin/busybox "$W/bin/busybox"
  install -m 755 "$HERE/guest/init" "$W/init"
  : > "$W/modules.list"
  for m in $INITRD_MODS; do
    modprobe -d "$CACHE/kernel" -S "$KV" --show-depends "$m" | awk '$1 == "insmod" { print $2 }'
  done | awk '!seen[$0]++' | while read -r ko; do
    name=$(basename "$ko"); name=${name%.ko*}
    case $ko in *.xz) xz -dc "$ko" > "$W/modules/$name.ko" ;; *.zst) zstd -qdc "$ko" > "$W/modules/$name.ko" ;; *) cp "$ko" "$W/modules/$name.ko" ;; esac
    echo "$name" >> "$W/modules.list"
  done
  (cd "$W" && find . | cpio -o -H newc --quiet | gzip -1) > "$CACHE/initramfs.cpio.gz.tmp"
  mv "$CACHE/initramfs.cpio.gz.tmp" "$CACHE/initramfs.cpio.gz"
  echo "$stamp" > "$CACHE/initramfs.stamp"
fi

# ---------------------------------------------------------------- 4. PPD for the guest's print queues
# cups-driverd compiles a PPD from sample.drv in 0.4 s natively but ~8 s under TCG: do it once here.
if [ ! -s "$CACHE/ppd/generic.ppd" ]; then
  mkdir -p "$CACHE/ppd"
  /usr/lib/cups/daemon/cups-driverd cat drv:///sample.drv/generic.ppd > "$CACHE/ppd/generic.ppd.tmp" 2> /dev/null &&
    grep -q '^\*PPD-Adobe' "$CACHE/ppd/generic.ppd.tmp" && mv "$CACHE/ppd/generic.ppd.tmp" "$CACHE/ppd/generic.ppd" ||
    { rm -f "$CACHE/ppd/generic.ppd.tmp"; log "could not pre-build the generic PPD; guest queues will compile it (slow)"; }
fi

# ---------------------------------------------------------------- 5. packages for the guest only
# Unpacked (dpkg -x, no maintainer scripts) into guest-root/, which the guest copies over its overlay root.
GUEST_DEBS=(rsyslog libestr0 libfastjson4 liblognorm5 logrotate libpopt0 isc-dhcp-client)
gstamp="${GUEST_DEBS[*]}"
if [ ! -d "$CACHE/guest-root/usr" ] || [ "$(cat "$CACHE/guest-root.stamp" 2>/dev/null)" != "$gstamp" ]; then
  get=()
  for p in "${GUEST_DEBS[@]}"; do ls "$CACHE"/debs/"${p}"_*_amd64.deb > /dev/null 2>&1 || get+=("$p"); done
  if [ ${#get[@]} -gt 0 ]; then
    log "downloading for the guest: ${get[*]}"
    (cd "$CACHE/debs" && timeout 900 apt-get -q -o APT::Sandbox::User=root download "${get[@]}") ||
      { apt_update; (cd "$CACHE/debs" && timeout 900 apt-get -q -o APT::Sandbox::User=root download "${get[@]}"); } ||
      die "apt-get download ${get[*]} failed"
  fi
  log "unpacking the guest packages into $CACHE/guest-root"
  rm -rf "$CACHE/guest-root.tmp"; mkdir -p "$CACHE/guest-root.tmp"
  for p in "${GUEST_DEBS[@]}"; do
    deb=$(ls "$CACHE"/debs/"${p}"_*_amd64.deb | sort -V | tail -1)
    dpkg -x "$deb" "$CACHE/guest-root.tmp" || die "dpkg -x $deb failed"
  done
  rm -rf "$CACHE/guest-root.tmp/usr/share"/{doc,man,locale,lintian,bug} "$CACHE/guest-root.tmp/etc/apparmor.d"
  rm -rf "$CACHE/guest-root"; mv "$CACHE/guest-root.tmp" "$CACHE/guest-root"
  echo "$gstamp" > "$CACHE/guest-root.stamp"
fi

# ---------------------------------------------------------------- summary
accel=tcg
if [ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo; then accel="kvm (if usable; run.sh probes it)"; fi
kernel=$CACHE/vmlinux.elf; [ -f "$kernel" ] || kernel=$CACHE/kernel/boot/vmlinuz-$KV
log "ok: kernel $KV ($kernel), initramfs $CACHE/initramfs.cpio.gz, accel $accel"
