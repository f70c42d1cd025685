#!/bin/bash
# scripts/vm/run.sh — boot a real Linux kernel under QEMU with emulated hardware, run ONE command in the
# guest, print its stdout/stderr and exit with its exit code. Run scripts/vm/setup.sh once first (as root).
#
# The guest's root is the HOST's / shared read-only over 9p under a tmpfs overlay, so the command runs the
# host's node and the project's node_modules/dist directly; writes stay in the guest. udev runs in the guest
# (/run/udev/data is populated). Every NIC is QEMU user networking with restrict=on: no network is reachable.
#
#   run.sh [options] -- CMD [ARGS...]     argv run as is (cwd: --cwd, default the repo root)
#   run.sh [options] -- 'shell snippet'   a single argument is run with bash -c
# The guest's /xfer is the run dir's xfer/ on the host (9p, read-write): with --keep, whatever the command
# writes there survives on the host (run.sh prints the run dir's path).
#
# Devices (repeatable; SPEC = key=value[,key=value...], "\," for a literal comma). Devices that events refer
# to take id= (default: the serial, else TYPE + position, e.g. nic3).
#   --usb-stick[=SPEC]       QEMU usb-storage on xHCI (fixed 46f4:0001 "QEMU USB HARDDRIVE")
#                            serial= size=64M removable=1 label=USBSTICK
#   --gadget-stick[=SPEC]    mass-storage gadget, any identity: vid= pid= serial= manufacturer= product=
#                            size=64M removable=1 ro=0 label= inquiry=
#   --card-reader[=SPEC]     mass-storage gadget whose removable LUNs have NO medium (luns=1, identity keys)
#   --composite[=SPEC]       ONE USB device with a mass-storage and a HID keyboard interface (identity + storage keys)
#   --gadget=FUNCS[:SPEC]    any gadget; FUNCS comma-less list joined by '+': storage+hid, acm, ecm, ...
#   --onboard-mic            Intel HDA controller + hda-micro codec (PCI, has a capture PCM)
#   --usb-mic[=SPEC]         USB Audio Class 2 microphone gadget (identity keys, channels=1 rate=48000)
#   --camera                 vivid V4L2 capture device (platform device, not USB)
#   --usb-webcam[=SPEC]      UVC webcam gadget (identity keys; enumerates, streams no frames)
#   --nic[=SPEC]             QEMU NIC: model=e1000|e1000e|virtio|rtl8139|usb link=up|down mac= ip=CIDR
#                            dhcp=networkd|dhclient (a DHCPv4 client for it; QEMU's user network answers DHCP)
#   --gadget-nic[=SPEC]      CDC-ECM USB ethernet gadget: identity keys, link=up|down mac= ip=CIDR dhcp=networkd
#                            dhcpd=A.B.C.D/24 (its device side serves DHCP, like a phone sharing its connection)
#   --wifi[=SPEC]            mac80211_hwsim: radios=1 up=0 (left DOWN unless up=1)
#   --bluetooth[=SPEC]       virtual HCI controllers (hci_vhci + btvirt): controllers=1
#   --printer[=SPEC]         USB printer gadget (identity keys, pnp=IEEE1284 id) + a CUPS queue made by the
#                            real cupsd/lpadmin: queue=NAME|none shared=0|1 default=0|1 model=PPD info= location=
#   --network-printer[=SPEC] CUPS queue for a network printer: queue=NAME uri=ipp://192.0.2.10/ipp/print shared= ...
# Timed events (SECS from the start of the command, fractional ok; repeatable):
#   --at SECS:plug:KIND[:SPEC]   KIND: usb-stick (QMP) | gadget-stick card-reader composite usb-mic usb-webcam
#                                gadget-nic printer (in-guest gadgets)
#   --at SECS:unplug:ID          unplug a device by id (QEMU device_del, or gadget removal)
#   --at SECS:link:ID:up|down    cable in/out: QMP set_link on a QEMU NIC, carrier of a gadget NIC
#   --at SECS:guest:SHELL        run a shell command in the guest
#   --at SECS:qmp:JSON           send a raw QMP command
# The system's own records (no systemd init in the guest: these daemons are started by stage2.sh)
#   --journald[=max=SIZE]    the host's systemd-journald, persistent: /var/log/journal/<machine-id>/*.journal
#                            (kernel messages from /dev/kmsg, syslog(3), the daemons below). max= sets
#                            SystemMaxFileSize (journald's own default: 8M files, 1/8 of the file system's size)
#   --syslog[=rfc3339|traditional]  rsyslogd with Debian 12's rsyslog.conf: /var/log/syslog, kern.log, auth.log ...
#                            + /var/log/messages (the RHEL rule). rfc3339 (Debian 12's default) or traditional
#                            "Nov 28 09:31:19" timestamps. rsyslog/logrotate come from setup.sh's guest-root/;
#                            `logrotate -f /etc/logrotate.d/rsyslog` rotates as Debian's cron job would
#   --networkd[=MAC,...]     systemd-networkd, DHCPv4 on the NICs with dhcp=networkd (which implies it) and on
#                            the links with these MACs (e.g. a gadget NIC the command plugs itself)
#   --timezone ZONE          /etc/localtime and /etc/timezone of the guest (e.g. Asia/Shanghai)
#   --machine-id HEX32       /etc/machine-id of the guest (default with --journald: a random one; else the host's)
#   --collect GUEST=HOSTDIR  after the command, with the daemons stopped, copy the guest path GUEST into HOSTDIR
#                            as a root tree (--collect /var/log=out gives out/var/log/...); repeatable
# Other options
#   --cwd DIR            guest working directory (default: the repo root)
#   --env K=V            environment variable for the command (repeatable)
#   --file GUEST=HOST    copy the host file HOST to GUEST in the guest before the command (repeatable)
#   --timeout SECS       wall-clock limit for the whole VM (default 300)
#   --mem MB (512)  --smp N (1: one vCPU keeps the TSC clocksource and leaves a host core to QEMU)  --accel auto|tcg|kvm (auto; env BAOMI_VM_ACCEL)
#   --result-file PATH   write a JSON summary: status, exitCode, bootToCommandSec, commandSec, totalSec, ...
#   --timing             print a timing line to stderr     --verbose   kernel console + setup logs to stderr
#   --keep               keep the run dir (under $BAOMI_VM_CACHE/runs)   --no-ifup  leave wired NICs down
#   --print-qemu         print the QEMU command line to stderr
# Env: BAOMI_VM_CACHE (default /var/tmp/baomi-vm), BAOMI_VM_ACCEL, BAOMI_VM_APPEND (extra kernel arguments),
#   BAOMI_VM_SETUP_JOBS (device setup steps run at once; default 0 = all)
# Exit status: the command's; 124 = timeout; 125 = harness/VM failure (bad option, boot or device setup failed).
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
REPO=$(cd "$HERE/../.." && pwd -P)
CACHE=${BAOMI_VM_CACHE:-/var/tmp/baomi-vm}
E_TIMEOUT=124 E_VM=125

