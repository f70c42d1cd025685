#!/bin/bash
# gadget.sh — USB devices with any identity, emulated INSIDE the guest with configfs gadgets.
# The guest's USB host side sees a real device (sysfs, /dev/bus/usb, libusb, udev, class drivers).
#   - bulk/interrupt-only functions are bound to dummy_hcd (a virtual UDC + host controller pair);
#   - isochronous ones (mic = UAC2, webcam = UVC) are not supported by dummy_hcd: they go to usbip-vudc and
#     are attached back to the guest's own vhci-hcd over USB/IP on 127.0.0.1 (never leaves the guest).
#
#   gadget.sh add NAME FUNCS [key=value ...]   create + (unless connect=0) plug in
#       FUNCS   comma-separated: storage hid mic webcam printer ecm acm   (e.g. storage,hid = one composite device)
#       identity  vid=0x0951 pid=0x1666 serial=S123 manufacturer=Kingston product="DataTraveler 3.0" bcd=0x0100
#       storage   size=64M label=USBSTICK removable=1 ro=0 medium=1 (0 = card reader, no medium) luns=1
#                 inquiry="VENDOR  PRODUCT         1.00" (default: built from manufacturer/product) file=IMG
#       mic       channels=1 rate=48000            printer  pnp="MFG:..;MDL:..;CMD:..;CLS:PRINTER;"
#       ecm       link=up|down (cable state at plug-in)  dev_addr=MAC host_addr=MAC
#                 dhcpd=A.B.C.D/24: the device side takes that address and serves DHCP (busybox udhcpd) on
#                 A.B.C.100-199, as a phone sharing its connection does (there is still no route anywhere)
#   gadget.sh connect NAME | disconnect NAME      plug / unplug an existing gadget
#   gadget.sh remove NAME                         unplug and delete
#   gadget.sh link NAME up|down                   ecm: cable in / out, as seen by the host-side NIC
#   gadget.sh list
# The device side of an ecm gadget is moved to the network namespace "baomi-gadgets", so only the host-side
# NIC is visible to the software under test.
set -euo pipefail
[[ $- == *x* ]] && PS4='+ ${EPOCHREALTIME} '   # timestamps when traced (run.sh --verbose)
CFG=/sys/kernel/config/usb_gadget
STATE=/run/baomi/gadgets
NETNS=baomi-gadgets
HERE=${BASH_SOURCE[0]%/*}
[ -d $STATE ] || mkdir -p $STATE

# Under TCG every exec costs tens of milliseconds: polling and reading use bash builtins only.
die() { echo "gadget.sh: $*" >&2; exit 1; }
w() { printf '%s\n' "$2" > "$1"; }
r() { local v=""; read -r v 2> /dev/null < "$1"; printf '%s' "$v"; }   # first line of a file, "" if none
nap() { read -rt "$1" <> <(:) || :; }
locked() { local lock=$1; shift; ( flock 9; "$@" ) 9> "$STATE/$lock.lock"; }
wait_for() {  # TENTHS_OF_SECONDS COMMAND... : poll until COMMAND succeeds
  local n=$1 i; shift
  for ((i = 0; i < n; i++)); do "$@" && return 0; nap 0.1; done
  return 1
}

ensure_gadget_core() {  # configfs is mounted by the guest's init; libcomposite creates usb_gadget/
  [ -d $CFG ] || modprobe libcomposite
}
ensure_dummy() { [ -d /sys/module/dummy_hcd ] || modprobe dummy_hcd num=1; }
ensure_usbip() {
  [ -d /sys/module/usbip_vudc ] || modprobe usbip-vudc num=1
  [ -d /sys/module/vhci_hcd ] || modprobe vhci-hcd
  if ! { [ -s $STATE/usbipd.pid ] && kill -0 "$(r $STATE/usbipd.pid)" 2> /dev/null; }; then
    usbipd --device --daemon --pid=$STATE/usbipd.pid 2> /dev/null 8>&- 9>&-   # must not inherit the locks
    wait_for 50 test -s $STATE/usbipd.pid || die "usbipd did not start"
  fi
}

uses_iso() { [[ ,$1, == *,mic,* || ,$1, == *,webcam,* ]]; }

claim_udc() {  # PREFIX GADGETDIR : bind the gadget to the first free UDC whose name starts with PREFIX
  local u g used
  for u in /sys/class/udc/"$1".*; do
    [ -e "$u" ] || continue
    u=${u##*/} used=0
    for g in $CFG/*/UDC; do [ "$(r "$g")" = "$u" ] && used=1; done
    if [ $used = 0 ]; then w "$2/UDC" "$u"; echo "$u"; return 0; fi
  done
  echo "gadget.sh: no free $1 UDC (preload dummy_hcd/usbip-vudc with a larger num=)" >&2
  return 1
}

inquiry_of() {  # SCSI INQUIRY: vendor 8 + product 16 + revision 4
  printf '%-8.8s%-16.16s%-4.4s' "$1" "$2" "1.00"
}

keyboard_report_desc() {  # boot-protocol keyboard: 8 modifier bits, 1 reserved byte, 6 key codes, 5 LEDs
  printf '\x05\x01\x09\x06\xa1\x01'                                 # Usage Page (Generic Desktop), Usage (Keyboard), Collection (Application)
  printf '\x05\x07\x19\xe0\x29\xe7\x15\x00\x25\x01\x75\x01\x95\x08\x81\x02'  # modifiers: 8 x 1 bit
  printf '\x75\x08\x95\x01\x81\x01'                                 # reserved byte (constant)
  printf '\x05\x08\x19\x01\x29\x05\x75\x01\x95\x05\x91\x02'         # LEDs: 5 x 1 bit output
  printf '\x75\x03\x95\x01\x91\x01'                                 # LED padding
  printf '\x05\x07\x19\x00\x29\x65\x15\x00\x25\x65\x75\x08\x95\x06\x81\x00'  # 6 key codes
  printf '\xc0'                                                     # End Collection
}

add_storage() {  # FUNCDIR
  local F=$1 luns=${o[luns]:-1} medium=${o[medium]:-1} l img
  mkdir -p "$F"
  w "$F/stall" 1
  for ((l = 0; l < luns; l++)); do
    [ -d "$F/lun.$l" ] || mkdir "$F/lun.$l"
    w "$F/lun.$l/removable" "${o[removable]:-1}"
    w "$F/lun.$l/ro" "${o[ro]:-0}"
    w "$F/lun.$l/inquiry_string" "${o[inquiry]:-$(inquiry_of "$manufacturer" "$product")}"
    if [ "$medium" = 1 ] && [ $l = 0 ]; then
      img=${o[file]:-}
      if [ -z "$img" ]; then
        img=$STATE/$name.lun$l.img
        truncate -s "${o[size]:-64M}" "$img"
        mkfs.vfat -n "${o[label]:-USBSTICK}" "$img" > /dev/null 2>&1 || true
      fi
      w "$F/lun.$l/file" "$img"
    fi
  done
}

add_uvc() {  # FUNCDIR : one 640x360 YUYV format at 30 fps
  local F=$1 c
  mkdir -p "$F"
  mkdir -p "$F/control/header/h"
  ln -s "$F/control/header/h" "$F/control/class/fs/h"
  ln -s "$F/control/header/h" "$F/control/class/ss/h"
  mkdir -p "$F/streaming/uncompressed/u/360p"
  w "$F/streaming/uncompressed/u/360p/wWidth" 640
  w "$F/streaming/uncompressed/u/360p/wHeight" 360
  w "$F/streaming/uncompressed/u/360p/dwMaxVideoFrameBufferSize" $((640 * 360 * 2))
  w "$F/streaming/uncompressed/u/360p/dwDefaultFrameInterval" 333333
  w "$F/streaming/uncompressed/u/360p/dwFrameInterval" 333333
  mkdir -p "$F/streaming/header/h"
  ln -s "$F/streaming/uncompressed/u" "$F/streaming/header/h/u"
  for c in fs hs ss; do ln -s "$F/streaming/header/h" "$F/streaming/class/$c/h"; done
}

remove_uvc() {
  local F=$1 c
  for c in fs hs ss; do rm -f "$F/streaming/class/$c/h"; done
  rm -f "$F/streaming/header/h/u"
  rmdir "$F/streaming/header/h" "$F/streaming/uncompressed/u/360p" "$F/streaming/uncompressed/u"
  rm -f "$F/control/class/fs/h" "$F/control/class/ss/h"
  rmdir "$F/control/header/h"
}

cmd_add() {
  name=$1 funcs=$2; shift 2
  declare -gA o=()
  local kv
  for kv in "$@"; do o[${kv%%=*}]=${kv#*=}; done
  local G=$CFG/$name first=${funcs%%,*}
  ensure_gadget_core
  [ -e "$G" ] && die "gadget $name exists"
  local dv dp dm dpr
  case $first in
    storage) dv=0x0781 dp=0x5567 dm=SanDisk dpr="Cruzer Blade" ;;
    hid)     dv=0x046d dp=0xc31c dm=Logitech dpr="USB Keyboard" ;;
    mic)     dv=0xb58e dp=0x9e84 dm="Blue Microphones" dpr="Yeti Stereo Microphone" ;;
    webcam)  dv=0x046d dp=0x0825 dm=Logitech dpr="HD Webcam C270" ;;
    printer) dv=0x03f0 dp=0x002a dm=HP dpr="LaserJet P1102" ;;
    ecm)     dv=0x0525 dp=0xa4a1 dm=Linux dpr="USB Ethernet" ;;
    acm)     dv=0x0525 dp=0xa4a7 dm=Linux dpr="Gadget Serial" ;;
    *) die "unknown function $first" ;;
  esac
  manufacturer=${o[manufacturer]:-$dm} product=${o[product]:-$dpr}
  local serial=${o[serial]:-BAOMI$(printf '%08d' $((RANDOM * 32768 + RANDOM)))}
  mkdir -p "$G/strings/0x409" "$G/configs/c.1/strings/0x409"
  w "$G/idVendor" "${o[vid]:-$dv}"
  w "$G/idProduct" "${o[pid]:-$dp}"
  w "$G/bcdDevice" "${o[bcd]:-0x0100}"
  w "$G/bcdUSB" 0x0200
  w "$G/strings/0x409/manufacturer" "$manufacturer"
  w "$G/strings/0x409/product" "$product"
  w "$G/strings/0x409/serialnumber" "$serial"
  w "$G/configs/c.1/strings/0x409/configuration" "$funcs"
  w "$G/configs/c.1/MaxPower" 250
  if uses_iso "$funcs"; then  # UAC2/UVC group their interfaces with an IAD: "Miscellaneous / IAD" device class
    w "$G/bDeviceClass" 0xEF; w "$G/bDeviceSubClass" 0x02; w "$G/bDeviceProtocol" 0x01
  fi
  echo "$funcs" > $STATE/$name.funcs
  echo "${o[link]:-up}" > $STATE/$name.link
  echo "${o[dhcpd]:-}" > $STATE/$name.dhcpd
  local f F idx=0
  for f in ${funcs//,/ }; do
    case $f in
      storage) F=$G/functions/mass_storage.$idx; add_storage "$F" ;;
      hid)     F=$G/functions/hid.$idx; mkdir -p "$F"
               w "$F/protocol" 1; w "$F/subclass" 1; w "$F/report_length" 8
               # one write(): configfs keeps only the last write to an attribute
               keyboard_report_desc > $STATE/$name.hid && cat $STATE/$name.hid > "$F/report_desc" ;;
      mic)     F=$G/functions/uac2.$idx; mkdir -p "$F"
               w "$F/p_chmask" $(( (1 << ${o[channels]:-1}) - 1 ))  # device -> host: the host's capture stream
               w "$F/p_srate" "${o[rate]:-48000}"
               w "$F/c_chmask" 0                                     # no host -> device stream: a microphone only
               ;;
      webcam)  F=$G/functions/uvc.$idx; add_uvc "$F" ;;
      printer) F=$G/functions/printer.$idx; mkdir -p "$F"
               w "$F/pnp_string" "${o[pnp]:-MFG:$manufacturer;MDL:$product;CMD:PJL,PCL;CLS:PRINTER;DES:$manufacturer $product;}" ;;
      ecm)     F=$G/functions/ecm.$idx; mkdir -p "$F"
               [ -n "${o[dev_addr]:-}" ] && w "$F/dev_addr" "${o[dev_addr]}"
               [ -n "${o[host_addr]:-}" ] && w "$F/host_addr" "${o[host_addr]}" ;;
      acm)     F=$G/functions/acm.$idx; mkdir -p "$F" ;;
      *) die "unknown function $f" ;;
    esac
    ln -s "$F" "$G/configs/c.1/"
    idx=$((idx + 1))
  done
  [ "${o[connect]:-1}" = 1 ] && cmd_connect "$name"
  return 0
}

host_side_present() {  # SERIAL : the enumerated device is visible on the guest's USB host side
  local f
  for f in /sys/bus/usb/devices/*/serial; do [ "$(r "$f")" = "$1" ] && return 0; done
  return 1
}

