import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { HostRoot } from '../../agent/host-root.js';
import { recordDeepScan } from '../../agent/ledger/record-deep-scan.js';
import { DEEP_KINDS, deepScan } from '../../agent/scan/deep-scan.js';
import { FULL_PROBES, kindsCovered } from '../../agent/service/scan-plans.js';
import { openLedger } from '../ledger/ledger-helpers.js';
import { builtinPolicy, copyFixture, fixture, FIXTURES, installSignedPolicy, policyWith, runCli, tempDir, vmStickEntry } from '../helpers.js';

/**
 * The deep scan on trees captured from a real kernel (test/fixtures/vm-traces: the journal,
 * kern.log, syslog and messages of a guest where sticks S123, QM00042 and S999 were plugged,
 * and leases of links that came up), and on real folders.
 */

const S123_REGISTERED = policyWith((p) => {
  p.registry = { media: [vmStickEntry({ role: 'storage', class: '秘密' })] };
});

const ids = (violations: { rule: string; findingId: string }[], rule: string) => violations.filter((v) => v.rule === rule).map((v) => v.findingId);

describe('TRACE-MEDIA and TRACE-NETWORK on a real guest’s logs', () => {
  test('every attachment of an unregistered stick, with its time and log lines; the registered stick is not one', async () => {
    const { report } = await deepScan({ host: fixture('vm-traces'), policy: S123_REGISTERED, ledger: null, stateDir: tempDir(), fileMode: 'read-only' });
    expect(ids(report.violations, 'TRACE-MEDIA')).toEqual([
      'usb-trace:0951:1666:S999:2026-11-28T10:00:32',
      'usb-trace:0951:1666:S999:2026-11-28T10:01:08',
      'usb-trace:46f4:0001:QM00042:2026-11-28T10:00:20',
    ]);
    const s999 = report.violations.find((v) => v.findingId === 'usb-trace:0951:1666:S999:2026-11-28T10:00:32')!;
    expect(s999.evidence.reason.zh).toBe('2026-11-28 18:00 曾接入未登记的 USB 存储设备');
    // the journal's copy first (exact time, boot), then the same lines in the rotated kern.log and syslog
    expect(s999.evidence.sources?.map((s) => `${path.basename(s.file).replace(/@.*/, '@…')} ${s.line ?? `#${s.seqnum}`}`)).toEqual([
      'system@… #546', 'system@… #550', 'system@… #551', 'kern.log.1 4', 'kern.log.1 8', 'kern.log.1 9', 'syslog.1 5', 'syslog.1 9', 'syslog.1 10',
    ]);
    expect(s999.evidence.sources?.[4]?.text).toMatch(/^usb \d-1: SerialNumber: S999$/);
    const traces = report.findings.filter((f) => f.kind === 'usb-trace');
    expect(traces.map((t) => t.agentSaw)).toEqual(traces.map(() => 'unknown')); // no log to compare with
  });

  test('what the agent saw: traces from before its log began are called out as such', async () => {
    const stateDir = tempDir();
    const ledger = await openLedger(stateDir, { now: () => new Date('2026-11-28T12:00:00Z') });
    ledger.append({ type: 'agent.started', payload: { cleanShutdown: true, version: 't', pid: 1 } });
    const { report } = await deepScan({ host: fixture('vm-traces'), policy: S123_REGISTERED, ledger, stateDir, fileMode: 'compare' });
    ledger.close();
    expect(report.violations.filter((v) => v.rule === 'TRACE-MEDIA').map((v) => v.evidence.reason.en)).toEqual([
      'unregistered USB storage was attached at 2026-11-28 18:00 (before the agent\'s log begins)',
      'unregistered USB storage was attached at 2026-11-28 18:01 (before the agent\'s log begins)',
      'unregistered USB storage was attached at 2026-11-28 18:00 (before the agent\'s log begins)',
    ]);
  });

  test('the leases and the links that came up, loopback never; a tree with no logs has no traces, and says so', async () => {
    const { report } = await deepScan({ host: fixture('vm-traces'), policy: builtinPolicy(), ledger: null, stateDir: tempDir(), fileMode: 'read-only' });
    const network = report.findings.filter((f) => f.kind === 'network-trace');
    // The tether registered as usb1 and renamed enx525400ba00e1 is one link, under its new name.
    expect(new Set(network.map((f) => f.interface))).toEqual(new Set(['enp0s5', 'enp0s6', 'enx525400ba00e1']));
    expect(ids(report.violations, 'TRACE-NETWORK').length).toBe(network.length);
    const quiet = await deepScan({ host: fixture('vm-baseline'), policy: builtinPolicy(), ledger: null, stateDir: tempDir(), fileMode: 'read-only' });
    expect(quiet.report.violations.filter((v) => v.rule.startsWith('TRACE-'))).toEqual([]);
    expect(quiet.report.findings.filter((f) => f.kind === 'log-source')).toEqual([]);
    // …and says that the past could not be read, rather than that it was clean
    expect(quiet.report.violations.filter((v) => v.rule === 'PROBE-UNAVAILABLE').map((v) => v.findingId)).toEqual(['probe:system-logs']);
  });
});

