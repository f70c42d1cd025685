/**
 * Timed events of the QEMU harness: a QEMU USB stick and a gadget stick plugged while the command runs,
 * a boot-time stick unplugged, a NIC's cable pulled, a shell command run in the guest.
 */
import { expect, test } from 'vitest';
import { runInVm, vmAvailable } from './vm.js';

const skip = process.env['BAOMI_SKIP_E2E'] === '1';
const available = vmAvailable();

// The first snapshot uses bash builtins only (under software emulation an exec costs 50-500 ms), so it is
// taken well before the first event; events start 3 s into the command.
const GUEST_SCRIPT = `
get() { local -n _v=$1; _v=""; read -r _v 2>/dev/null < "$2"; }
snap() {
  echo "== $1"
  for f in /sys/bus/usb/devices/*/serial; do get s $f; echo "usb $s"; done
  for n in /sys/class/net/*; do
    get a $n/address; get c $n/carrier
    [ "$a" = 52:54:00:12:34:56 ] && echo "lan carrier=$c"
  done
  [ -f /tmp/marker ] && { get m /tmp/marker; echo "marker $m"; }
  true
}
snap start
sleep 12
udevadm settle
snap end
lsblk -dno SERIAL,RM | sed 's/^/disk /'
`;

test.skipIf(skip || !available.ok)('plug, unplug, link and guest events happen while the command runs', async () => {
  const r = await runInVm({
    devices: [
      { type: 'nic', model: 'e1000', id: 'lan', mac: '52:54:00:12:34:56' },
      { type: 'gadget-stick', id: 'boot', serial: 'BOOT1' },
    ],
    events: [
      { at: 3, action: 'plug', device: { type: 'usb-stick', id: 'q1', serial: 'QS9', sizeMB: 16 } },
      { at: 3, action: 'plug', device: { type: 'gadget-stick', id: 'g9', vid: 0x0781, pid: 0x5581, serial: 'G9' } },
      { at: 3.5, action: 'unplug', id: 'boot' },
      { at: 4, action: 'link', id: 'lan', up: false },
      { at: 5, action: 'guest', shell: 'echo from-event > /tmp/marker' },
    ],
    command: ['bash', '-c', GUEST_SCRIPT],
    timeoutSec: 170,
  });
  const context = `status=${r.status} exit=${r.exitCode}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
  expect(r.status, context).toBe('ok');
  expect(r.exitCode, context).toBe(0);
  const [start = '', end = ''] = r.stdout.split('== end');
  expect(start, context).toContain('usb BOOT1');
  expect(start, context).not.toContain('usb QS9');
  expect(start, context).not.toContain('usb G9');
  expect(start, context).toContain('lan carrier=1');
  expect(start, context).not.toContain('marker');

  expect(end, context).toContain('usb QS9');
  expect(end, context).toContain('usb G9');
  expect(end, context).not.toContain('usb BOOT1');
  expect(end, context).toMatch(/disk QS9\s+1/);
  expect(end, context).toMatch(/disk G9\s+1/);
  expect(end, context).toContain('lan carrier=0');
  expect(end, context).toContain('marker from-event');
});
