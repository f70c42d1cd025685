import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { checkWatchedFolders } from '../../agent/file-integrity/check-watched-folders.js';
import { HostRoot } from '../../agent/host-root.js';
import { formatMs } from './measure.js';

/**
 * FILE-INTEGRITY on a watched folder of 100,000 files (100 folders of 1,000, 0–8 KiB each, about
 * 400 MiB): making the baseline, rescanning it unchanged, and rescanning it with 1 % of the files
 * rewritten. Each run is a child process of its own, so that its peak RSS
 * (process.resourceUsage().maxRSS) is that phase's alone; the peak V8 heap is sampled during the
 * run. Medians of RUNS runs; then the store with a rollback journal throughout instead of WAL,
 * once. The tree is freshly written, so its files are in the page cache: a cold disk reads slower.
 */

const FILES = 100_000;
const PER_DIR = 1000;
const RUNS = 3;
const FOLDER = '/data/watched';

interface ChildReport {
  ms: number;
  maxRssMiB: number;
  peakHeapMiB: number;
  files: number;
  hashed: number;
  reused: number;
  changes: number;
  digest: string | null;
}

type Phase = 'create' | 'unchanged' | 'changed';

export async function run(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'baomi-bench-fim-'));
  try {
    const made = timed(() => makeTree(path.join(root, 'host', FOLDER)));
    line(`write the tree (${FILES.toLocaleString('en')} files)`, `${formatMs(made.ms)}  (${(made.value / 1024 / 1024).toFixed(0)} MiB)`);
    for (const journal of ['wal', 'delete'] as const) {
      const runs = journal === 'wal' ? RUNS : 1;
      process.stdout.write(`-- store journal: ${journal === 'wal' ? 'WAL while writing (the default)' : 'rollback journal throughout'}, ${runs} run(s) each, median --\n`);
      const state = path.join(root, `state-${journal}`);
      let digest = '';
      const results: Record<Phase, ChildReport[]> = { create: [], unchanged: [], changed: [] };
      for (let i = 0; i < runs; i++) {
        fs.rmSync(state, { recursive: true, force: true });
        const created = child(root, state, 'create', journal, '');
        digest = created.digest!;
        results.create.push(created);
      }
      for (let i = 0; i < runs; i++) results.unchanged.push(child(root, state, 'unchanged', journal, digest));
      const rewritten = rewriteOnePercent(path.join(root, 'host', FOLDER), journal === 'wal' ? 1 : 2);
      for (let i = 0; i < runs; i++) results.changed.push(child(root, state, 'changed', journal, digest));
      for (const phase of ['create', 'unchanged', 'changed'] as const) {
        const m = median(results[phase]);
        const name = phase === 'create' ? 'baseline creation' : phase === 'unchanged' ? 'rescan, unchanged' : `rescan, 1 % changed (${rewritten})`;
        line(name, `${formatMs(m.ms).padStart(9)}  peak RSS ${m.maxRssMiB.toFixed(0)} MiB  peak heap ${m.peakHeapMiB.toFixed(0)} MiB  (hashed ${m.hashed}, reused ${m.reused}, findings ${m.changes})`);
      }
      const db = path.join(state, 'file-integrity.db');
      line('store size', `${(fs.statSync(db).size / 1024 / 1024).toFixed(1)} MiB`);
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

function makeTree(dir: string): number {
  let bytes = 0;
  let seed = 1;
  for (let d = 0; d < FILES / PER_DIR; d++) {
    const sub = path.join(dir, `d${String(d).padStart(3, '0')}`);
    fs.mkdirSync(sub, { recursive: true });
    for (let f = 0; f < PER_DIR; f++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const size = seed % 8192;
      const data = Buffer.alloc(size, `${d}/${f} `);
      fs.writeFileSync(path.join(sub, `f${String(f).padStart(4, '0')}.txt`), data);
      bytes += size;
    }
  }
  return bytes;
}

/** Rewrite every 100th file (1,000 files): new contents, so a rescan must read them. */
function rewriteOnePercent(dir: string, generation: number): number {
  let n = 0;
  for (let i = 0; i < FILES; i += 100) {
    const file = path.join(dir, `d${String(Math.floor(i / PER_DIR)).padStart(3, '0')}`, `f${String(i % PER_DIR).padStart(4, '0')}.txt`);
    fs.appendFileSync(file, `changed ${generation}\n`);
    n++;
  }
  return n;
}

function child(root: string, state: string, phase: Phase, journal: 'delete' | 'wal', digest: string): ChildReport {
  const result = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', root, state, phase, journal, digest], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (result.status !== 0) throw new Error(`fim bench child (${phase}) failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as ChildReport;
}

async function childMain(root: string, stateDir: string, phase: Phase, journal: 'delete' | 'wal', digest: string): Promise<void> {
  let peakHeap = 0;
  const sample = () => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed));
  const timer = setInterval(sample, 20);
  const start = performance.now();
  const result = await checkWatchedFolders({
    host: new HostRoot(path.join(root, 'host')),
    stateDir,
    folders: [{ path: FOLDER }],
    workingHours: { start: '08:30', end: '17:30' },
    timezone: 'Asia/Shanghai',
    holidays: {},
    recordedDigests: new Map(phase === 'create' ? [] : [[FOLDER, digest]]),
    mode: 'compare',
    journal,
    progress: sample,
  });
  const ms = performance.now() - start;
  clearInterval(timer);
  sample();
  const pass = result.stats[0]?.pass;
  const report: ChildReport = {
    ms,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    peakHeapMiB: peakHeap / 1024 / 1024,
    files: pass?.files ?? 0,
    hashed: pass?.hashed ?? 0,
    reused: pass?.reused ?? 0,
    changes: result.findings.filter((f) => f.kind === 'file-change').length,
    digest: result.baselined[0]?.digest ?? null,
  };
  const folder = result.findings.find((f) => f.kind === 'watched-folder');
  if (folder?.kind !== 'watched-folder' || folder.state === 'baseline-tampered' || folder.state === 'missing') throw new Error(`unexpected: ${JSON.stringify(folder)}`);
  process.stdout.write(JSON.stringify(report));
}

function median(reports: ChildReport[]): ChildReport {
  return [...reports].sort((a, b) => a.ms - b.ms)[Math.floor(reports.length / 2)]!;
}

function timed<T>(work: () => T): { value: T; ms: number } {
  const start = performance.now();
  const value = work();
  return { value, ms: performance.now() - start };
}

function line(name: string, figure: string): void {
  process.stdout.write(`${name.padEnd(40)} ${figure}\n`);
}

if (process.argv[2] === '--child' && process.argv[1] === fileURLToPath(import.meta.url)) {
  const [root, state, phase, journal, digest] = process.argv.slice(3) as [string, string, Phase, 'delete' | 'wal', string];
  await childMain(root, state, phase, journal, digest);
}