RUN="" QPID="" EVPID="" TAILPIDS=() RESULT_FILE="" KEEP=0 T0=""
result() {  # STATUS EXITCODE [extra json]
  [ -n "$RESULT_FILE" ] || return 0
  printf '{"status":"%s","exitCode":%s%s}\n' "$1" "$2" "${3:-}" > "$RESULT_FILE"
}
die() { echo "run.sh: $*" >&2; result usage $E_VM; exit $E_VM; }
cleanup() {
  [ -n "$QPID" ] && kill "$QPID" 2> /dev/null
  [ -n "$EVPID" ] && kill "$EVPID" 2> /dev/null
  for p in "${TAILPIDS[@]}"; do kill "$p" 2> /dev/null; done
  if [ -n "$RUN" ] && [ "$KEEP" = 0 ]; then rm -rf "$RUN"; fi
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

# ------------------------------------------------------------------ helpers
declare -A S        # the parsed SPEC of the device being handled
parse_spec() {      # "k=v,k=v" -> S ; "\," is a literal comma
  S=()
  local spec=${1//\\,/$'\x1f'} kv IFS=,
  for kv in $spec; do
    kv=${kv//$'\x1f'/,}
    [ -n "$kv" ] || continue
    [[ $kv == *=* ]] || die "bad SPEC item '$kv' (expected key=value)"
    S[${kv%%=*}]=${kv#*=}
  done
}
sanitize() { local s; s=$(printf '%s' "$1" | tr -c 'A-Za-z0-9_.-' '_'); [[ $s == [A-Za-z]* ]] || s=d$s; printf '%s' "$s"; }
yes() { case ${1,,} in 1 | on | yes | true | up) return 0 ;; *) return 1 ;; esac; }
jstr() { python3 -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$1"; }
q() { printf '%q' "$1"; }
# These set globals (MAC, SER, ID, IMG) instead of printing: a $(...) subshell would lose counters and die().
nmac=0
next_mac() { nmac=$((nmac + 1)); printf -v MAC '52:54:00:ba:00:%02x' $nmac; }
nser=0
next_serial() { nser=$((nser + 1)); printf -v SER '%s%04d' "$1" $nser; }

QARGS=() MODULES=() STEPS=() GEVENTS=() HEVENTS=() ENVS=() FILES=() CARRIER_MACS=() LINKDOWN=() COLLECT=()
NETWORKD=0 NETWORKD_MACS=() DHCLIENT_MACS=() GUEST_ROOT=0 JOURNALD=0 JOURNAL_MAX="" SYSLOG="" TZONE="" MACHINE_ID=
declare -A KIND      # device id -> qemu | gadget
declare -A QID       # device id -> QEMU device id
N_DUMMY=0 N_VUDC=0 N_VIVID=0 N_BT=0 WIFI=0 N_USB_STORAGE=0 HAVE_HDA=0 HAVE_AUDIODEV=0 idx=0

new_id() {  # TYPE -> ID: S[id] (must be unique), else the serial if still free, else TYPE + position
  idx=$((idx + 1))
  if [ -n "${S[id]:-}" ]; then
    ID=${S[id]}
    [ -z "${KIND[$ID]:-}" ] || die "duplicate device id '$ID'"
  elif [ -n "${S[serial]:-}" ] && [ -z "${KIND[${S[serial]}]:-}" ]; then
    ID=${S[serial]}
  else
    ID=$1$idx
  fi
}
qopt() { printf '%s' "${1//,/,,}"; }   # a value inside a QEMU -device/-drive option list

stick_image() {  # ID SIZE LABEL -> IMG: a fresh FAT image in the run dir
  IMG=$RUN/xfer/stick-$(sanitize "$1").img
  truncate -s "$2" "$IMG" || die "cannot create $IMG"
  mkfs.vfat -n "$3" "$IMG" > /dev/null 2>&1 || die "mkfs.vfat failed for $IMG"
}

# QEMU usb-storage. MODE boot|plug; for plug, appends the QMP commands to HEVENTS at time $AT
dev_usb_stick() {
  local mode=$1 id qid serial img rem
  new_id usb-stick; id=$ID qid=$(sanitize "q-$id")
  next_serial QEMUSTICK; serial=${S[serial]:-$SER}
  stick_image "$id" "${S[size]:-64M}" "${S[label]:-USBSTICK}"; img=$IMG
  rem=false; yes "${S[removable]:-1}" && rem=true
  KIND[$id]=qemu QID[$id]=$qid
  [ "$mode" = boot ] && N_USB_STORAGE=$((N_USB_STORAGE + 1))
  if [ "$mode" = boot ]; then
    QARGS+=(-drive "if=none,id=drv-$qid,file=$(qopt "$img"),format=raw"
            -device "usb-storage,bus=xhci.0,drive=drv-$qid,serial=$(qopt "$serial"),removable=$rem,id=$qid")
  else
    HEVENTS+=("$AT"$'\t'"{\"execute\":\"blockdev-add\",\"arguments\":{\"driver\":\"raw\",\"node-name\":\"drv-$qid\",\"file\":{\"driver\":\"file\",\"filename\":$(jstr "$img")}}}")
    HEVENTS+=("$AT"$'\t'"{\"execute\":\"device_add\",\"arguments\":{\"driver\":\"usb-storage\",\"bus\":\"xhci.0\",\"drive\":\"drv-$qid\",\"serial\":$(jstr "$serial"),\"removable\":$rem,\"id\":\"$qid\"}}")
  fi
}

# in-guest gadget. TYPE maps to gadget functions and defaults; MODE boot|plug
dev_gadget() {
  local type=$1 mode=$2 funcs id name serial line k extra=() prefix
  case $type in
    gadget-stick) funcs=storage prefix=STICK ;;
    card-reader) funcs=storage prefix=CARDRDR
      extra=(medium=0 "vid=${S[vid]:-0x058f}" "pid=${S[pid]:-0x6366}" "manufacturer=${S[manufacturer]:-Generic}"
             "product=${S[product]:-USB Card Reader}") ;;
    composite) funcs=storage,hid prefix=COMBO
      extra=("vid=${S[vid]:-0x1c4f}" "pid=${S[pid]:-0x0002}" "manufacturer=${S[manufacturer]:-Generic}"
             "product=${S[product]:-Keyboard with Storage}") ;;
    usb-mic) funcs=mic prefix=MIC ;;
    usb-webcam) funcs=webcam prefix=CAM ;;
    gadget-nic) funcs=ecm prefix=ETH
      next_mac; S[host_addr]=${S[mac]:-$MAC}
      yes "${S[link]:-up}" && [ "$mode" = boot ] && CARRIER_MACS+=("${S[host_addr],,}") ;;
    printer) funcs=printer prefix=PRN ;;
    gadget:*) funcs=${type#gadget:} funcs=${funcs//+/,} prefix=GADGET ;;
    *) die "unknown gadget type $type" ;;
  esac
  new_id "$type"; id=$ID name=$(sanitize "g-$id")
  next_serial "$prefix"; serial=${S[serial]:-$SER}
  KIND[$id]=gadget QID[$id]=$name
  if [[ ,$funcs, == *,mic,* || ,$funcs, == *,webcam,* ]]; then N_VUDC=$((N_VUDC + 1)); else N_DUMMY=$((N_DUMMY + 1)); fi
  [[ ,$funcs, == *,storage,* ]] && [ "$mode" = boot ] && N_USB_STORAGE=$((N_USB_STORAGE + 1))
  line="gadget.sh add $(q "$name") $(q "$funcs") $(q "serial=$serial")"
  for k in "${!S[@]}"; do
    case $k in id | serial | queue | shared | default | model | info | location | mac | ip | dhcp) ;;
      *) line+=" $(q "$k=${S[$k]}")" ;;
    esac
  done
  for k in "${extra[@]}"; do line+=" $(q "$k")"; done
  if [ "$type" = printer ] && [ "${S[queue]:-}" != none ]; then
    local queue=${S[queue]:-$(printf '%s' "${S[product]:-LaserJet P1102}" | tr -c 'A-Za-z0-9_-' '_')}
    line+=" && cups.sh usb $(q "$queue") $(q "$serial")$(cups_keys)"
  fi
  if [ "$type" = gadget-nic ] && [ -n "${S[ip]:-}" ]; then line+=" && $(ip_step "${S[host_addr]}" "${S[ip]}")"; fi
  [ "$type" = gadget-nic ] && dhcp_client "${S[host_addr]}" gadget
  if [ "$mode" = boot ]; then STEPS+=("$line"); else GEVENTS+=("$AT"$'\t'"$line"); fi
}
cups_keys() { local k s=""; for k in shared default model info location; do [ -n "${S[$k]:-}" ] && s+=" $(q "$k=${S[$k]}")"; done; printf '%s' "$s"; }
ip_step() {  # MAC CIDR -> guest command that assigns the address once the NIC exists under its final name
  printf 'netaddr.sh %q %q' "$1" "$2"
}

