#!/bin/bash
# traces-scenario.sh — the guest command of scripts/vm/capture-traces.sh: plugs and unplugs sticks and a USB
# tether in a fixed order, rotating the logs between phases, so that each phase lands in its own rotated
# file however slow the emulation is. QEMU-side events (the QEMU stick, the lan cable) come from run.sh --at
# at fixed times; this script waits for them before it goes on. Writes /run/capture/{scenario.log,sys/...,run/...}.
#   phase 1 (-> *.2.gz): S123 (registered) plugged, unplugged; the QEMU stick QM00042 comes and goes (--at)
#   phase 2 (-> *.1)   : S999 (unregistered) plugged, unplugged; the lan cable goes in (--at), networkd's lease
#   phase 3 (plain)    : S123 and S999 at once, both unplugged; a phone tether (CDC-ECM + DHCP) stays
# Env: QEMU_STICK_GONE_AT, LAN_UP_AT (seconds from the command's start, as given to --at), TETHER_MAC, LAN_MAC
set -u
export PATH=${BASH_SOURCE[0]%/*}:$PATH
OUT=/run/capture
mkdir -p $OUT
us() { local t=$EPOCHREALTIME; echo $(( ${t%.*} * 1000000 + 10#${t#*.} )); }
T0=$(us)
nap() { read -rt "$1" <> <(:) || :; }
mark() { local e=$(( $(us) - T0 )); printf '[+%d.%02ds %s] %s\n' $((e / 1000000)) $((e % 1000000 / 10000)) "$(date -u +%T.%N)" "$*" | tee -a $OUT/scenario.log; }
fail() { mark "FAILED: $*"; exit 1; }
until_ok() {  # SECS WHAT CMD...: poll (0.2 s) until CMD succeeds
  local n=$(( $1 * 5 )) what=$2 i; shift 2
  for ((i = 0; i < n; i++)); do "$@" && return 0; nap 0.2; done
  fail "timeout waiting for $what"
}
elapsed_ge() { [ $(( ($(us) - T0) / 1000000 )) -ge "$1" ]; }
usb_serial_present() { grep -qx "$1" /sys/bus/usb/devices/*/serial 2> /dev/null; }
nic_of() { local n a; for n in /sys/class/net/*; do a=$(< "$n/address"); [ "$a" = "$1" ] && { echo "${n##*/}"; return 0; }; done; return 1; }
lease_of() { local nic; nic=$(nic_of "$1") && [ -s "/run/systemd/netif/leases/$(< /sys/class/net/$nic/ifindex)" ]; }
carrier_of() { local nic; nic=$(nic_of "$1") && [ "$(< /sys/class/net/$nic/carrier)" = 1 ] 2> /dev/null; }
rotate() {
  logrotate -f /etc/logrotate.d/rsyslog || fail "logrotate"
  [ -S /run/systemd/journal/socket ] && { journalctl --rotate || fail "journalctl --rotate"; }
  mark "$1"
}
KINGSTON=(vid=0x0951 pid=0x1666 manufacturer=Kingston "product=DataTraveler 3.0" size=32M)

# the sticks' UDCs (run.sh loads dummy_hcd only for gadgets it is told about)
modprobe libcomposite && { [ -d /sys/module/dummy_hcd ] || modprobe dummy_hcd num=3; } || fail "modprobe dummy_hcd"
mark "start"

gadget.sh add reg1 storage serial=S123 "${KINGSTON[@]}" || fail "plug S123"; mark "plugged S123"
nap 3; gadget.sh remove reg1 || fail "unplug S123"; mark "unplugged S123"
until_ok 120 "the QEMU stick's unplug time" elapsed_ge "$QEMU_STICK_GONE_AT"
until_ok 30 "QM00042 gone" eval '! usb_serial_present QM00042'
nap 2; rotate "rotation 1"

gadget.sh add unreg1 storage serial=S999 "${KINGSTON[@]}" || fail "plug S999"; mark "plugged S999"
nap 3; gadget.sh remove unreg1 || fail "unplug S999"; mark "unplugged S999"
until_ok 180 "the lan cable's time" elapsed_ge "$LAN_UP_AT"
until_ok 30 "carrier on lan" carrier_of "$LAN_MAC"; mark "lan carrier"
until_ok 60 "networkd's lease on lan" lease_of "$LAN_MAC"; mark "lan lease"
nap 2; rotate "rotation 2"

gadget.sh add reg2 storage serial=S123 "${KINGSTON[@]}" || fail "plug S123"; mark "plugged S123"
gadget.sh add unreg2 storage serial=S999 "${KINGSTON[@]}" || fail "plug S999"; mark "plugged S999"
nap 3
gadget.sh remove reg2 || fail "unplug S123"; mark "unplugged S123"
gadget.sh remove unreg2 || fail "unplug S999"; mark "unplugged S999"
gadget.sh add tether ecm serial=TETHER01 vid=0x18d1 pid=0x4ee3 manufacturer=Google "product=Pixel 7" \
  host_addr="$TETHER_MAC" dhcpd=192.168.42.129/24 || fail "plug the tether"; mark "plugged the tether"
until_ok 90 "networkd's lease on the tether" lease_of "$TETHER_MAC"; mark "tether lease"
udevadm settle --timeout=30
nap 2

# which ifindex is which link (lease files are named by ifindex), and networkd's state while it runs
# (/run is a tmpfs: a real machine has its leases only while it is up)
for n in /sys/class/net/*; do d=$OUT/sys/class/net/${n##*/}; mkdir -p "$d"; cp "$n/ifindex" "$n/address" "$n/type" "$d/"; done
mkdir -p $OUT/run/systemd && cp -a /run/systemd/netif $OUT/run/systemd/
mark "done"