cmd_connect() {
  local name=$1 G=$CFG/$1 funcs u
  funcs=$(r $STATE/$name.funcs)
  ensure_gadget_core
  if uses_iso "$funcs"; then
    locked usbip ensure_usbip
    u=$(locked udc claim_udc usbip-vudc "$G")
    if [[ ,$funcs, == *,webcam,* ]]; then
      # f_uvc pulls up only once a userspace program subscribes to its events: start the responder
      local node=""
      find_node() {
        local v
        for v in /sys/class/video4linux/video*; do
          [[ $(cd -P "$v/device" 2> /dev/null && pwd) == */$u/* ]] && { node=/dev/${v##*/}; return 0; }
        done
        return 1
      }
      wait_for 50 find_node || die "no UVC gadget video node under $u"
      python3 "$HERE/uvc-responder.py" "$node" > $STATE/$name.uvc.log 2>&1 8>&- 9>&- &
      echo $! > $STATE/$name.uvc.pid
      wait_for 50 eval '[[ $(r $STATE/$name.uvc.log) == subscribed* ]]' || die "uvc-responder did not start: $(cat $STATE/$name.uvc.log)"
    fi
    wait_for 30 usbip attach --remote 127.0.0.1 --busid "$u" > /dev/null 2>&1 || die "usbip attach $u failed"
    echo "$u" > $STATE/$name.vudc
  else
    ensure_dummy
    u=$(locked udc claim_udc dummy_udc "$G")
  fi
  echo "$u" > $STATE/$name.udc
  local serial; serial=$(r "$G/strings/0x409/serialnumber")
  wait_for 100 host_side_present "$serial" || die "$name ($serial) did not enumerate on the host side"
  if [[ ,$funcs, == *,ecm,* ]]; then
    local ifc; ifc=$(r "$(echo "$G"/functions/ecm.*/ifname)")
    [ -e /run/netns/$NETNS ] || ip netns add $NETNS 2> /dev/null || true
    ip link set dev "$ifc" netns $NETNS
    [ -n "$(r $STATE/$name.dhcpd)" ] && ecm_dhcpd "$name" "$ifc" "$(r $STATE/$name.dhcpd)"
    if [ "$(r $STATE/$name.link)" = up ]; then
      ip -n $NETNS link set dev "$ifc" up
      ecm_carrier_sync "$name" "$ifc"
    fi
  fi
  return 0
}