dev_nic() {
  local id qid model mac
  new_id nic; id=$ID qid=$(sanitize "q-$id")
  next_mac; mac=${S[mac]:-$MAC}
  case ${S[model]:-e1000} in
    e1000) model=e1000 ;; e1000e) model=e1000e ;; virtio | virtio-net | virtio-net-pci) model=virtio-net-pci ;;
    rtl8139) model=rtl8139 ;; usb | usb-net) model="usb-net,bus=xhci.0" ;;
    *) die "unknown NIC model ${S[model]}" ;;
  esac
  KIND[$id]=qemu QID[$id]=$qid
  QARGS+=(-netdev "user,id=net-$qid,restrict=on,ipv6=off" -device "$model,netdev=net-$qid,id=$qid,mac=$mac")
  if yes "${S[link]:-up}"; then CARRIER_MACS+=("${mac,,}"); else LINKDOWN+=("$qid"); fi
  [ -n "${S[ip]:-}" ] && STEPS+=("$(ip_step "$mac" "${S[ip]}")")
  dhcp_client "$mac"
}
dhcp_client() {  # MAC: the DHCP client named by S[dhcp]
  case ${S[dhcp]:-} in
    "") ;;
    networkd) NETWORKD=1 NETWORKD_MACS+=("${1,,}") ;;
    dhclient) [ "${2:-}" != gadget ] || die "dhcp=dhclient is for QEMU NICs (a gadget NIC appears later: use dhcp=networkd)"
      DHCLIENT_MACS+=("${1,,}") GUEST_ROOT=1 ;;
    *) die "dhcp= wants networkd or dhclient" ;;
  esac
}

