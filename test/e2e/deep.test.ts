/**
 * `baomi-agent scan --deep` on a real kernel's journal: a stick plugged and unplugged while no agent
 * runs is found afterwards in the journal that journald wrote in the guest. The unregistered one is a
 * TRACE-MEDIA violation the agent never saw live (before its log begins); the registered one is not.
 */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import type { FindingOf } from '../../agent/findings/schema.js';
import { ScanReport } from '../../agent/scan/scan-report.js';
import { signPolicy } from '../../policies/signed-policy.js';
import { e2eSkipped, policy } from './guest-scans.js';
import { runInVm, vmAvailable } from './vm.js';

const available = vmAvailable();
const STICK = { vid: 0x0951, pid: 0x1666, manufacturer: 'Kingston', product: 'DataTraveler 3.0', sizeMB: 32 };
const s123 = { id: 'BM-E2E-1', label: 'e2e', vendorId: '0951', productId: '1666', serial: 'S123', capacityBytes: null, class: '秘密' as const, boundHost: 'baomi-vm', owner: '张三', status: 'active' as const, registeredBy: '李四', registeredAt: '2026-11-01', role: 'storage' as const };

describe.skipIf(e2eSkipped)('deep scan in the guest', () => {
  test('sticks plugged while no agent ran: S999 is TRACE-MEDIA (before-agent), registered S123 is not', async () => {
    expect(available.ok, `the VM suite cannot run here: ${available.reason}`).toBe(true);
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const registered = policy((p) => {
      p.version = 2;
      p.registry = { media: [s123] };
    });
    const vm = await runInVm({
      devices: [],
      events: [
        { at: 1, action: 'plug', device: { type: 'gadget-stick', id: 'u', serial: 'S999', ...STICK } },
        { at: 6, action: 'unplug', id: 'u' },
        { at: 8, action: 'plug', device: { type: 'gadget-stick', id: 'r', serial: 'S123', ...STICK } },
        { at: 13, action: 'unplug', id: 'r' },
      ],
      journald: true,
      timezone: 'Asia/Shanghai',
      files: [
        { path: '/tmp/officer.pub', content: publicKey.export({ type: 'spki', format: 'pem' }) },
        { path: '/tmp/policy.signed.json', content: signPolicy(Buffer.from(JSON.stringify(registered, null, 2)), privateKey) },
      ],
      // No agent runs while the sticks come and go. Once both are gone the officer's policy is put in
      // force (the agent's log begins there), then one deep scan.
      command: [
        'bash',
        '-c',
        'for i in $(seq 300); do [ "$(dmesg | grep -c "USB disconnect")" -ge 2 ] && break; sleep 0.1; done; sleep 2; ' +
          'A="node dist/agent/cli/main.js"; $A officer trust /tmp/officer.pub --trust-dir /tmp/trust >&2 && ' +
          '$A policy apply /tmp/policy.signed.json --state-dir /tmp/st --trust-dir /tmp/trust >&2 && ' +
          '$A scan --deep --json --state-dir /tmp/st --trust-dir /tmp/trust',
      ],
      timeoutSec: 280,
    });
    const context = `status=${vm.status} exit=${vm.exitCode} timings=${JSON.stringify(vm.timings)}\n--- stdout\n${vm.stdout.slice(0, 20000)}\n--- stderr\n${vm.stderr.slice(-4000)}`;
    expect(vm.exitCode, context).toBe(1);
    const json = vm.stdout.split('\n').find((l) => l.startsWith('{"schema":"baomi.scan/1"'));
    expect(json, context).toBeDefined();
    const report = ScanReport.parse(JSON.parse(json!));
    const traces = report.findings.filter((f): f is FindingOf<'usb-trace'> => f.kind === 'usb-trace');
    expect(traces.map((t) => t.usb.serial).sort(), context).toEqual(['S123', 'S999']);
    const media = report.violations.filter((v) => v.rule === 'TRACE-MEDIA');
    expect(media.map((v) => traces.find((t) => t.id === v.findingId)?.usb.serial), context).toEqual(['S999']);
    const s999 = traces.find((t) => t.usb.serial === 'S999')!;
    expect(s999.agentSaw, context).toBe('before-agent');
    expect(s999.usb, context).toMatchObject({ vendorId: '0951', productId: '1666', serial: 'S999' });
    expect(s999.bootId, context).toMatch(/^[0-9a-f]{32}$/);
    // read from the journal files journald wrote in the guest (there is no rsyslog there)
    expect(s999.sources.some((s) => /^\/var\/log\/journal\/[0-9a-f]{32}\/system\.journal$/.test(s.file) && /SerialNumber: S999/.test(s.text)), context).toBe(true);
  });

  test('what the agent saw: a stick it recorded live is "recorded", one plugged after it stopped is "agent-stopped"', async () => {
    expect(available.ok, `the VM suite cannot run here: ${available.reason}`).toBe(true);
    // The service runs while LIVE1 comes and goes (QEMU hot-plug); it is stopped; QUIET1 comes and goes; one deep scan.
    const guest = `
set -u
S="--state-dir /tmp/st --trust-dir /tmp/none"
A="node --max-semi-space-size=1 --lite-mode dist/agent/cli/main.js"
until_t() { while [ "$(cut -d. -f1 /proc/uptime)" -lt $(( $(cut -d. -f1 /tmp/t0) + $1 )) ]; do sleep 0.5; done; }
$A run $S --log-level info > /tmp/agent.log 2>&1 &
P=$!
for i in $(seq 600); do grep -q '"trigger":"start"' /tmp/agent.log 2>/dev/null && break; sleep 0.1; done
echo "@@@ ready $(cut -d' ' -f1 /proc/uptime)" >&2
until_t 64
kill -TERM $P; wait $P; echo "@@@ agent exit $?" >&2
until_t 88
$A scan --deep --json $S
`;
    const vm = await runInVm({
      devices: [],
      events: [
        { at: 40, action: 'plug', device: { type: 'usb-stick', id: 'live', serial: 'LIVE1', sizeMB: 16 } },
        { at: 52, action: 'unplug', id: 'live' },
        { at: 72, action: 'plug', device: { type: 'usb-stick', id: 'quiet', serial: 'QUIET1', sizeMB: 16 } },
        { at: 80, action: 'unplug', id: 'quiet' },
      ],
      journald: true,
      timezone: 'Asia/Shanghai',
      command: ['bash', '-c', `cut -d' ' -f1 /proc/uptime > /tmp/t0\n${guest}`],
      timeoutSec: 300,
    });
    const context = `status=${vm.status} exit=${vm.exitCode} timings=${JSON.stringify(vm.timings)}\n--- stdout\n${vm.stdout.slice(0, 20000)}\n--- stderr\n${vm.stderr.slice(-4000)}`;
    expect(vm.exitCode, context).toBe(1);
    const json = vm.stdout.split('\n').find((l) => l.startsWith('{"schema":"baomi.scan/1"'));
    const report = ScanReport.parse(JSON.parse(json!));
    const saw = Object.fromEntries(
      report.findings.filter((f): f is FindingOf<'usb-trace'> => f.kind === 'usb-trace').map((t) => [t.usb.serial, t.agentSaw]),
    );
    expect(saw, context).toEqual({ LIVE1: 'recorded', QUIET1: 'agent-stopped' });
    const reasons = report.violations.filter((v) => v.rule === 'TRACE-MEDIA').map((v) => v.evidence.reason.en.replace(/at [\d-]+ [\d:]+/, 'at T'));
    expect(reasons.sort(), context).toEqual([
      'unregistered USB storage was attached at T (the agent recorded it live)',
      'unregistered USB storage was attached at T (the agent was not running then)',
    ]);
  }, 360_000);
});
