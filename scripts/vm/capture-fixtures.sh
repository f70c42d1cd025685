#!/bin/bash
# Capture the kernel trees of emulated devices into test/fixtures/, so that unit tests run the
# real probes on real kernel layouts without a VM. Each scenario boots a guest with its devices,
# runs the project's capture script (dist/scripts/capture-fixture.js) inside it, and copies the
# tree back. Run as root after `npm run build` and scripts/vm/setup.sh:
#   scripts/vm/capture-fixtures.sh [SCENARIO …]      (default: all)
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
REPO=$(cd "$HERE/../.." && pwd -P)
CACHE=${BAOMI_VM_CACHE:-/var/tmp/baomi-vm}

declare -A SCENARIOS=(
  # Two sticks of the same make and model, told apart only by serial; a card reader without a
  # card; one USB device that is a stick and a keyboard at once.
  [vm-media]='--gadget-stick=id=s1,vid=0x0951,pid=0x1666,serial=S123,manufacturer=Kingston,product=DataTraveler 3.0,size=32M
--gadget-stick=id=s2,vid=0x0951,pid=0x1666,serial=S999,manufacturer=Kingston,product=DataTraveler 3.0,size=32M
--card-reader=id=cr,vid=0x058f,pid=0x6366,serial=058F63666485,manufacturer=Generic,product=Mass Storage Device
--composite=id=kb,vid=0x1234,pid=0x5678,serial=COMBO1,manufacturer=Acme,product=Storage Keyboard,size=16M'
  # A codec on the mainboard with a capture PCM, a USB microphone, a V4L2 camera, a USB webcam.
  [vm-av]='--onboard-mic
--usb-mic=id=mic,vid=0x046d,pid=0x0a44,serial=MIC1,manufacturer=Logitech,product=USB Microphone
--camera
--usb-webcam=id=cam,vid=0x046d,pid=0x0825,serial=CAM1,manufacturer=Logitech,product=HD Webcam C270'
  # A cable plugged in (e1000), one unplugged (virtio), a USB Ethernet adapter, Wi-Fi left down, Bluetooth.
  [vm-net]='--nic=id=nic0,model=e1000,link=up,ip=192.0.2.15/24
--nic=id=nic1,model=virtio,link=down
--gadget-nic=id=usbnic,vid=0x0b95,pid=0x1790,serial=ASIX1,manufacturer=ASIX,product=AX88179
--wifi
--bluetooth'
  # A USB printer with a shared CUPS queue, and a network printer queue.
  [vm-printers]='--printer=id=prn,vid=0x03f0,pid=0x0517,serial=CN123,manufacturer=HP,product=LaserJet 1020,queue=Office_Laser,shared=1
--network-printer=queue=Net_Printer,uri=ipp://192.0.2.10/ipp/print'
  # Nothing attached: the compliant baseline of the same guest.
  [vm-baseline]=''
)

wanted=("$@")
[ ${#wanted[@]} -gt 0 ] || wanted=(vm-baseline vm-media vm-av vm-net vm-printers)
status=0
for name in "${wanted[@]}"; do
  [ -n "${SCENARIOS[$name]+x}" ] || { echo "unknown scenario $name" >&2; exit 2; }
  args=()
  while IFS= read -r line; do [ -n "$line" ] && args+=("$line"); done <<< "${SCENARIOS[$name]}"
  result=$(mktemp)
  echo "== $name: ${#args[@]} device(s)"
  log=$(mktemp)
  "$HERE/run.sh" --keep --timing --result-file "$result" ${BAOMI_CAPTURE_TRACE:+--env BAOMI_CAPTURE_TRACE=1} "${args[@]}" -- \
    "node dist/scripts/capture-fixture.js $name --out /xfer/capture" > "$log" 2>&1
  rc=$?
  tail -8 "$log"
  # this run's directory (other VMs may be running at the same time)
  run=$(sed -n 's/^run.sh: run dir kept: //p' "$log" | tail -1)
  rm -f "$log"
  if [ "$rc" = 0 ] && [ -d "$run/xfer/capture/sys" ]; then
    rm -rf "$REPO/test/fixtures/$name"
    cp -a "$run/xfer/capture" "$REPO/test/fixtures/$name"
    echo "   -> test/fixtures/$name ($(find "$REPO/test/fixtures/$name" -type f | wc -l) files)"
    rm -rf "$run"
  else
    echo "   capture failed (exit $rc): see $run" >&2
    status=1
  fi
  rm -f "$result"
done
exit $status