need_audiodev() { [ $HAVE_AUDIODEV = 1 ] || QARGS+=(-audiodev none,id=snd0); HAVE_AUDIODEV=1; }

add_device() {  # TYPE SPEC MODE
  local type=$1 mode=$3
  parse_spec "$2"
  if [ "$mode" = plug ]; then
    case $type in usb-stick | gadget-stick | card-reader | composite | usb-mic | usb-webcam | gadget-nic | printer | gadget:*) ;;
      *) die "$type cannot be plugged at run time" ;;
    esac
  fi
  case $type in
    usb-stick) dev_usb_stick "$mode" ;;
    gadget-stick | card-reader | composite | usb-mic | usb-webcam | gadget-nic | printer | gadget:*) dev_gadget "$type" "$mode" ;;
    onboard-mic)
      [ $HAVE_HDA = 0 ] || die "only one --onboard-mic"
      need_audiodev; HAVE_HDA=1
      QARGS+=(-device ich9-intel-hda,id=hda -device hda-micro,bus=hda.0,audiodev=snd0) ;;
    camera) N_VIVID=$((N_VIVID + 1)) ;;
    nic) dev_nic ;;
    wifi)
      [ $WIFI = 0 ] || die "only one --wifi (use radios=N)"
      WIFI=${S[radios]:-1}
      # the hwsim0 monitor netdev is an artifact of the simulator: hide it like the gadgets' device-side NICs
      local s='ip netns add baomi-gadgets 2> /dev/null; ip link set dev hwsim0 netns baomi-gadgets 2> /dev/null; true'
      yes "${S[up]:-0}" && s+='; for w in /sys/class/net/*/phy80211; do w=${w%/phy80211}; ip link set dev "${w##*/}" up || exit 1; done'
      STEPS+=("$s") ;;
    bluetooth)
      N_BT=${S[controllers]:-1} ;;
    network-printer)
      STEPS+=("cups.sh add $(q "${S[queue]:-netprinter}") $(q "${S[uri]:-ipp://192.0.2.10/ipp/print}")$(cups_keys)") ;;
    *) die "unknown device type $type" ;;
  esac
}

