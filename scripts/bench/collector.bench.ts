import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { exportBundle } from '../../agent/export/export-bundle.js';
import type { InspectionMedium } from '../../agent/export/inspection-medium.js';
import type { FindingOf } from '../../agent/findings/schema.js';
import { HostRoot } from '../../agent/host-root.js';
import type { HostIdentity } from '../../agent/host-identity.js';
import type { LedgerEventInput, StoredEvent } from '../../agent/ledger/events.js';
import { Ledger } from '../../agent/ledger/ledger.js';
import { PACKAGE_ROOT } from '../../agent/package-root.js';
import { runProbes } from '../../agent/probes/run-probes.js';
import { storageProbe } from '../../agent/probes/storage/linux.js';
import { openArchive, openArchiveReadonly } from '../../collector/archive.js';
import { hostsCsv, violationsCsv } from '../../collector/committee-csv.js';
import { renderCommitteeReport } from '../../collector/committee-report.js';
import { findBundles } from '../../collector/find-bundles.js';
import { importPaths } from '../../collector/import-run.js';
import { progress } from '../../collector/progress.js';
import { gatherReport } from '../../collector/report-data.js';
import { verifyBundle } from '../../collector/verify-bundle.js';
import { builtinPolicy, type PolicyInForce } from '../../policies/in-force.js';
import { formatMs } from './measure.js';

/**
 * The collector: 1,000 real signed bundles (one per host, each its own agent key and log, built
 * with Ledger + exportBundle as the agent builds them), then import + verify of all of them into
 * a fresh archive (goal ≤ 10 s), verification alone, and the committee report over them. Then
 * the agent side of the largest case: an export of a log of 1,000,000 events, and its size.
 *
 * A host's log is what the service writes on an office day (agent/service/agent-service.ts):
 * started in the morning, a quick scan every 5 minutes and a heartbeat every 15 for 9 hours, a
 * full scan at noon, stopped in the evening (≈ 150 events a day), with a violation opened now and
 * then and resolved later. The bundles cover 1 to 10 working days since the previous inspection.
 */

const HOSTS = 1000;
const MILLION = 1_000_000;
const DEPARTMENTS = ['办公室', '机要科', '财务科', '人事科', '保卫科', '信息中心', '档案室', '综合科'];

