import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { LedgerEventInput } from '../../agent/ledger/events.js';
import { Ledger } from '../../agent/ledger/ledger.js';
import { ledgerFiles, verifyLedger } from '../../agent/ledger/verify.js';
import { formatMs } from './measure.js';

/**
 * The violation log: append rate with one event per transaction (synchronous=FULL: an fsync per
 * commit) and batched, then a log of 1,000,000 events — how long it takes to build, its size,
 * and how long `verify` takes (the goal: ≤ 2 s). Runs in a temporary directory on the same
 * file system as os.tmpdir(); the figures depend on its disk.
 */

const MILLION = 1_000_000;
const BATCH = 1000;

export async function run(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'baomi-bench-ledger-'));
  try {
    await appendRates(path.join(root, 'rates'));
    await million(path.join(root, 'million'));
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

async function appendRates(stateDir: string): Promise<void> {
  const ledger = await Ledger.open({ stateDir });
  const events = mix();
  let n = 0;
  const single = timed(() => {
    const until = performance.now() + 3000;
    while (performance.now() < until) ledger.append(events[n++ % events.length]!);
    return n;
  });
  line('append, 1 event per transaction', `${rate(single.value, single.ms)} events/s  (${single.value} events, ${formatMs(single.ms / single.value)} each)`);
  const batches = 100;
  const batched = timed(() => {
    for (let b = 0; b < batches; b++) ledger.appendAll(batchOf(events, b * BATCH));
    return batches * BATCH;
  });
  line(`append, ${BATCH} events per transaction`, `${rate(batched.value, batched.ms)} events/s  (${batched.value} events)`);
  ledger.close();
}

async function million(stateDir: string): Promise<void> {
  const ledger = await Ledger.open({ stateDir });
  const events = mix();
  const build = timed(() => {
    for (let done = 0; done < MILLION; done += BATCH) ledger.appendAll(batchOf(events, done));
    return MILLION;
  });
  const checkpoints = ledger.db.prepare(`SELECT count(*) FROM checkpoints`).pluck().get() as number;
  ledger.close(); // checkpoints the WAL into the database file
  line(`build ${MILLION.toLocaleString('en')} events (batched)`, `${formatMs(build.ms)}  (${rate(MILLION, build.ms)} events/s, ${checkpoints} signed checkpoints)`);

  const { file, headFile } = ledgerFiles(stateDir);
  const bytes = ['', '-wal', '-shm'].reduce((sum, suffix) => sum + (fs.existsSync(file + suffix) ? fs.statSync(file + suffix).size : 0), 0);
  line(`database size per ${MILLION.toLocaleString('en')} events`, `${(bytes / 1024 / 1024).toFixed(0)} MiB  (${(bytes / MILLION).toFixed(0)} bytes/event)`);

  const { loadAgentKey } = await import('../../agent/state/agent-key.js');
  const key = loadAgentKey(stateDir);
  // CPU time (all threads) beside wall time: on a shared machine the wall time says more about the neighbours.
  for (const threads of [undefined, 1]) {
    const runs: { wall: number; cpu: number }[] = [];
    let threadsUsed = 0;
    for (let i = 0; i < 3; i++) {
      const start = performance.now();
      const cpu = process.cpuUsage();
      const result = await verifyLedger({ file, headFile, key, threads });
      const used = process.cpuUsage(cpu);
      runs.push({ wall: performance.now() - start, cpu: (used.user + used.system) / 1000 });
      if (!result.ok || result.events !== MILLION) throw new Error(`verify failed: ${JSON.stringify(result.failure)}`);
      threadsUsed = result.threads;
    }
    runs.sort((a, b) => a.wall - b.wall);
    line(
      `verify ${MILLION.toLocaleString('en')} events, ${threadsUsed} thread${threadsUsed > 1 ? 's' : ''}`,
      `median ${formatMs(runs[1]!.wall)} wall, ${formatMs(runs[1]!.cpu)} CPU  (walls: ${runs.map((r) => formatMs(r.wall)).join(', ')}; goal ≤ 2 s)`,
    );
  }
  const load = os.loadavg()[0]!;
  line('machine', `${os.availableParallelism()} CPUs, load average ${load.toFixed(2)} at the end`);
}

/** A day in a log: mostly scans, some violations opened and resolved. */
function mix(): LedgerEventInput[] {
  const opened: LedgerEventInput = {
    type: 'violation.opened',
    payload: {
      rule: 'MEDIA-UNREGISTERED',
      severity: 'critical',
      findingId: 'usb:0781:5581:4C530001230803115325',
      findingKind: 'removable-storage',
      citation: 'T3 第十条; T1 五.2',
      title: { zh: '使用了未登记的移动存储介质', en: 'Unregistered removable storage medium' },
      evidence: { device: 'SanDisk Ultra 0781:5581 S/N 4C530001230803115325 (sdb, 30.8 GB)', reason: { zh: '该U盘未在保密介质登记册中登记', en: 'this USB drive is not in the media registry' } },
    },
  };
  const resolved: LedgerEventInput = { type: 'violation.resolved', payload: { rule: 'MEDIA-UNREGISTERED', findingId: 'usb:0781:5581:4C530001230803115325', openedSeq: 123456 } };
  const scan: LedgerEventInput = {
    type: 'scan.completed',
    payload: {
      scope: 'full',
      startedAt: '2025-04-30T01:00:00.000Z',
      probes: { audio: 1, bluetooth: 0, disks: 1, network: 2, printers: 1, software: 1, storage: 1, usb: 4, video: 1 },
      durationMs: 23.4,
      findings: 12,
      violationsOpen: 1,
      policy: { id: 'cn-office-standalone', version: 3, sha256: 'c'.repeat(64) },
    },
  };
  return [scan, scan, opened, scan, resolved, scan, scan, opened, scan, resolved];
}

function batchOf(events: LedgerEventInput[], offset: number): LedgerEventInput[] {
  return Array.from({ length: BATCH }, (_, i) => events[(offset + i) % events.length]!);
}

function timed<T>(work: () => T): { value: T; ms: number } {
  const start = performance.now();
  const value = work();
  return { value, ms: performance.now() - start };
}

function rate(events: number, ms: number): string {
  return Math.round((events / ms) * 1000).toLocaleString('en');
}

function line(name: string, figure: string): void {
  process.stdout.write(`${name.padEnd(40)} ${figure}\n`);
}