# ------------------------------------------------------------------ options
TIMEOUT=300 MEM=512 SMP=1 ACCEL=${BAOMI_VM_ACCEL:-auto} CWD=$REPO IFUP=1 VERBOSE=0 TIMING=0 PRINTQ=0
DEVS=() EVENTS=()
V="" SHIFTN=1
val() { if [[ $1 == --*=* ]]; then V=${1#*=}; SHIFTN=1; else [ $# -ge 2 ] || die "$1 needs a value"; V=$2; SHIFTN=2; fi; }
opt() { if [[ $1 == --*=* ]]; then V=${1#*=}; else V=""; fi; SHIFTN=1; }
while [ $# -gt 0 ]; do
  case $1 in
    --) shift; break ;;
    --usb-stick | --usb-stick=* | --gadget-stick | --gadget-stick=* | --card-reader | --card-reader=* | \
    --composite | --composite=* | --usb-mic | --usb-mic=* | --usb-webcam | --usb-webcam=* | --nic | --nic=* | \
    --gadget-nic | --gadget-nic=* | --wifi | --wifi=* | --bluetooth | --bluetooth=* | --printer | --printer=* | \
    --network-printer | --network-printer=* | --onboard-mic | --camera)
      opt "$1"; t=${1%%=*}; DEVS+=("${t#--}"$'\t'"$V") ;;
    --gadget=*) V=${1#*=}; f=${V%%:*}; s=""; [[ $V == *:* ]] && s=${V#*:}; DEVS+=("gadget:$f"$'\t'"$s") ;;
    --at | --at=*) val "$@"; EVENTS+=("$V") ;;
    --journald | --journald=*) opt "$1"; JOURNALD=1; parse_spec "$V"; JOURNAL_MAX=${S[max]:-}
      [[ -z $JOURNAL_MAX || $JOURNAL_MAX =~ ^[0-9]+[KMG]?$ ]] || die "--journald: max= wants a size like 1M" ;;
    --syslog | --syslog=*) opt "$1"; SYSLOG=${V:-rfc3339}
      case $SYSLOG in rfc3339 | traditional) ;; *) die "--syslog wants rfc3339 or traditional" ;; esac ;;
    --networkd | --networkd=*) opt "$1"; NETWORKD=1; for m in ${V//,/ }; do NETWORKD_MACS+=("${m,,}"); done ;;
    --timezone | --timezone=*) val "$@"; TZONE=$V; [ -f "/usr/share/zoneinfo/$TZONE" ] || die "--timezone: no /usr/share/zoneinfo/$TZONE" ;;
    --machine-id | --machine-id=*) val "$@"; MACHINE_ID=$V; [[ $V =~ ^[0-9a-f]{32}$ ]] || die "--machine-id wants 32 lowercase hex digits" ;;
    --collect | --collect=*) val "$@"; [[ $V == /?*=?* ]] || die "--collect wants /GUEST/PATH=HOSTDIR"; COLLECT+=("$V") ;;
    --cwd | --cwd=*) val "$@"; CWD=$V ;;
    --env | --env=*) val "$@"; [[ $V == ?*=* ]] || die "--env wants K=V"; ENVS+=("$V") ;;
    --file | --file=*) val "$@"; [[ $V == /?*=?* ]] || die "--file wants /GUEST/PATH=HOSTPATH"; FILES+=("$V") ;;
    --timeout | --timeout=*) val "$@"; TIMEOUT=$V ;;
    --mem | --mem=*) val "$@"; MEM=$V ;;
    --smp | --smp=*) val "$@"; SMP=$V ;;
    --accel | --accel=*) val "$@"; ACCEL=$V ;;
    --result-file | --result-file=*) val "$@"; RESULT_FILE=$V ;;
    --timing) TIMING=1 ;;
    --verbose) VERBOSE=1 ;;
    --keep) KEEP=1 ;;
    --no-ifup) IFUP=0 ;;
    --print-qemu) PRINTQ=1 ;;
    -h | --help) sed -n '2,/^set -uo/p' "$0" | sed '$d'; exit 0 ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) break ;;
  esac
  shift "$SHIFTN"; SHIFTN=1
done
[ $# -gt 0 ] || die "no command given (see --help)"
[[ $TIMEOUT =~ ^[0-9]+$ ]] || die "--timeout wants whole seconds"

KERNEL=$CACHE/vmlinux.elf
[ -f "$KERNEL" ] || KERNEL=$(ls "$CACHE"/kernel/boot/vmlinuz-* 2> /dev/null | head -1)
[ -n "$KERNEL" ] && [ -f "$KERNEL" ] && [ -f "$CACHE/initramfs.cpio.gz" ] || die "kernel/initramfs missing in $CACHE: run scripts/vm/setup.sh (as root)"
command -v qemu-system-x86_64 > /dev/null || die "qemu-system-x86_64 not installed: run scripts/vm/setup.sh"
if [ "$ACCEL" = auto ]; then
  if [ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo; then ACCEL=kvm; else ACCEL=tcg; fi
fi
case $ACCEL in kvm) CPU=host ;; tcg) CPU=max ;; *) die "bad --accel $ACCEL" ;; esac

mkdir -p "$CACHE/runs"
find "$CACHE/runs" -mindepth 1 -maxdepth 1 -mmin +720 -exec rm -rf {} + 2> /dev/null
RUN=$(mktemp -d "$CACHE/runs/run.XXXXXX") || die "cannot create a run dir"
mkdir -p "$RUN/xfer/files"

