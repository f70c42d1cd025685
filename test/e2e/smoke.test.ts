/**
 * Smoke test of the QEMU harness itself: a guest with a USB stick (gadget), a vivid camera, a USB
 * microphone, Wi-Fi and Bluetooth must show each device with the declared identity in sysfs/procfs.
 * Fails loudly when QEMU cannot run, unless BAOMI_SKIP_E2E=1.
 */
import { expect, test } from 'vitest';
import { runInVm, vmAvailable, type VmResult } from './vm.js';

const skip = process.env['BAOMI_SKIP_E2E'] === '1';
const available = vmAvailable();

test.skipIf(skip)('the QEMU harness is available (scripts/vm/setup.sh has run; BAOMI_SKIP_E2E=1 skips)', () => {
  expect(available.ok, available.reason).toBe(true);
});

/** Splits "== name" sections of the guest script's output. */
function sections(stdout: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let current: string[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^== (\S+)$/.exec(line);
    if (m?.[1]) {
      current = [];
      out.set(m[1], current);
    } else if (line.trim() !== '') {
      current.push(line);
    }
  }
  return out;
}

// bash builtins (read) rather than cat: under software emulation every exec costs tens of milliseconds
const GUEST_SCRIPT = `
get() { local -n _v=$1; _v=""; read -r _v 2>/dev/null < "$2"; }
echo "== usb"
for d in /sys/bus/usb/devices/*; do
  [ -f "$d/idVendor" ] || continue
  get v $d/idVendor; get p $d/idProduct; get s $d/serial; get pr $d/product
  echo "$v:$p serial=$s product=$pr"
done
echo "== serials"
for f in /sys/bus/usb/devices/*/serial; do get s $f; echo "$s"; done
echo "== block"
for b in /sys/block/sd*; do get rm $b/removable; get sz $b/size; echo "\${b##*/} removable=$rm size=$sz $(cd -P $b && pwd)"; done
echo "== bluetooth"
ls /sys/class/bluetooth
echo "== pcm"
cat /proc/asound/pcm
echo "== cards"
cat /proc/asound/cards
echo "== wireless"
for n in /sys/class/net/*; do [ -d "$n/phy80211" ] && { get o $n/operstate; get f $n/flags; echo "\${n##*/} operstate=$o flags=$f"; }; done
echo "== v4l"
for v in /sys/class/video4linux/*; do get nm $v/name; echo "\${v##*/} name=$nm"; done
echo "== v4l-capture"
grep -l '^E:ID_V4L_CAPABILITIES=:capture:' /run/udev/data/c81:*
echo "== end"
`;

test.skipIf(skip || !available.ok)(
  'a guest sees a gadget stick, a vivid camera, a USB mic, Wi-Fi and Bluetooth with the declared identities',
  async () => {
    const r: VmResult = await runInVm({
      devices: [
        { type: 'gadget-stick', vid: 0x0951, pid: 0x1666, serial: 'S123', manufacturer: 'Kingston', product: 'DataTraveler 3.0' },
        { type: 'camera' },
        { type: 'usb-mic', serial: 'MIC42', manufacturer: 'Blue Microphones', product: 'Yeti' },
        { type: 'wifi' },
        { type: 'bluetooth' },
      ],
      command: ['bash', '-c', GUEST_SCRIPT],
      timeoutSec: 170,
    });
    const context = `status=${r.status} exit=${r.exitCode}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
    expect(r.status, context).toBe('ok');
    expect(r.exitCode, context).toBe(0);
    const s = sections(r.stdout);
    expect(s.has('end'), context).toBe(true);

    // USB stick: any VID/PID/serial through a configfs gadget, with its SCSI disk present
    expect(s.get('usb'), context).toContain('0951:1666 serial=S123 product=DataTraveler 3.0');
    expect(s.get('serials'), context).toContain('S123');
    const disk = (s.get('block') ?? []).find((l) => l.includes('removable=1') && l.includes('dummy_hcd'));
    expect(disk, context).toBeDefined();

    // USB microphone: a USB audio card with a capture PCM (the UAC2 gadget's own card is playback only)
    expect(s.get('usb'), context).toContainEqual(expect.stringMatching(/^b58e:9e84 serial=MIC42 product=Yeti$/));
    expect(s.get('cards')?.join('\n'), context).toMatch(/USB-Audio - Yeti/);
    expect(s.get('pcm'), context).toContainEqual(expect.stringMatching(/: USB Audio : .*capture 1/));

    // vivid camera: a V4L2 node that udev (v4l_id) reports as capture-capable
    expect(s.get('v4l'), context).toContainEqual(expect.stringMatching(/^video\d+ name=vivid-000-vid-cap$/));
    expect(s.get('v4l-capture')?.length ?? 0, context).toBeGreaterThanOrEqual(1);

    // Wi-Fi: a wireless interface that exists while it is DOWN (IFF_UP clear)
    const wlan = s.get('wireless') ?? [];
    expect(wlan.length, context).toBe(1);
    const flags = Number(/flags=(0x[0-9a-f]+)/.exec(wlan[0] ?? '')?.[1] ?? 'NaN');
    expect(flags & 1, context).toBe(0);
    expect(wlan[0], context).toMatch(/^wlan\d+ operstate=down/);

    // Bluetooth: a controller
    expect(s.get('bluetooth'), context).toContain('hci0');

    expect(r.timings.bootToCommandSec).toBeGreaterThan(0);
    expect(r.timings.commandSec).toBeGreaterThanOrEqual(0);
    console.log(`[smoke] boot-to-command ${r.timings.bootToCommandSec.toFixed(1)} s, command ${r.timings.commandSec.toFixed(1)} s, total ${r.timings.totalSec.toFixed(1)} s`);
  },
);
