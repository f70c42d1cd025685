import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { Finding } from '../../agent/findings/schema.js';
import { deriveIncidents, recordScan } from '../../agent/ledger/incidents.js';
import { readIncidents } from '../../agent/ledger/read.js';
import { HostRoot } from '../../agent/host-root.js';
import { scan } from '../../agent/scan/scan.js';
import type { ScanReport } from '../../agent/scan/scan-report.js';
import type { Violation } from '../../policies/violation.js';
import { builtinPolicy, copyFixture, fixture } from '../helpers.js';
import { openLedger } from './ledger-helpers.js';

/** The sandbox machine with its network cable pulled out (as in the scan CLI tests). */
function unplugged(): HostRoot {
  const root = copyFixture('sandbox-host');
  const eth0 = path.join(root, 'sys/class/net/eth0');
  fs.writeFileSync(path.join(eth0, 'carrier'), '0\n');
  fs.writeFileSync(path.join(eth0, 'operstate'), 'down\n');
  fs.writeFileSync(path.join(root, 'proc/net/route'), 'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n');
  for (const file of ['fib_trie', 'if_inet6', 'ipv6_route']) fs.writeFileSync(path.join(root, 'proc/net', file), '');
  return new HostRoot(root);
}

/** A report with the given violations; each finding only needs its id and kind here. */
function report(startedAt: string, violations: [Violation['rule'], string, Finding['kind']][]): ScanReport {
  return {
    schema: 'baomi.scan/1',
    host: { hostname: 'vm', machineId: null, os: 'Linux' },
    policy: { id: 'test', version: 1, sha256: 'a'.repeat(64) },
    startedAt,
    durationMs: 1,
    probes: {},
    findings: violations.map(([, id, kind]) => ({ id, kind }) as Finding),
    violations: violations.map(([rule, findingId]) => ({
      rule,
      severity: 'high',
      findingId,
      citation: 'T3',
      title: { zh: '标题', en: 'title' },
      evidence: { device: findingId, reason: { zh: '原因', en: 'reason' } },
    })),
  };
}