# ------------------------------------------------------------------ devices and events
for d in "${DEVS[@]}"; do add_device "${d%%$'\t'*}" "${d#*$'\t'}" boot; done
for ev in "${EVENTS[@]}"; do
  AT=${ev%%:*} rest=${ev#*:}
  [[ $AT =~ ^[0-9]+(\.[0-9]+)?$ ]] && [[ $ev == *:* ]] || die "bad event '$ev' (SECS:ACTION:...)"
  action=${rest%%:*} arg=""; [[ $rest == *:* ]] && arg=${rest#*:}
  case $action in
    plug) kind=${arg%%:*} spec=""; [[ $arg == *:* ]] && spec=${arg#*:}; add_device "$kind" "$spec" plug ;;
    guest) GEVENTS+=("$AT"$'\t'"$arg") ;;
    qmp) HEVENTS+=("$AT"$'\t'"$arg") ;;
    unplug | link) ;;   # resolved below, once every id is known
    *) die "unknown event action '$action' in '$ev'" ;;
  esac
done
for ev in "${EVENTS[@]}"; do
  AT=${ev%%:*} rest=${ev#*:} action=${rest%%:*} arg=${rest#*:}
  case $action in
    unplug)
      [ -n "${KIND[$arg]:-}" ] || die "unplug: no device with id '$arg' (ids: ${!KIND[*]})"
      if [ "${KIND[$arg]}" = qemu ]; then HEVENTS+=("$AT"$'\t'"{\"execute\":\"device_del\",\"arguments\":{\"id\":\"${QID[$arg]}\"}}")
      else GEVENTS+=("$AT"$'\t'"gadget.sh remove $(q "${QID[$arg]}")"); fi ;;
    link)
      id=${arg%:*} state=${arg##*:}
      [ -n "${KIND[$id]:-}" ] || die "link: no device with id '$id' (ids: ${!KIND[*]})"
      case $state in up | down) ;; *) die "link: state must be up or down in '$ev'" ;; esac
      if [ "${KIND[$id]}" = qemu ]; then HEVENTS+=("$AT"$'\t'"{\"execute\":\"set_link\",\"arguments\":{\"name\":\"${QID[$id]}\",\"up\":$([ "$state" = up ] && echo true || echo false)}}")
      else GEVENTS+=("$AT"$'\t'"gadget.sh link $(q "${QID[$id]}") $state"); fi ;;
  esac
done

# modules the guest loads at boot (hot-plugged gadgets need their UDCs to exist already)
if [ $((N_DUMMY + N_VUDC)) -gt 0 ]; then MODULES+=(libcomposite); fi
[ $N_DUMMY -gt 0 ] && MODULES+=("dummy_hcd num=$N_DUMMY")
[ $N_VUDC -gt 0 ] && MODULES+=("usbip-vudc num=$N_VUDC" "vhci-hcd nr_hcs=1")
if [ $N_VIVID -gt 0 ]; then
  per() { local r=$1 i; for ((i = 1; i < N_VIVID; i++)); do r+=,$1; done; printf '%s' "$r"; }
  MODULES+=("vivid n_devs=$N_VIVID node_types=$(per 0x1) num_inputs=$(per 1) input_types=$(per 0x0)")
fi
[ "$WIFI" != 0 ] && MODULES+=("mac80211_hwsim radios=$WIFI")
if [ $N_BT -gt 0 ]; then
  MODULES+=(hci_vhci)
  STEPS+=("setsid btvirt -l$N_BT > /run/baomi/btvirt.log 2>&1 < /dev/null & for i in \$(seq 150); do [ -e /sys/class/bluetooth/hci$((N_BT - 1)) ] && exit 0; sleep 0.1; done; echo 'btvirt: no controllers'; cat /run/baomi/btvirt.log; exit 1")
fi

