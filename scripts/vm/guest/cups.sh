#!/bin/bash
# cups.sh — print queues configured the way an administrator would: the real cupsd + lpadmin, so that
# /etc/cups/printers.conf is written by CUPS itself (in the guest's tmpfs overlay, never on the host).
#   cups.sh usb QUEUE SERIAL [key=value ...]   queue for the USB printer with that serial; its device URI is
#                                              found by CUPS's own usb backend (lpinfo), like a setup wizard
#   cups.sh add QUEUE URI [key=value ...]      queue for any device URI, e.g. ipp://192.0.2.10/ipp/print
#     keys: shared=0|1 default=0|1 model=/path/to.ppd|driver-name info=TEXT location=TEXT
# cupsd normally delays writing printers.conf (DirtyCleanInterval, 30 s); here it is set to 0 and every
# call returns only once the queue is in printers.conf on disk.
set -euo pipefail
[[ $- == *x* ]] && PS4='+ ${EPOCHREALTIME} '   # timestamps when traced (run.sh --verbose)
STATE=/run/baomi/cups
mkdir -p $STATE
die() { echo "cups.sh: $*" >&2; exit 1; }

start_cupsd() {
  if [ -s $STATE/cupsd.pid ] && kill -0 "$(cat $STATE/cupsd.pid)" 2> /dev/null; then return 0; fi
  grep -v '^[[:space:]]*DirtyCleanInterval' /etc/cups/cupsd.conf > $STATE/cupsd.conf || true
  echo 'DirtyCleanInterval 0' >> $STATE/cupsd.conf
  cat $STATE/cupsd.conf > /etc/cups/cupsd.conf
  mkdir -p /run/cups /var/spool/cups/tmp /var/cache/cups /var/log/cups
  /usr/sbin/cupsd -f > $STATE/cupsd.log 2>&1 9>&- &   # must not inherit the start lock
  echo $! > $STATE/cupsd.pid
  local i
  for ((i = 0; i < 200; i++)); do
    lpstat -r 2> /dev/null | grep -q 'is running' && return 0
    sleep 0.1
  done
  die "cupsd did not start: $(tail -5 $STATE/cupsd.log)"
}

wait_written() {  # QUEUE : until cupsd has written the queue to printers.conf
  local i
  for ((i = 0; i < 150; i++)); do
    grep -qE "^<(Default)?Printer $1>" /etc/cups/printers.conf 2> /dev/null && return 0
    sleep 0.1
  done
  die "queue $1 not written to /etc/cups/printers.conf"
}

add_queue() {  # QUEUE URI key=value...
  local queue=$1 uri=$2 kv; shift 2
  declare -A o=()
  for kv in "$@"; do o[${kv%%=*}]=${kv#*=}; done
  # model: a PPD file (lpadmin -P) or a driver name (lpadmin -m). The default is sample.drv's Generic
  # PostScript Printer, pre-compiled on the host by setup.sh (compiling it under TCG takes ~8 s).
  local model=${o[model]:-${BAOMI_CACHE:-/var/tmp/baomi-vm}/ppd/generic.ppd}
  [ -z "${o[model]:-}" ] && [ ! -s "$model" ] && model=drv:///sample.drv/generic.ppd
  local args=(-p "$queue" -E -v "$uri")
  if [[ $model == /* ]]; then args+=(-P "$model"); else args+=(-m "$model"); fi
  [ -n "${o[info]:-}" ] && args+=(-D "${o[info]}")
  [ -n "${o[location]:-}" ] && args+=(-L "${o[location]}")
  if [ "${o[shared]:-0}" = 1 ]; then args+=(-o printer-is-shared=true); else args+=(-o printer-is-shared=false); fi
  ( flock 9; start_cupsd ) 9> $STATE/start.lock
  lpadmin "${args[@]}"
  [ "${o[default]:-0}" = 1 ] && lpadmin -d "$queue"
  wait_written "$queue"
  echo "cups.sh: queue $queue -> $uri"
}

usb_uri() {  # SERIAL : the device URI CUPS's usb backend reports for that printer
  local i uri
  for ((i = 0; i < 30; i++)); do
    uri=$(lpinfo --include-schemes usb -v 2> /dev/null | awk -v s="serial=$1" '$1 == "direct" && index($2, s) { print $2; exit }')
    [ -n "$uri" ] && { echo "$uri"; return 0; }
    sleep 0.2
  done
  return 1
}

case ${1:-} in
  usb)
    [ $# -ge 3 ] || die "usage: cups.sh usb QUEUE SERIAL [key=value ...]"
    queue=$2 serial=$3; shift 3
    ( flock 9; start_cupsd ) 9> $STATE/start.lock
    uri=$(usb_uri "$serial") || die "CUPS's usb backend does not list a printer with serial $serial"
    add_queue "$queue" "$uri" "$@" ;;
  add)
    [ $# -ge 3 ] || die "usage: cups.sh add QUEUE URI [key=value ...]"
    shift; add_queue "$@" ;;
  *) sed -n '2,/^set -euo/p' "$0" | sed '$d' >&2; exit 2 ;;
esac