find_host_nic() {  # MAC -> HOST_NIC=/sys/class/net/X, the guest-host-side NIC with that address
  local n a
  for n in /sys/class/net/*; do a=$(r "$n/address"); [ "${a,,}" = "${1,,}" ] && { HOST_NIC=$n; return 0; }; done
  return 1
}

# The host-side NIC learns "cable in" from f_ecm's NETWORK_CONNECTION notification, which can be missed when
# the host side opens the NIC after the gadget side came up: wait for carrier, re-plug the "cable" if needed.
ecm_carrier_sync() {  # NAME IFC
  local name=$1 ifc=$2 mac flags=0 i attempt
  mac=$(r "$(echo "$CFG/$name"/functions/ecm.*/host_addr)")
  wait_for 50 find_host_nic "$mac" || return 0
  for ((i = 0; i < 50; i++)); do flags=$(r "$HOST_NIC/flags"); (( ${flags:-0} & 1 )) && break; nap 0.1; done
  (( ${flags:-0} & 1 )) || return 0   # admin-down (run.sh --no-ifup): no carrier is reported anyway
  for attempt in 1 2 3; do
    for ((i = 0; i < 15; i++)); do [ "$(r "$HOST_NIC/carrier")" = 1 ] && return 0; nap 0.1; done
    ip -n $NETNS link set dev "$ifc" down
    ip -n $NETNS link set dev "$ifc" up
  done
  echo "gadget.sh: $name: the host-side NIC reports no carrier" >&2
}