# ------------------------------------------------------------------ job files for the guest
X=$RUN/xfer
{
  printf 'BAOMI_CACHE=%q\n' "$CACHE"
  printf 'BAOMI_IFUP=%q\n' "$IFUP"
  [ $VERBOSE = 1 ] && echo 'BAOMI_SHELLOPTS=xtrace'   # setup steps traced into setup.N.log
  printf 'BAOMI_USB_STORAGE=%q\n' "$N_USB_STORAGE"
  printf 'BAOMI_SETUP_JOBS=%q\n' "${BAOMI_VM_SETUP_JOBS:-0}"
  printf 'BAOMI_STEP_TIMEOUT=%q\n' $(( TIMEOUT * 4 / 5 > 30 ? TIMEOUT * 4 / 5 : 30 ))
  printf 'BAOMI_CARRIER_MACS=%q\n' "${CARRIER_MACS[*]:-}"
  [ -n "$SYSLOG" ] && GUEST_ROOT=1
  printf 'BAOMI_GUEST_ROOT=%q BAOMI_JOURNALD=%q BAOMI_JOURNAL_MAX=%q BAOMI_SYSLOG=%q BAOMI_TZ=%q BAOMI_MACHINE_ID=%q\n' \
    "$GUEST_ROOT" "$JOURNALD" "$JOURNAL_MAX" "$SYSLOG" "$TZONE" "$MACHINE_ID"
  [ $NETWORKD = 1 ] && printf 'BAOMI_NETWORKD=%q\n' "${NETWORKD_MACS[*]:-none}"
  printf 'BAOMI_DHCLIENT=%q\n' "${DHCLIENT_MACS[*]:-}"
  printf 'BAOMI_MODULES=('; for m in "${MODULES[@]}"; do printf ' %q' "$m"; done; printf ' )\n'
} > "$X/config"
[ ${#STEPS[@]} -gt 0 ] && printf '%s\n' "${STEPS[@]}" > "$X/setup.steps"
[ ${#GEVENTS[@]} -gt 0 ] && printf '%s\n' "${GEVENTS[@]}" | sort -t$'\t' -k1,1g > "$X/events.tsv"
n=0
for f in "${FILES[@]}"; do
  n=$((n + 1)); dest=${f%%=*} src=${f#*=}
  [ -f "$src" ] || die "--file: no such host file $src"
  cp "$src" "$X/files/$n" && printf '%s\t%s\t%s\n' "$n" "$dest" "$(stat -c %a "$src")" >> "$X/files.list"
done
n=0
for c in "${COLLECT[@]}"; do n=$((n + 1)); printf '%s\t%s\n' "$n" "${c%%=*}" >> "$X/collect.list"; done
{
  printf 'cd %q || { echo "run.sh: no directory %q in the guest" >&2; exit 125; }\n' "$CWD" "$CWD"
  echo 'export BAOMI_VM=1'
  for e in "${ENVS[@]}"; do printf 'export %q\n' "$e"; done
  if [ $# -eq 1 ]; then printf 'exec bash -c %q\n' "$1"; else printf 'exec'; printf ' %q' "$@"; printf '\n'; fi
} > "$X/cmd.sh"
: > "$RUN/stdout"; : > "$RUN/stderr"; : > "$RUN/console.log"

# ------------------------------------------------------------------ QEMU
BLACKLIST=kvm,kvm_intel,kvm_amd,irqbypass,ahci,libahci,lpc_ich,i2c_i801,i2c_smbus,iTCO_wdt,iTCO_vendor_support,pcspkr,serio_raw,joydev,evbug,intel_pmc_bxt,sp5100_tco,ccp,aesni_intel,crc32_pclmul,crct10dif_pclmul,ghash_clmulni_intel,polyval_clmulni,sha1_ssse3,sha256_ssse3,sha512_ssse3,cdc_subset,cdc_ncm
APPEND="console=ttyS0 quiet loglevel=3 panic=-1 module_blacklist=$BLACKLIST baomi.stage2=$HERE/guest/stage2.sh baomi.cache=$CACHE ${BAOMI_VM_APPEND:-}"
QCMD=(qemu-system-x86_64
  -machine "q35,accel=$ACCEL" -cpu "$CPU" -m "$MEM" -smp "$SMP"
  -nodefaults -no-user-config -display none -no-reboot
  -kernel "$KERNEL" -initrd "$CACHE/initramfs.cpio.gz" -append "$APPEND"
  -virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap"
  -virtfs "local,path=$X,mount_tag=xfer,security_model=none"
  -serial "file:$RUN/console.log"
  -device virtio-serial-pci,ioeventfd=off
  -chardev "file,id=stdout,path=$RUN/stdout" -device virtserialport,chardev=stdout,name=baomi.stdout
  -chardev "file,id=stderr,path=$RUN/stderr" -device virtserialport,chardev=stderr,name=baomi.stderr
  -qmp "unix:$RUN/qmp.sock,server=on,wait=off"
  -device qemu-xhci,id=xhci,p2=8,p3=8
  "${QARGS[@]}")
[ ${#LINKDOWN[@]} -gt 0 ] && QCMD+=(-S)   # paused until the link-down NICs are set down
[ $PRINTQ = 1 ] && { printf '%q ' "${QCMD[@]}" >&2; echo >&2; }

now() { date +%s.%N; }
T0=$(now)
timeout -k 5 "$TIMEOUT" "${QCMD[@]}" > "$RUN/qemu.log" 2>&1 &
QPID=$!
if [ ${#LINKDOWN[@]} -gt 0 ]; then
  cmds=(); for qid in "${LINKDOWN[@]}"; do cmds+=("{\"execute\":\"set_link\",\"arguments\":{\"name\":\"$qid\",\"up\":false}}"); done
  python3 "$HERE/lib/qmp.py" "$RUN/qmp.sock" "${cmds[@]}" '{"execute":"cont"}' >> "$RUN/events.log" 2>&1 ||
    { echo "run.sh: QMP set_link at boot failed: $(cat "$RUN/events.log")" >&2; }
fi

host_events() {  # QMP commands at their time, counted from the guest's command start; same time = one connection
  while [ ! -f "$X/t_cmd_start" ]; do kill -0 "$QPID" 2> /dev/null || return; sleep 0.05; done
  local t0 at json d group=() gat=""
  t0=$(now)
  fire() {
    [ ${#group[@]} -gt 0 ] || return 0
    d=$(awk -v a="$t0" -v b="$(now)" -v s="$gat" 'BEGIN { d = a + s - b; printf "%.3f", (d > 0 ? d : 0) }')
    sleep "$d"
    echo "[+$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }')s] ${group[*]}"
    python3 "$HERE/lib/qmp.py" "$RUN/qmp.sock" "${group[@]}" 2>&1 | sed 's/^/    /'
    group=()
  }
  while IFS=$'\t' read -r at json; do
    [ "$at" = "$gat" ] || fire
    gat=$at; group+=("$json")
  done < <(printf '%s\n' "${HEVENTS[@]}" | sort -s -t$'\t' -k1,1g)
  fire
} 
[ ${#HEVENTS[@]} -gt 0 ] && { host_events >> "$RUN/events.log" 2>&1 & EVPID=$!; }
tail -n +1 -s 0.1 -F --pid=$QPID "$RUN/stdout" 2> /dev/null & TAILPIDS+=($!)
tail -n +1 -s 0.1 -F --pid=$QPID "$RUN/stderr" >&2 2> /dev/null & TAILPIDS+=($!)
[ $VERBOSE = 1 ] && { tail -n +1 -s 0.2 -F --pid=$QPID "$RUN/console.log" >&2 2> /dev/null & TAILPIDS+=($!); }

TCMD=""
while kill -0 $QPID 2> /dev/null; do
  [ -z "$TCMD" ] && [ -f "$X/t_cmd_start" ] && TCMD=$(now)
  sleep 0.05
done
wait $QPID; QRC=$?
T1=$(now)
[ -z "$TCMD" ] && [ -f "$X/t_cmd_start" ] && TCMD=$T1
for p in "${TAILPIDS[@]}"; do wait "$p" 2> /dev/null; done
TAILPIDS=()
[ -n "$EVPID" ] && { kill $EVPID 2> /dev/null; wait $EVPID 2> /dev/null; EVPID=""; }
QPID=""

# ------------------------------------------------------------------ outcome
g() { cat "$X/$1" 2> /dev/null || echo 0; }
timings=$(awk -v t0="$T0" -v tc="${TCMD:-0}" -v t1="$T1" -v g0="$(g t_stage2)" -v gr="$(g t_ready)" -v g1="$(g t_cmd_start)" -v g2="$(g t_cmd_end)" 'BEGIN {
  boot = (tc > 0 ? tc - t0 : -1); cmd = (g2 > 0 && g1 > 0 ? g2 - g1 : -1)
  printf ",\"bootToCommandSec\":%.2f,\"commandSec\":%.2f,\"totalSec\":%.2f,\"guestKernelSec\":%.2f,\"guestSetupSec\":%.2f", boot, cmd, t1 - t0, g0, (gr > 0 ? gr - g0 : -1) }')
extra="$timings,\"accel\":\"$ACCEL\""
if [ $VERBOSE = 1 ] || [ $TIMING = 1 ]; then
  [ -s "$RUN/events.log" ] && sed 's/^/[host events] /' "$RUN/events.log" >&2
  [ -s "$X/events.log" ] && sed 's/^/[guest events] /' "$X/events.log" >&2
fi
[ $VERBOSE = 1 ] && for f in "$X"/setup.*.log; do [ -s "$f" ] && sed "s|^|[${f##*/}] |" "$f" >&2; done
[ $TIMING = 1 ] && echo "[timing] accel=$ACCEL ${timings//\"/}" | sed 's/,/ /g' >&2
n=0
for c in "${COLLECT[@]}"; do  # guest paths archived by stage2.sh after the command
  n=$((n + 1)); dir=${c#*=}
  if [ -f "$X/collect.$n.tar" ]; then
    mkdir -p "$dir" && tar -C "$dir" -xf "$X/collect.$n.tar" || echo "run.sh: --collect $c: cannot unpack into $dir" >&2
  elif [ -f "$X/rc" ]; then
    echo "run.sh: --collect $c: $(cat "$X/collect.$n.err" 2> /dev/null || echo 'not archived')" >&2
  fi
done
if [ -f "$X/rc" ]; then
  RC=$(cat "$X/rc")
  result ok "$RC" "$extra"
elif [ -f "$X/setup.failed" ]; then
  echo "run.sh: device setup failed in the guest:" >&2; cat "$X/setup.failed" >&2
  RC=$E_VM; result setup-failure $RC "$extra"
elif [ $QRC = 124 ] || [ $QRC = 137 ]; then
  echo "run.sh: timeout after ${TIMEOUT}s (qemu killed); console tail:" >&2; tail -15 "$RUN/console.log" >&2
  RC=$E_TIMEOUT; result timeout $RC "$extra"
else
  echo "run.sh: the VM ended without a result (qemu rc=$QRC). qemu.log / console tail:" >&2
  tail -5 "$RUN/qemu.log" >&2; tail -25 "$RUN/console.log" >&2
  RC=$E_VM; result vm-failure $RC "$extra"
fi
[ $KEEP = 1 ] && echo "run.sh: run dir kept: $RUN" >&2
exit "$RC"