describe('recorded like any scan', () => {
  test('scan --deep opens each trace once; a second deep scan finds them persisting; an ordinary scan never resolves them', () => {
    const stateDir = tempDir();
    const root = copyFixture('vm-traces');
    const deep = () => runCli(['scan', '--deep', '--json', '--root', root, '--state-dir', stateDir, '--trust-dir', path.join(stateDir, 'none')]);
    const first = deep();
    expect(first.status).toBe(1);
    const report = JSON.parse(first.stdout);
    expect(report.findings.filter((f: { kind: string }) => f.kind === 'log-source').length).toBe(12);
    const events = () => runCli(['log', '--json', '--state-dir', stateDir]).stdout.trim().split('\n').map((l) => JSON.parse(l));
    const opened = () => events().filter((e) => e.type === 'violation.opened' && e.payload.rule === 'TRACE-MEDIA');
    expect(opened().length).toBe(5);
    expect(opened()[0].payload.evidence.sources.length).toBeGreaterThan(0);
    expect(deep().status).toBe(1);
    expect(opened().length).toBe(5);
    expect(runCli(['scan', '--root', root, '--state-dir', stateDir, '--trust-dir', path.join(stateDir, 'none')]).status).toBeLessThan(2);
    expect(events().filter((e) => e.type === 'violation.resolved' && e.payload.rule === 'TRACE-MEDIA')).toEqual([]);
    const scans = events().filter((e) => e.type === 'scan.completed').map((e) => e.payload.scope);
    expect(scans).toEqual(['deep', 'deep', 'full']);
  });
});

describe('FILE-INTEGRITY through the deep scan, with the baseline digest in the log', () => {
  async function setup() {
    const root = tempDir('baomi-fim-host-');
    const docs = path.join(root, 'srv/docs');
    fs.mkdirSync(docs, { recursive: true });
    fs.writeFileSync(path.join(docs, 'a.txt'), 'alpha');
    fs.writeFileSync(path.join(docs, 'b.txt'), 'bravo');
    const policy = policyWith((p) => {
      p.fileIntegrity = { folders: [{ path: '/srv/docs' }] };
    });
    const stateDir = tempDir();
    const look = async () => {
      const ledger = await openLedger(stateDir);
      try {
        const deep = await deepScan({ host: new HostRoot(root), policy, ledger, stateDir, fileMode: 'compare' });
        recordDeepScan(ledger, deep, { trigger: 'manual', kinds: kindsCovered(FULL_PROBES, DEEP_KINDS) });
        const events = [...ledger.events({ types: ['files.baselined', 'violation.opened', 'violation.resolved'] })];
        // (this tree has no system logs: PROBE-UNAVAILABLE says so, beside the point here)
        return { deep, events: events.filter((e) => e.type === 'files.baselined' || e.payload['rule'] === 'FILE-INTEGRITY') };
      } finally {
        ledger.close();
      }
    };
    return { root, docs, look, stateDir };
  }

  test('the first look makes the baseline and records its digest; a later change is a violation; renewing resolves it', async () => {
    const { root, docs, look, stateDir } = await setup();
    const first = await look();
    expect(first.deep.report.violations.filter((v) => v.rule === 'FILE-INTEGRITY')).toEqual([]);
    expect(first.events.map((e) => [e.type, e.payload.folder, e.payload.files])).toEqual([['files.baselined', '/srv/docs', 2]]);
    fs.writeFileSync(path.join(docs, 'a.txt'), 'ALPHA, edited');
    fs.rmSync(path.join(docs, 'b.txt'));
    const second = await look();
    expect(second.deep.report.violations.filter((v) => v.rule === 'FILE-INTEGRITY').map((v) => [v.findingId, v.evidence.reason.en.split(',')[0]])).toEqual([
      ['file:/srv/docs:/srv/docs/a.txt', 'file content changed'],
      ['file:/srv/docs:/srv/docs/b.txt', 'file deleted'],
    ]);
    // the officer accepts the change: the policy in force watches the folder, the baseline is renewed
    const { trustDir } = installSignedPolicy(stateDir, (p) => {
      p.fileIntegrity = { folders: [{ path: '/srv/docs' }] };
    });
    const renewed = runCli(['baseline', '--files', '--lang', 'en', '--root', root, '--state-dir', stateDir, '--trust-dir', trustDir]);
    expect([renewed.status, renewed.stdout]).toEqual([0, '/srv/docs: 1 file(s), baseline renewed\n']);
    const third = await look();
    expect(third.deep.report.violations.filter((v) => v.rule === 'FILE-INTEGRITY')).toEqual([]);
    expect(third.events.filter((e) => e.type === 'violation.resolved').map((e) => e.payload.findingId)).toEqual([
      'file:/srv/docs:/srv/docs/a.txt',
      'file:/srv/docs:/srv/docs/b.txt',
    ]);
    expect(third.events.filter((e) => e.type === 'files.baselined').map((e) => e.payload.reason)).toEqual(['first-scan', 'officer']);
  });

  test('a baseline store edited behind the agent’s back is reported, not compared with', async () => {
    const { look, stateDir } = await setup();
    await look();
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(path.join(stateDir, 'file-integrity.db'));
    expect(db.prepare(`UPDATE baseline_files SET sha256 = ? WHERE path LIKE '%a.txt'`).run('0'.repeat(64)).changes).toBe(1);
    db.close();
    const { deep } = await look();
    expect(deep.report.violations.filter((v) => v.rule === 'FILE-INTEGRITY').map((v) => v.evidence.reason.en)).toEqual([
      "the watched folder's baseline was altered (it does not match the digest in the violation log)",
    ]);
  });
});

test('baseline --disks enrols the disks as they are now, recorded as the officer’s', () => {
  const stateDir = tempDir();
  const out = runCli(['baseline', '--disks', '--lang', 'en', '--root', path.join(FIXTURES, 'sandbox-host'), '--state-dir', stateDir]);
  expect(out.stdout).toBe('Enrolled 1 disk(s):\n  vda S/N overlayblk 275 GB\n');
  const enrolled = runCli(['log', '--json', '--state-dir', stateDir]).stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.type === 'disks.enrolled');
  expect(enrolled.map((e) => e.payload.reason)).toEqual(['officer']);
});