ecm_dhcpd() {  # NAME IFC A.B.C.D/24
  local name=$1 ifc=$2 addr=${3%/*} net=${3%.*}
  [[ $3 =~ ^([0-9]+\.){3}[0-9]+/24$ ]] || die "$name: dhcpd= wants A.B.C.D/24"
  ip -n $NETNS addr add "$3" dev "$ifc"
  printf 'interface %s\nstart %s.100\nend %s.199\nlease_file %s\nopt subnet 255.255.255.0\nopt router %s\nopt dns %s\nopt lease 3600\n' \
    "$ifc" "$net" "$net" "$STATE/$name.udhcpd.leases" "$addr" "$addr" > $STATE/$name.udhcpd.conf
  : > $STATE/$name.udhcpd.leases
  ip netns exec $NETNS busybox udhcpd -f $STATE/$name.udhcpd.conf 8>&- < /dev/null > $STATE/$name.udhcpd.log 2>&1 &
  echo $! > $STATE/$name.udhcpd.pid
}

cmd_disconnect() {
  local name=$1 G=$CFG/$1 u port
  if [ -s $STATE/$name.udhcpd.pid ]; then kill "$(r $STATE/$name.udhcpd.pid)" 2> /dev/null || true; rm -f $STATE/$name.udhcpd.pid; fi
  if [ -s $STATE/$name.vudc ]; then
    u=$(r $STATE/$name.vudc)
    port=$(usbip port 2> /dev/null | awk -v u="/$u" '/^Port [0-9]+:/ { p = $2; sub(":", "", p) } index($0, u) { print p + 0; exit }')
    [ -n "$port" ] && usbip detach --port "$port" > /dev/null 2>&1 || true
    rm -f $STATE/$name.vudc
  fi
  if [ -s $STATE/$name.uvc.pid ]; then
    kill "$(r $STATE/$name.uvc.pid)" 2> /dev/null || true
    rm -f $STATE/$name.uvc.pid
  fi
  [ -n "$(r "$G/UDC")" ] && w "$G/UDC" "" || true
  rm -f $STATE/$name.udc
}

cmd_remove() {
  local name=$1 G=$CFG/$1 l f
  [ -d "$G" ] || die "no gadget $name"
  cmd_disconnect "$name"
  for l in "$G"/configs/c.1/*; do [ -L "$l" ] && rm "$l"; done
  rmdir "$G/configs/c.1/strings/0x409" "$G/configs/c.1"
  for f in "$G"/functions/*; do
    [ -d "$f" ] || continue
    case ${f##*/} in uvc.*) remove_uvc "$f" ;; esac
    rmdir "$f"
  done
  rmdir "$G/strings/0x409" "$G"
  rm -f $STATE/$name.*   # (op-NAME.lock stays: it is held right now)
}

