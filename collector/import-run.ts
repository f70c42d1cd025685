import path from 'node:path';
import { MANIFEST_FILE } from '../agent/export/bundle.js';
import { storeOf } from './archive-store.js';
import type { Db } from './archive.js';
import { readFirstLine, readSmallFile } from './bundle-files.js';
import { findBundles, hostOfPath } from './find-bundles.js';
import { importBundle, type ImportOptions, type ImportOutcome } from './import-bundle.js';
import { check, type Problem } from './problems.js';
import type { PreVerified } from './pre-verify.js';
import { VerifyPool } from './verify-pool.js';

export interface ImportRun {
  outcomes: ImportOutcome[];
  /** Interrupted exports and links found on the media (not bundles, but reported). */
  notices: Problem[];
}

/**
 * Import every bundle found under the paths. Bundles of one host go in the order of their logs
 * (epoch, last seq, then export time: see `order`), so a stick that carries several rounds
 * imports them as a sequence rather than as replays of each other.
 */
export async function importPaths(db: Db, paths: readonly string[], options: ImportOptions): Promise<ImportRun> {
  const found = findBundles(paths);
  const now = (options.now ?? (() => new Date()))().toISOString();
  const notices: Problem[] = found.notices.map((n) => ({
    ...(n.kind === 'interrupted-export'
      ? check('interrupted-export', '导出中断留下的 .partial- 目录:不是完整检查包,未导入;请重新导出', 'a .partial- directory left by an interrupted export: not a bundle, not imported; export again', n.path)
      : check('symlink', '介质上的符号链接:未跟随,未导入', 'a symbolic link on the medium: not followed, not imported', n.path)),
    host: n.host,
    bundle: n.path,
    time: now,
  }));
  const store = storeOf(db);
  db.transaction(() => notices.forEach((p) => store.insertProblem(p, null))).immediate();

  const ordered = order(found.bundles);
  const bar = options.progress?.(ordered.length);
  const outcomes: ImportOutcome[] = [];
  const pool = ordered.length > 1 ? VerifyPool.create() : null;
  const ahead: (Promise<PreVerified | undefined> | undefined)[] = [];
  const submit = (i: number) => {
    const dir = ordered[i]?.dir;
    if (dir !== undefined && pool) ahead[i] = pool.verify(dir, MAX_PREVERIFIED_BYTES).catch(() => undefined);
  };
  try {
    for (let i = 0; i < Math.min(LOOKAHEAD, ordered.length); i++) submit(i);
    for (const [i, { dir, host }] of ordered.entries()) {
      const pre = await ahead[i];
      ahead[i] = undefined;
      submit(i + LOOKAHEAD);
      outcomes.push(importBundle(db, dir, options, pre));
      bar?.tick(host);
    }
  } finally {
    await pool?.close();
  }
  bar?.done();
  return { outcomes, notices };
}

/** Bundles verified ahead in the pool (each held in memory until stored); larger ones stream. */
const LOOKAHEAD = 8;
const MAX_PREVERIFIED_BYTES = 16 << 20;

interface Peek {
  dir: string;
  host: string;
  lastSeq: number;
  createdAt: string;
  /** The time of its seq 1 when that is ledger.recovered: the bundle is of a chain begun then. */
  recoveredAt: string | null;
}

/**
 * A first look at each manifest (and the first event line), for the order only — the import
 * verifies everything. Per host: by epoch, then last seq, then export time. An epoch is known
 * by the ledger.recovered that begins it: a bundle starting with one is of the chain begun at its
 * time; another bundle is of the newest such chain begun before it was exported (none: the chain
 * the host had before any recovery on this medium). So the old chain's bundles go in before the
 * new chain's, whose seqs start again from 1.
 */
function order(dirs: readonly string[]): Peek[] {
  const peeks = dirs.map((dir): Peek => {
    const fallback = { dir, host: hostOfPath(dir) ?? path.basename(dir), lastSeq: Number.MAX_SAFE_INTEGER, createdAt: '', recoveredAt: null };
    try {
      const m = JSON.parse(readSmallFile(dir, MANIFEST_FILE, 1 << 20).toString('utf8')) as { host?: { id?: unknown }; ledger?: { lastSeq?: unknown }; createdAt?: unknown };
      return {
        dir,
        host: typeof m.host?.id === 'string' ? m.host.id : fallback.host,
        lastSeq: typeof m.ledger?.lastSeq === 'number' ? m.ledger.lastSeq : fallback.lastSeq,
        createdAt: typeof m.createdAt === 'string' ? m.createdAt : '',
        recoveredAt: recoveredAt(dir),
      };
    } catch {
      return fallback;
    }
  });
  const recoveries = new Map<string, string[]>();
  for (const p of peeks) if (p.recoveredAt !== null) recoveries.set(p.host, [...(recoveries.get(p.host) ?? []), p.recoveredAt]);
  const epochOf = (p: Peek) => p.recoveredAt ?? (recoveries.get(p.host) ?? []).filter((t) => t <= p.createdAt).sort().at(-1) ?? '';
  const epochs = new Map(peeks.map((p) => [p, epochOf(p)]));
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return peeks.sort((a, b) => cmp(a.host, b.host) || cmp(epochs.get(a)!, epochs.get(b)!) || a.lastSeq - b.lastSeq || cmp(a.createdAt, b.createdAt) || cmp(a.dir, b.dir));
}

/** The time of a bundle's first event when it is seq 1 ledger.recovered (a peek: the import verifies it). */
function recoveredAt(dir: string): string | null {
  try {
    const line = readFirstLine(dir, 'events.ndjson', 16 << 10);
    if (line === undefined || !line.includes('"ledger.recovered"')) return null;
    const e = JSON.parse(line) as { seq?: unknown; type?: unknown; time?: unknown };
    return e.seq === 1 && e.type === 'ledger.recovered' && typeof e.time === 'string' ? e.time : null;
  } catch {
    return null;
  }
}