describe('change-only incidents', () => {
  test('three scans: open, persist (no event, last seen moves), resolve', async () => {
    const ledger = await openLedger();
    const policy = builtinPolicy();
    const times = ['2025-04-30T01:00:00.000Z', '2025-04-30T02:00:00.000Z', '2025-04-30T03:00:00.000Z'];
    const plugged = scan({ host: fixture('sandbox-host'), policy, now: () => new Date(times[0]!) });
    const first = recordScan(ledger, plugged, { scope: 'full' });
    expect(first.opened.map((e) => [e.seq, e.type, e.payload.rule, e.payload.findingKind])).toEqual([
      [1, 'violation.opened', 'NET-CABLE', 'network-interface'],
      [2, 'violation.opened', 'NET-INTERNET', 'network-interface'],
    ]);
    expect(first.completed).toMatchObject({ seq: 3, type: 'scan.completed', payload: { scope: 'full', violationsOpen: 2, findings: plugged.findings.length } });
    expect(first.opened[0]!.payload).toMatchObject(plugged.violations[0]!);

    const again = scan({ host: fixture('sandbox-host'), policy, now: () => new Date(times[1]!) });
    const second = recordScan(ledger, again, { scope: 'full' });
    expect(second).toMatchObject({ opened: [], resolved: [], persisting: 2, completed: { seq: 4, payload: { violationsOpen: 2 } } });
    expect(readIncidents(ledger.db).map((i) => [i.rule, i.openedSeq, i.firstSeen, i.lastSeen])).toEqual([
      ['NET-CABLE', 1, times[0], times[1]],
      ['NET-INTERNET', 2, times[0], times[1]],
    ]);

    const clean = scan({ host: unplugged(), policy, now: () => new Date(times[2]!) });
    expect(clean.violations).toEqual([]);
    const third = recordScan(ledger, clean, { scope: 'full' });
    expect(third.resolved.map((e) => [e.seq, e.type, e.payload])).toEqual([
      [5, 'violation.resolved', { rule: 'NET-CABLE', findingId: 'net:eth0@02:fc:00:00:00:01', openedSeq: 1 }],
      [6, 'violation.resolved', { rule: 'NET-INTERNET', findingId: 'net:eth0@02:fc:00:00:00:01', openedSeq: 2 }],
    ]);
    expect(third.completed).toMatchObject({ seq: 7, payload: { violationsOpen: 0 } });
    expect(readIncidents(ledger.db)).toEqual([]);
    expect([...ledger.events()].map((e) => e.type)).toEqual([
      'violation.opened',
      'violation.opened',
      'scan.completed',
      'scan.completed',
      'violation.resolved',
      'violation.resolved',
      'scan.completed',
    ]);
    ledger.close();
  });

  test('a partial scan resolves only incidents of the kinds it covered', async () => {
    const ledger = await openLedger();
    recordScan(
      ledger,
      report('2025-04-30T01:00:00.000Z', [
        ['NET-CABLE', 'net:eth0', 'network-interface'],
        ['PRINTER-SHARED', 'printer:office', 'printer'],
        ['MEDIA-UNREGISTERED', 'usb:0781:5581:SN1', 'removable-storage'],
      ]),
      { scope: 'full' },
    );
    // A hot-plug rescan of USB storage that finds nothing: only the stick was removed.
    const hotplug = recordScan(ledger, report('2025-04-30T01:05:00.000Z', []), { scope: 'hotplug', kinds: ['removable-storage', 'usb-device'] });
    expect(hotplug.resolved.map((e) => e.payload.findingId)).toEqual(['usb:0781:5581:SN1']);
    expect(hotplug.completed.payload).toMatchObject({ scope: 'hotplug', kinds: ['removable-storage', 'usb-device'], violationsOpen: 2 });
    expect(readIncidents(ledger.db).map((i) => i.findingId)).toEqual(['net:eth0', 'printer:office']);

    const printers = recordScan(ledger, report('2025-04-30T01:06:00.000Z', []), { scope: 'quick', kinds: ['printer'] });
    expect(printers.resolved.map((e) => e.payload.findingId)).toEqual(['printer:office']);
    expect(readIncidents(ledger.db).map((i) => i.findingId)).toEqual(['net:eth0']);
    ledger.close();
  });

  test('a violation about something absent (an enrolled disk gone) takes its kind from the rule', async () => {
    const ledger = await openLedger();
    const missingDisk = report('2025-04-30T01:00:00.000Z', [['HW-DISK-CHANGE', 'disk:WD-123', 'fixed-disk']]);
    missingDisk.findings = []; // inventory violations have no finding
    const { opened } = recordScan(ledger, missingDisk, { scope: 'full' });
    expect(opened[0]!.payload.findingKind).toBe('fixed-disk');
    ledger.close();
  });

  test('one scan is one transaction: a failure records none of it', async () => {
    const ledger = await openLedger();
    const bad = report('2025-04-30T01:00:00.000Z', [['NET-CABLE', 'net:eth0', 'network-interface']]);
    bad.durationMs = -1; // refused by the scan.completed schema, after violation.opened was appended
    expect(() => recordScan(ledger, bad, { scope: 'full' })).toThrow();
    expect(ledger.tail().seq).toBe(0);
    expect(readIncidents(ledger.db)).toEqual([]);
    ledger.close();
  });

  test('the incidents can be rebuilt from the events alone', async () => {
    const ledger = await openLedger();
    recordScan(ledger, report('2025-04-30T01:00:00.000Z', [['NET-CABLE', 'a', 'network-interface'], ['AV-CAMERA', 'b', 'video-capture']]), { scope: 'full' });
    recordScan(ledger, report('2025-04-30T02:00:00.000Z', [['AV-CAMERA', 'b', 'video-capture'], ['NET-WIRELESS', 'c', 'network-interface']]), { scope: 'full' });
    const derived = [...deriveIncidents(ledger.db).values()].map((i) => [i.rule, i.findingId, i.findingKind, i.openedSeq]);
    const stored = readIncidents(ledger.db).map((i) => [i.rule, i.findingId, i.findingKind, i.openedSeq]);
    expect(derived).toEqual(stored);
    expect(stored).toEqual([
      ['AV-CAMERA', 'b', 'video-capture', 2],
      ['NET-WIRELESS', 'c', 'network-interface', 5],
    ]);
    ledger.close();
  });
});