export async function run(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'baomi-bench-collector-'));
  try {
    const stick = path.join(root, 'stick');
    fs.mkdirSync(stick);
    const generated = await generate(root, stick);
    line(`generate ${HOSTS.toLocaleString('en')} bundles (not timed for the goal)`, `${formatMs(generated.ms)}  (${generated.events.toLocaleString('en')} events, ${mib(dirSize(stick))} on the stick)`);
    // The agents' logs are not needed any more; what the generator wrote is flushed before the
    // import is timed (a stick's bundles are not dirty pages of the inspector's own disk).
    fs.rmSync(path.join(root, 'hosts'), { recursive: true, force: true });
    execFileSync('sync');

    const archiveFile = path.join(root, 'archive.db');
    const db = openArchive(archiveFile);
    const imported = await timedAsync(() => importPaths(db, [stick], { heartbeatMinutes: 15, progress: (total) => progress(total, process.stderr) }));
    db.close();
    const outcomes = imported.value.outcomes;
    const problems = outcomes.reduce((n, o) => n + o.problems.length, 0);
    if (outcomes.length !== HOSTS || outcomes.some((o) => o.status !== 'imported') || problems > 0) throw new Error(`import: ${outcomes.length} bundles, ${problems} problems`);
    line(`import + verify ${HOSTS.toLocaleString('en')} bundles`, `${formatMs(imported.ms)}, ${formatMs(imported.cpuMs)} CPU  (${rate(generated.events, imported.ms)} events/s; goal ≤ 10 s; archive ${mib(fileSize(archiveFile))})`);

    const dirs = findBundles([stick]).bundles;
    const verified = timed(() => dirs.filter((dir) => verifyBundle(dir).checks.length === 0).length);
    if (verified.value !== HOSTS) throw new Error(`verify: ${verified.value} of ${HOSTS} bundles verified`);
    line(`verify only, one thread, ${HOSTS.toLocaleString('en')} bundles`, `${formatMs(verified.ms)}, ${formatMs(verified.cpuMs)} CPU  (${rate(generated.events, verified.ms)} events/s)`);

    const report = timed(() => {
      const readonly = openArchiveReadonly(archiveFile);
      try {
        const data = gatherReport(readonly, { since: null, policy: null });
        return [renderCommitteeReport(data, 'zh'), hostsCsv(data, 'zh'), violationsCsv(data, 'zh')];
      } finally {
        readonly.close();
      }
    });
    line(`committee report over ${HOSTS.toLocaleString('en')} hosts`, `${formatMs(report.ms)}  (HTML ${kib(report.value[0]!.length)}, CSV ${kib(report.value[1]!.length + report.value[2]!.length)})`);

    await millionExport(root);
    line('machine', `${os.availableParallelism()} CPUs, load average ${os.loadavg()[0]!.toFixed(2)} at the end`);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

/** One log per host, exported onto the stick. */
export async function generate(root: string, stick: string): Promise<{ ms: number; events: number }> {
  const start = performance.now();
  const registered = Array.from({ length: HOSTS }, (_, i) => ({
    hostname: `pc-${String(i).padStart(4, '0')}`,
    machineId: randomBytes(16).toString('hex'),
    class: '机密' as const,
    department: DEPARTMENTS[i % DEPARTMENTS.length]!,
    owner: `责任人${i}`,
  }));
  const policy = policyWithHosts(registered);
  let events = 0;
  for (const [i, host] of registered.entries()) {
    const days = 1 + ((i * 7919) % 10);
    const { ledger, identity, clock } = await hostLedger(path.join(root, 'hosts', host.hostname), host.hostname, host.machineId);
    const start = Date.parse('2026-11-02T00:30:00Z') - days * 86_400_000;
    ledger.write((w) => {
      for (let d = 0; d < days; d++) officeDay(start + d * 86_400_000, i + d, clock, (e) => w.append(e));
    });
    clock.ms = start + days * 86_400_000;
    const { manifest } = exportBundle({ ledger, identity, policy, medium: medium(stick), now: () => new Date(clock.ms) });
    events += manifest.counts.events;
    ledger.close();
  }
  return { ms: performance.now() - start, events };
}

async function hostLedger(dir: string, hostname: string, machineId: string) {
  const fakeRoot = path.join(dir, 'root');
  fs.mkdirSync(path.join(fakeRoot, 'etc'), { recursive: true });
  fs.writeFileSync(path.join(fakeRoot, 'etc/machine-id'), `${machineId}\n`);
  const clock = { ms: Date.parse('2026-10-01T00:00:00Z') };
  const ledger = await Ledger.open({ stateDir: path.join(dir, 'state'), host: new HostRoot(fakeRoot), now: () => new Date(clock.ms), monotonicMs: () => clock.ms % 86_400_000 });
  const identity: HostIdentity = { hostname, machineId, os: 'Kylin V10 (SP3)', bootId: null };
  return { ledger, identity, clock };
}

/** 08:30–17:30 local (UTC+8): start, scans, heartbeats, a violation on some days, stop. */
function officeDay(dayStart: number, seed: number, clock: { ms: number }, append: (e: LedgerEventInput) => StoredEvent | false): void {
  const at = (minutes: number, event: LedgerEventInput) => {
    clock.ms = dayStart + minutes * 60_000;
    return append(event);
  };
  let opened: StoredEvent | false = false;
  at(0, { type: 'agent.started', payload: { cleanShutdown: true, version: '0.1.0', pid: 1000 + seed } });
  for (let m = 5; m < 540; m += 5) {
    if (m % 15 === 0) at(m, { type: 'agent.heartbeat', payload: {} });
    if (seed % 3 === 0 && m === 120) opened = at(m, VIOLATION);
    if (opened && m === 125) at(m, { type: 'violation.resolved', payload: { rule: 'MEDIA-UNREGISTERED', findingId: VIOLATION.payload.findingId, openedSeq: opened.seq } });
    at(m, scanCompleted(m === 210 ? 'full' : 'quick', clock.ms));
  }
  at(540, { type: 'agent.stopped', payload: { reason: 'shutdown' } });
}

const VIOLATION = {
  type: 'violation.opened',
  payload: {
    rule: 'MEDIA-UNREGISTERED',
    severity: 'critical',
    findingId: 'storage:usb:0781:5581:4C530001230803115325',
    findingKind: 'removable-storage',
    citation: 'T3 第十条; T3 第十四条(五)',
    title: { zh: '使用了未登记的移动存储介质', en: 'Unregistered removable media in use' },
    evidence: { device: 'sdb USB 0781:5581 SanDisk Ultra S/N 4C530001230803115325 30.8 GB', reason: { zh: '未登记的移动存储设备', en: 'removable storage not in the registry' } },
  },
} satisfies LedgerEventInput;

function scanCompleted(scope: 'full' | 'quick', ms: number): LedgerEventInput {
  return {
    type: 'scan.completed',
    payload: {
      scope,
      trigger: 'schedule',
      ...(scope === 'quick' ? { kinds: ['removable-storage', 'usb-device', 'network-interface'] } : {}),
      startedAt: new Date(ms - 40).toISOString(),
      probes: scope === 'quick' ? { storage: 1, usb: 4, network: 2 } : { audio: 1, bluetooth: 0, disks: 1, network: 2, printers: 1, software: 1, storage: 1, usb: 4, video: 1 },
      durationMs: scope === 'quick' ? 12.5 : 41.3,
      findings: scope === 'quick' ? 7 : 12,
      violationsOpen: 0,
      policy: { id: 'cn-office-standalone', version: 3, sha256: 'c'.repeat(64) },
    },
  };
}

function policyWithHosts(hosts: PolicyInForce['policy']['registry']['hosts']): PolicyInForce {
  const builtin = builtinPolicy();
  return { ...builtin, policy: { ...builtin.policy, registry: { ...builtin.policy.registry, hosts } } };
}

let stickFinding: FindingOf<'removable-storage'> | undefined;

/** The inspection stick: the Kingston of the captured VM tree, registered for inspection. */
function medium(dir: string): InspectionMedium {
  stickFinding ??= runProbes({ host: new HostRoot(path.join(PACKAGE_ROOT, 'test/fixtures/vm-stick')), requiredSoftware: [] }, [storageProbe]).findings.find(
    (f): f is FindingOf<'removable-storage'> => f.kind === 'removable-storage',
  )!;
  return {
    dir,
    medium: stickFinding,
    entry: {
      id: 'BM-2026-0100',
      label: '检查专用盘',
      vendorId: '0951',
      productId: '1666',
      serial: 'S123',
      capacityBytes: null,
      class: '机密',
      boundHost: null,
      owner: '检查组',
      status: 'active',
      registeredBy: '保密员',
      registeredAt: '2026-11-01',
      role: 'inspection',
    },
  };
}

/** A log of 1,000,000 events (office days, batched), exported whole; then verified as the collector would. */
async function millionExport(root: string): Promise<void> {
  const { ledger, identity, clock } = await hostLedger(path.join(root, 'million'), 'pc-big', randomBytes(16).toString('hex'));
  const start = Date.parse('2020-01-01T00:30:00Z');
  const build = timed(() => {
    let day = 0;
    while (ledger.tail().seq < MILLION) {
      let left = MILLION - ledger.tail().seq;
      ledger.write((w) => {
        for (let week = 0; week < 7; week++, day++) officeDay(start + day * 86_400_000, day, clock, (e) => left-- > 0 && w.append(e));
      });
    }
    return day;
  });
  line(`build a log of ${MILLION.toLocaleString('en')} events`, `${formatMs(build.ms)}  (${build.value} office days)`);
  const out = path.join(root, 'million-stick');
  fs.mkdirSync(out);
  clock.ms = start + build.value * 86_400_000;
  const exported = timed(() => exportBundle({ ledger, identity, policy: builtinPolicy(), medium: medium(out), now: () => new Date(clock.ms) }));
  ledger.close();
  const files = fs.readdirSync(exported.value.dir).map((f) => `${f} ${mib(fileSize(path.join(exported.value.dir, f)))}`);
  line(`export ${MILLION.toLocaleString('en')} events`, `${formatMs(exported.ms)}, ${formatMs(exported.cpuMs)} CPU  (bundle ${mib(dirSize(exported.value.dir))}: ${files.join(', ')})`);
  const verified = timed(() => verifyBundle(exported.value.dir));
  if (verified.value.checks.length > 0) throw new Error(`verify: ${verified.value.checks.map((c) => c.kind).join(', ')}`);
  line(`verify that bundle (collector)`, `${formatMs(verified.ms)}, ${formatMs(verified.cpuMs)} CPU  (${rate(MILLION, verified.ms)} events/s)`);
}

/** Wall time, and CPU time of all threads (on a shared machine the wall time also measures the neighbours). */
async function timedAsync<T>(work: () => Promise<T>): Promise<{ value: T; ms: number; cpuMs: number }> {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const value = await work();
  const used = process.cpuUsage(cpu);
  return { value, ms: performance.now() - start, cpuMs: (used.user + used.system) / 1000 };
}

function timed<T>(work: () => T): { value: T; ms: number; cpuMs: number } {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const value = work();
  const used = process.cpuUsage(cpu);
  return { value, ms: performance.now() - start, cpuMs: (used.user + used.system) / 1000 };
}

function fileSize(file: string): number {
  return fs.existsSync(file) ? fs.statSync(file).size : 0;
}

function dirSize(dir: string): number {
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true }).reduce((sum, e) => sum + (e.isFile() ? fs.statSync(path.join(e.parentPath, e.name)).size : 0), 0);
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const kib = (chars: number) => `${(chars / 1024).toFixed(0)} KiB`;
const rate = (events: number, ms: number) => Math.round((events / ms) * 1000).toLocaleString('en');

function line(name: string, figure: string): void {
  process.stdout.write(`${name.padEnd(48)} ${figure}\n`);
}
