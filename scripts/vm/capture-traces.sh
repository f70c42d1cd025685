#!/bin/bash
# scripts/vm/capture-traces.sh — record what a Linux machine's own logs keep of USB sticks and network links,
# from a real kernel, journald, rsyslogd, logrotate, systemd-networkd and dhclient in the VM guest, into
# test/fixtures/vm-traces*/ as host-root trees (the deep scan's parsers read them with --root).
#
#   scripts/vm/capture-traces.sh [traditional|rfc3339 ...]     (default: both)
#     traditional -> test/fixtures/vm-traces          journal + kern.log/syslog/messages ("Nov 28 09:31:19")
#     rfc3339     -> test/fixtures/vm-traces-rfc3339  kern.log/syslog/messages only (Debian 12's default format)
#
# Run as root after scripts/vm/setup.sh. Re-runnable: each run replaces the tree (timestamps, boot id and
# ifindexes change; machine-id and serials do not). The scenario is SCENARIO below (QEMU-side events) and
# scripts/vm/guest/traces-scenario.sh (the guest command: gadgets and rotation, in order); the times of a
# run are in the tree's CAPTURE.txt. The tree's README.md is kept from the previous capture: update its times
# (test/logs/vm-traces-fixture.test.ts checks each stick row of it against the new kern.log files).
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
REPO=$(cd "$HERE/../.." && pwd -P)
die() { echo "capture-traces: $*" >&2; exit 2; }
[ "$(id -u)" = 0 ] || die "run as root (the VM harness needs it)"

MID=ba0d1ce0c0ffee00ba0d1ce0c0ffee00   # the guest's /etc/machine-id: the journal's directory name
TZONE=Asia/Shanghai
LAN_MAC=52:54:00:ba:00:01 LAN2_MAC=52:54:00:ba:00:02 TETHER_MAC=52:54:00:ba:00:e1
QEMU_STICK_AT=8 QEMU_STICK_GONE_AT=14 LAN_UP_AT=45
# The guest command (scripts/vm/guest/traces-scenario.sh) plugs the gadgets itself, in order, rotating the logs
# between its three phases; the QEMU-side events below come at fixed times and it waits for them.
SCENARIO=(
  # boot: lan (e1000, DHCP by systemd-networkd) has its cable out; lan2 (virtio, DHCP by dhclient) is up
  --nic=id=lan,model=e1000,link=down,dhcp=networkd,mac=$LAN_MAC
  --nic=id=lan2,model=virtio,dhcp=dhclient,mac=$LAN2_MAC
  --networkd=$TETHER_MAC
  --at $QEMU_STICK_AT:plug:usb-stick:id=qemu1,serial=QM00042,size=16M
  --at $QEMU_STICK_GONE_AT:unplug:qemu1
  --at $LAN_UP_AT:link:lan:up
  --env QEMU_STICK_GONE_AT=$QEMU_STICK_GONE_AT --env LAN_UP_AT=$LAN_UP_AT --env LAN_MAC=$LAN_MAC --env TETHER_MAC=$TETHER_MAC
)

TMPS=()
trap 'rm -rf "${TMPS[@]}"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

capture() {  # FORMAT OUTDIR
  local fmt=$1 out=$2 tmp log rc rlog
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/capture-traces.XXXXXX") || die "mktemp failed"
  TMPS+=("$tmp")
  local daemons=(--syslog="$fmt")
  [ "$fmt" = traditional ] && daemons+=(--journald=max=512K)
  echo "== $fmt -> ${out#"$REPO"/}"
  log=$tmp/run.log
  "$HERE/run.sh" --timing --timeout 600 --timezone "$TZONE" --machine-id "$MID" "${daemons[@]}" "${SCENARIO[@]}" \
    --collect /var/log=$tmp/c --collect /run/baomi=$tmp/c --collect /var/lib/dhcp=$tmp/c \
    --collect /run/capture=$tmp/c --collect /etc/machine-id=$tmp/c --collect /etc/timezone=$tmp/c \
    --collect /etc/localtime=$tmp/c -- bash scripts/vm/guest/traces-scenario.sh > "$log" 2>&1
  rc=$?
  grep -E '^\[timing\]' "$log" | sed 's/^/   /'; sed 's/^/   /' "$tmp/c/run/capture/scenario.log" 2> /dev/null
  if [ $rc != 0 ] || [ ! -s "$tmp/c/var/log/kern.log.2.gz" ]; then
    tail -40 "$log" >&2; tail -20 "$tmp"/c/run/baomi/*.log >&2
    echo "capture-traces: $fmt: run failed (exit $rc) or no rotated kern.log; nothing replaced" >&2
    return 1
  fi
  local t=$tmp/tree
  mkdir -p "$t/var/log" "$t/etc" "$t/run/systemd/netif" "$t/var/lib"
  cp -a "$tmp/c/var/log"/{kern.log,syslog,messages}* "$t/var/log/"
  [ -d "$tmp/c/var/log/journal/$MID" ] && mkdir -p "$t/var/log/journal" && cp -a "$tmp/c/var/log/journal/$MID" "$t/var/log/journal/"
  cp -a "$tmp/c/run/capture/run/systemd/netif/leases" "$tmp/c/run/capture/run/systemd/netif/links" "$t/run/systemd/netif/"
  cp -a "$tmp/c/var/lib/dhcp" "$t/var/lib/"
  cp -a "$tmp/c/etc"/{machine-id,timezone,localtime} "$t/etc/"
  cp -a "$tmp/c/run/capture/sys" "$t/"
  { echo "kernel: $(cat "${BAOMI_VM_CACHE:-/var/tmp/baomi-vm}/kernel.version")  rsyslog format: $fmt  zone: $TZONE"
    echo "guest scenario (elapsed, UTC clock of the guest):"; cat "$tmp/c/run/capture/scenario.log"
    echo "QEMU-side events (elapsed from the command's start):"
    grep -E '^\[host events\] \[' "$log" | sed -E 's/"filename":"[^"]*"/"filename":"…"/'
    grep -E '^\[timing\]' "$log"
  } > "$t/CAPTURE.txt"
  [ -f "$out/README.md" ] && cp "$out/README.md" "$t/README.md"
  rm -rf "$out.old"; [ -d "$out" ] && mv "$out" "$out.old"
  mv "$t" "$out" && rm -rf "$out.old"
  echo "   -> ${out#"$REPO"/}: $(find "$out" -type f | wc -l) files, $(du -sh --apparent-size "$out" | cut -f1)"
}

wanted=("$@")
[ ${#wanted[@]} -gt 0 ] || wanted=(traditional rfc3339)
status=0
for w in "${wanted[@]}"; do
  case $w in
    traditional) capture traditional "$REPO/test/fixtures/vm-traces" || status=1 ;;
    rfc3339) capture rfc3339 "$REPO/test/fixtures/vm-traces-rfc3339" || status=1 ;;
    *) die "unknown format $w (traditional|rfc3339)" ;;
  esac
done
exit $status
