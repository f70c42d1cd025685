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
# ifindexes change; machine-id and serials do not). The scenario (seconds from the guest command's start,
# Asia/Shanghai) is in SCENARIO below and in test/fixtures/vm-traces/README.md; the actual times of this
# run are written to the tree's CAPTURE.txt (the harness's own event log, and the guest clock at the start).
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
REPO=$(cd "$HERE/../.." && pwd -P)
die() { echo "capture-traces: $*" >&2; exit 2; }
[ "$(id -u)" = 0 ] || die "run as root (the VM harness needs it)"

MID=ba0d1ce0c0ffee00ba0d1ce0c0ffee00   # the guest's /etc/machine-id: the journal's directory name
TZONE=Asia/Shanghai
KINGSTON='vid=0x0951,pid=0x1666,manufacturer=Kingston,product=DataTraveler 3.0,size=32M'
ROTATE='logrotate -f /etc/logrotate.d/rsyslog'
SCENARIO=(
  # boot: lan (e1000, DHCP by systemd-networkd) has its cable out; lan2 (virtio, DHCP by dhclient) is up
  --nic=id=lan,model=e1000,link=down,dhcp=networkd
  --nic=id=lan2,model=virtio,dhcp=dhclient
  # phase 1 -> kern.log.2.gz: the REGISTERED stick, then a QEMU usb-storage stick
  --at "2:plug:gadget-stick:id=reg1,serial=S123,$KINGSTON"
  --at 9:unplug:reg1
  --at 11:plug:usb-stick:id=qemu1,serial=QM00042,size=16M
  --at 17:unplug:qemu1
  --at "20:guest:$ROTATE"
  # phase 2 -> kern.log.1: the UNREGISTERED stick; the cable goes into lan, networkd gets a lease
  --at "23:plug:gadget-stick:id=unreg1,serial=S999,$KINGSTON"
  --at 30:unplug:unreg1
  --at 32:link:lan:up
  --at "40:guest:$ROTATE; journalctl --rotate"
  # phase 3 -> kern.log: both sticks at once; then a phone-like USB tether (CDC-ECM gadget) stays plugged
  --at "43:plug:gadget-stick:id=reg2,serial=S123,$KINGSTON"
  --at "45:plug:gadget-stick:id=unreg2,serial=S999,$KINGSTON"
  --at 51:unplug:reg2
  --at 52:unplug:unreg2
  --at "54:plug:gadget-nic:id=tether,vid=0x18d1,pid=0x4ee3,serial=TETHER01,manufacturer=Google,product=Pixel 7,mac=52:54:00:ba:00:e1,dhcp=networkd,dhcpd=192.168.42.129/24"
)
# the guest command: wait for the events, then note which ifindex is which link (lease files are named by
# ifindex) and copy networkd's state while it runs (/run is a tmpfs: it holds the leases only while up)
CMD='date -u +%FT%T.%NZ > /run/capture-start; sleep 66
for n in /sys/class/net/*; do d=/run/capture/sys/class/net/${n##*/}; mkdir -p $d; cp $n/ifindex $n/address $n/type $d/; done
mkdir -p /run/capture/run/systemd; cp -a /run/systemd/netif /run/capture/run/systemd/; cp /run/capture-start /run/capture/'

capture() {  # FORMAT OUTDIR
  local fmt=$1 out=$2 tmp log rc rlog
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/capture-traces.XXXXXX") || die "mktemp failed"
  trap 'rm -rf "$tmp"' RETURN
  local daemons=(--syslog="$fmt")
  [ "$fmt" = traditional ] && daemons+=(--journald=max=512K)
  echo "== $fmt -> ${out#"$REPO"/}"
  log=$tmp/run.log
  "$HERE/run.sh" --timing --timeout 400 --timezone "$TZONE" --machine-id "$MID" "${daemons[@]}" "${SCENARIO[@]}" \
    --collect /var/log=$tmp/c --collect /run/baomi=$tmp/c --collect /var/lib/dhcp=$tmp/c \
    --collect /run/capture=$tmp/c --collect /etc/machine-id=$tmp/c --collect /etc/timezone=$tmp/c \
    --collect /etc/localtime=$tmp/c -- "$CMD" > "$log" 2>&1
  rc=$?
  grep -E '^\[(timing|host events|guest events)\]' "$log" | grep -vE '^\[(host|guest) events\]     ' | sed 's/^/   /'
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
  { echo "guest command started (UTC): $(cat "$tmp/c/run/capture/capture-start")"
    echo "kernel: $(cat "${BAOMI_VM_CACHE:-/var/tmp/baomi-vm}/kernel.version")  rsyslog format: $fmt  zone: $TZONE"
    grep -E '^\[(timing|host events|guest events)\]' "$log" | grep -vE '^\[(host|guest) events\]     '
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
