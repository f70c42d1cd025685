/**
 * The service on a real kernel: `baomi-agent run` in the guest, a USB stick hot-plugged through
 * QEMU's monitor while it runs and pulled out again. The delays are measured from the kernel's own
 * timestamps (dmesg) to the events in the log (monotonic milliseconds, the same clock).
 */
import { afterAll, describe, expect, test } from 'vitest';
import { e2eSkipped } from './guest-scans.js';
import { runInVm, vmAvailable } from './vm.js';

const PLUG_AT = 40;
const UNPLUG_AT = 58;

const GUEST = `
set -u
S=/tmp/state
node --max-semi-space-size=1 --lite-mode dist/agent/cli/main.js run --state-dir $S --trust-dir /tmp/none --log-level info > /tmp/agent.log 2>&1 &
A=$!
for i in $(seq 400); do grep -q '"trigger":"start"' /tmp/agent.log 2>/dev/null && break; sleep 0.1; done
echo "@@@ ready $(cut -d' ' -f1 /proc/uptime)"
sleep $((${UNPLUG_AT} + 12 - $(cut -d. -f1 /proc/uptime) + $(cut -d. -f1 /tmp/t0)))
kill -TERM $A; wait $A; echo "@@@ agent exit $?"
echo "@@@ log"; node dist/agent/cli/main.js log --json --state-dir $S
echo "@@@ dmesg"; dmesg
echo "@@@ verify"; node dist/agent/cli/main.js verify --state-dir $S > /dev/null; echo "verify $?"
`;

interface Event {
  seq: number;
  type: string;
  monotonicMs: number;
  payload: Record<string, any>;
}

const measured: Record<string, number> = {};

describe.skipIf(e2eSkipped)('the service on emulated hardware', () => {
  test('a stick hot-plugged while the agent runs is in the log at once, and resolved when pulled out', async () => {
    const available = vmAvailable();
    expect(available.ok, `the VM suite cannot run here: ${available.reason}`).toBe(true);
    const vm = await runInVm({
      devices: [],
      events: [
        { at: PLUG_AT, action: 'plug', device: { type: 'usb-stick', id: 'hot', serial: 'HOT1', sizeMB: 16 } },
        { at: UNPLUG_AT, action: 'unplug', id: 'hot' },
      ],
      command: ['bash', '-c', `cut -d' ' -f1 /proc/uptime > /tmp/t0\n${GUEST}`],
      timeoutSec: 280,
    });
    const context = `status=${vm.status} exit=${vm.exitCode}\n${vm.stdout.slice(-12000)}\n${vm.stderr.slice(-3000)}`;
    expect(vm.status, context).toBe('ok');
    const section = (name: string) => vm.stdout.split(`@@@ ${name}`)[1]?.split('@@@')[0] ?? '';
    const events: Event[] = section('log').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
    const dmesg = section('dmesg');
    const ready = Number(/@@@ ready ([\d.]+)/.exec(vm.stdout)?.[1]);
    const t0 = Number(/^\s*([\d.]+)/.exec(vm.stdout)?.[1] ?? 0);
    expect(vm.stdout, context).toContain('@@@ agent exit 0');
    expect(vm.stdout, context).toContain('verify 0');

    // Kernel times (seconds since boot) of the USB device and of its disk.
    const usbAt = Number(/\[\s*([\d.]+)\] usb \S+: new \S+ USB device number \d+ using xhci_hcd/.exec(dmesg)?.[1]);
    const diskAt = Number(/\[\s*([\d.]+)\] sd \S+ \[sd\w+\] Attached SCSI removable disk/.exec(dmesg)?.[1]);
    expect(usbAt, context).toBeGreaterThan(ready); // plugged while the agent was running
    const opened = events.find((e) => e.type === 'violation.opened' && e.payload.findingId === 'storage:usb:46f4:0001:HOT1');
    expect(opened?.payload.rule, context).toBe('MEDIA-UNREGISTERED');
    const hotplugScans = events.filter((e) => e.type === 'scan.completed' && e.payload.scope === 'hotplug');
    const afterDisk = hotplugScans.find((e) => e.monotonicMs >= diskAt * 1000 && e.payload.kinds?.includes('removable-storage'));
    const resolved = events.find((e) => e.type === 'violation.resolved' && e.payload.findingId === 'storage:usb:46f4:0001:HOT1');
    expect(afterDisk, context).toBeDefined();
    expect(resolved, context).toBeDefined();

    measured.usbDeviceToOpenedMs = opened!.monotonicMs - usbAt * 1000;
    measured.diskToStorageScanMs = afterDisk!.monotonicMs - diskAt * 1000;
    measured.agentReadySec = ready - t0;
    // Loose bounds: software emulation is slow and shared; the exact figures are printed below.
    expect(measured.usbDeviceToOpenedMs, context).toBeLessThan(3000);
    expect(measured.diskToStorageScanMs, context).toBeLessThan(3000);
  });

  afterAll(() => process.stdout.write(`hot-plug delays in the VM (ms): ${JSON.stringify(measured)}\n`));
});
