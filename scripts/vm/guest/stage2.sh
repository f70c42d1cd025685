#!/bin/bash
# baomi VM, stage 2: PID 1 of the guest, running from the overlay root (host / read-only + tmpfs).
#
# The job comes from the 9p share "xfer" (run.sh's per-run dir on the host), all files optional:
#   config         bash: BAOMI_CACHE, BAOMI_SHELLOPTS (xtrace to trace setup steps), BAOMI_MODULES (array "module arg=v ..."), BAOMI_IFUP, BAOMI_CARRIER_MACS,
#                  BAOMI_USB_STORAGE (USB mass-storage devices to wait for), BAOMI_STEP_TIMEOUT (seconds),
#                  and daemons.sh's: BAOMI_TZ BAOMI_MACHINE_ID BAOMI_GUEST_ROOT BAOMI_JOURNALD BAOMI_SYSLOG BAOMI_NETWORKD ...
#   files.list     "NAME<TAB>GUEST_PATH<TAB>MODE" lines; files/NAME is copied to GUEST_PATH
#   setup.steps    one bash command per line; all run in parallel, each must exit 0 (device setup)
#   events.tsv     "SECONDS<TAB>bash command" run in the background, timed from the command's start
#   cmd.sh         the command (cd + env + exec)
#   collect.list   "N<TAB>GUEST_PATH" lines: after the command (and after the daemons of daemons.sh have
#                  stopped), GUEST_PATH is archived into collect.N.tar (paths relative to /)
# and results go back there: rc, t_stage2, t_ready, t_cmd_start, t_cmd_end (guest uptime), setup.*.log,
# setup.failed, events.log, dmesg.txt, collect.N.tar. The command's stdout/stderr go to the virtio ports baomi.stdout and
# baomi.stderr (QEMU writes them to files on the host). The guest powers off when the command ends.
set -u
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8 TERM=dumb
GUEST=${0%/*}
X=/xfer

up() { local u _; read -r u _ < /proc/uptime; echo "$u"; }
log() { echo "[baomi-stage2 $(up)] $*" > /dev/console; }
# (bash builtins only in polling loops: every exec costs tens of milliseconds under TCG)
nap() { read -rt "$1" <> <(:) || :; }
. "$GUEST/daemons.sh"
finish() {
  dmesg > $X/dmesg.txt 2> /dev/null
  sync
  echo o > /proc/sysrq-trigger
  sleep 10 2> /dev/null   # the power-off is asynchronous; the root may vanish meanwhile
}
trap finish EXIT

up > $X/t_stage2
log "started"
BAOMI_SHELLOPTS="" BAOMI_SETUP_JOBS=0 BAOMI_STEP_TIMEOUT=240 BAOMI_MODULES=() BAOMI_IFUP=1 BAOMI_CARRIER_MACS="" BAOMI_USB_STORAGE=0 BAOMI_CACHE=/var/tmp/baomi-vm
[ -f $X/config ] && . $X/config
export BAOMI_CACHE

# files to place before anything runs (policies, configs ...)
if [ -f $X/files.list ]; then
  while IFS=$'\t' read -r name dest mode; do
    [ -n "$name" ] || continue
    mkdir -p "${dest%/*}/" && cp "$X/files/$name" "$dest" && chmod "${mode:-0644}" "$dest" || log "cannot place $dest"
  done < $X/files.list
fi

# the system's record keepers (journald, rsyslogd) before anything else runs, as at a real boot
daemons_start || exit 1

# Wired NICs come up like on a desktop with NetworkManager (admin up, so carrier is reported), including
# hot-plugged ones. Never Wi-Fi (left down on purpose) and never the device side of a USB gadget.
mkdir -p /run/udev/rules.d
if [ "$BAOMI_IFUP" = 1 ]; then
  echo 'ACTION=="add", SUBSYSTEM=="net", KERNEL!="lo", DEVPATH!="/devices/virtual/*", DEVPATH!="*/gadget*", ENV{DEVTYPE}!="wlan", RUN+="/usr/sbin/ip link set $name up"' \
    > /run/udev/rules.d/99-baomi-ifup.rules
fi

# udev (our probes read /run/udev/data) + explicitly requested modules, concurrently
log "starting udevd"
/lib/systemd/systemd-udevd --daemon --resolve-names=never 2> /dev/console
pids=()
for m in "${BAOMI_MODULES[@]}"; do
  # shellcheck disable=SC2086
  { modprobe $m 2> /run/baomi/modprobe.$BASHPID.err || { log "modprobe $m failed"
      echo "modprobe $m failed: $(< /run/baomi/modprobe.$BASHPID.err)" >> $X/setup.failed; }; } & pids+=($!)
done
# Coldplug everything but the subsystems no device probe looks at (~150 of ~230 boot-time devices, mostly
# tty/acpi/cpu/memory): the slow part of a TCG boot is running udev rules for every event.
udevadm trigger --type=subsystems --action=add
udevadm trigger --type=devices --action=add $(printf -- '--subsystem-nomatch=%s ' tty vc vtconsole acpi wakeup mem \
  memory memory_tiering cpu node machinecheck clockevents clocksource event_source workqueue bdi thermal container \
  edac regulator graphics)
[ ${#pids[@]} -gt 0 ] && wait "${pids[@]}"
log "modules loaded, coldplug triggered"
[ -f $X/setup.failed ] && exit 1

# device setup steps, in parallel; every one must succeed
if [ -s $X/setup.steps ]; then
  i=0; pids=()
  while IFS= read -r step; do
    [ -n "$step" ] || continue
    i=$((i + 1))
    # at most BAOMI_SETUP_JOBS steps at a time (0: all at once)
    while [ "$BAOMI_SETUP_JOBS" -gt 0 ] && [ "$(jobs -rp | wc -l)" -ge "$BAOMI_SETUP_JOBS" ]; do wait -n; done
    ( cd "$GUEST" && PATH=$GUEST:$PATH ${BAOMI_SHELLOPTS:+env SHELLOPTS=$BAOMI_SHELLOPTS} timeout "$BAOMI_STEP_TIMEOUT" bash -c "$step" < /dev/null > $X/setup.$i.log 2>&1; rc=$?
      echo $rc > /run/baomi/setup.$i.rc; log "setup step $i done (rc=$rc)" ) &
    pids+=($!)
  done < $X/setup.steps
  wait "${pids[@]}"
  for ((k = 1; k <= i; k++)); do
    rc=255; read -r rc 2> /dev/null < /run/baomi/setup.$k.rc
    if [ "$rc" != 0 ]; then
      { echo "setup step $k failed (rc=$rc): $(sed -n "${k}p" $X/setup.steps)"; sed 's/^/  | /' $X/setup.$k.log; } >> $X/setup.failed
    fi
  done
  if [ -f $X/setup.failed ]; then log "device setup failed"; exit 1; fi
fi
udevadm settle --timeout=60
log "udev settled"

# usb-storage scans a new device only after delay_use (1 s): wait (max 15 s) until the USB mass-storage
# interfaces declared at boot (BAOMI_USB_STORAGE) exist and each has its SCSI disk(s), so the command sees sdX.
storage_ready() {
  local itf c found=0 disks
  for itf in /sys/bus/usb/devices/*:*; do
    c=""; read -r c 2> /dev/null < "$itf/bInterfaceClass"
    [ "$c" = 08 ] || continue
    disks=("$itf"/host*/target*/*:*/block/*)
    [ -e "${disks[0]}" ] || return 1
    found=$((found + 1))
  done
  [ $found -ge "$BAOMI_USB_STORAGE" ]
}
carrier_ready() {  # every NIC whose QEMU/gadget link is up (by MAC) exists and reports carrier
  local mac n a c ok
  for mac in $BAOMI_CARRIER_MACS; do
    ok=0
    for n in /sys/class/net/*; do
      a="" c=""; read -r a 2> /dev/null < "$n/address"; read -r c 2> /dev/null < "$n/carrier"
      [ "$a" = "$mac" ] && [ "$c" = 1 ] && ok=1
    done
    [ $ok = 1 ] || return 1
  done
}
if [ "$BAOMI_USB_STORAGE" -gt 0 ]; then
  for ((i = 0; i < 150; i++)); do storage_ready && break; nap 0.1; done
  [ $i -ge 150 ] && log "USB storage not ready after 15 s"
  udevadm settle --timeout=30
fi
if [ "$BAOMI_IFUP" = 1 ] && [ -n "$BAOMI_CARRIER_MACS" ]; then
  for ((i = 0; i < 100; i++)); do carrier_ready && break; nap 0.1; done
  [ $i -ge 100 ] && log "NIC carrier not up after 10 s"
fi
daemons_links || exit 1
up > $X/t_ready
log "ready"

# the command (+ timed in-guest events)
port() { local p n; for p in /sys/class/virtio-ports/*; do n=""; read -r n 2> /dev/null < $p/name; [ "$n" = "$1" ] && { echo /dev/${p##*/}; return; }; done; echo /dev/null; }
OUT=$(port baomi.stdout) ERR=$(port baomi.stderr)
up > $X/t_cmd_start
[ -s $X/events.tsv ] && { bash "$GUEST/events.sh" $X/events.tsv > $X/events.log 2>&1 & }
bash $X/cmd.sh < /dev/null > "$OUT" 2> "$ERR"
rc=$?
up > $X/t_cmd_end
daemons_stop
if [ -f $X/collect.list ]; then
  while IFS=$'\t' read -r n path; do
    [ -n "$n" ] || continue
    if [ -e "$path" ]; then tar -C / -cf "$X/collect.$n.tar" "${path#/}" 2> $X/collect.$n.err || log "collect $path failed"
    else echo "no such guest path: $path" > $X/collect.$n.err; fi
  done < $X/collect.list
fi
echo $rc > $X/rc
exit 0