cmd_link() {
  local name=$1 state=$2 G=$CFG/$1 ifc
  ifc=$(r "$(echo "$G"/functions/ecm.*/ifname)")
  echo "$state" > $STATE/$name.link
  ip -n $NETNS link set dev "$ifc" "$state"
  [ "$state" = up ] && ecm_carrier_sync "$name" "$ifc"
  return 0
}

# one operation at a time per gadget (timed events may overlap); daemons started below close fd 8
[ -n "${2:-}" ] && case ${1:-} in add | connect | disconnect | remove | link) exec 8> "$STATE/op-$2.lock"; flock 8 ;; esac
case ${1:-} in
  add) shift; [ $# -ge 2 ] || die "usage: gadget.sh add NAME FUNCS [key=value ...]"; cmd_add "$@" ;;
  connect) cmd_connect "$2" ;;
  disconnect) cmd_disconnect "$2" ;;
  remove) cmd_remove "$2" ;;
  link) cmd_link "$2" "$3" ;;
  list) for g in $CFG/*/; do [ -d "$g" ] || continue; n=${g%/}; n=${n##*/}; echo "$n $(r $STATE/$n.funcs) udc=$(r "$g/UDC")"; done ;;
  *) sed -n '2,/^set -euo/p' "$0" | sed '$d' >&2; exit 2 ;;
esac
