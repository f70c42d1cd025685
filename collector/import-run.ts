import path from 'node:path';
import { MANIFEST_FILE } from '../agent/export/bundle.js';
import { storeOf } from './archive-store.js';
import type { Db } from './archive.js';
import { readSmallFile } from './bundle-files.js';
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
 * (last seq, then export time), so a stick that carries several rounds imports them as a
 * sequence rather than as replays of each other.
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
}

/** A first look at each manifest, for the order only (the import verifies everything). */
function order(dirs: readonly string[]): Peek[] {
  const peeks = dirs.map((dir): Peek => {
    const fallback = { dir, host: hostOfPath(dir) ?? path.basename(dir), lastSeq: Number.MAX_SAFE_INTEGER, createdAt: '' };
    try {
      const m = JSON.parse(readSmallFile(dir, MANIFEST_FILE, 1 << 20).toString('utf8')) as { host?: { id?: unknown }; ledger?: { lastSeq?: unknown }; createdAt?: unknown };
      return {
        dir,
        host: typeof m.host?.id === 'string' ? m.host.id : fallback.host,
        lastSeq: typeof m.ledger?.lastSeq === 'number' ? m.ledger.lastSeq : fallback.lastSeq,
        createdAt: typeof m.createdAt === 'string' ? m.createdAt : '',
      };
    } catch {
      return fallback;
    }
  });
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return peeks.sort((a, b) => cmp(a.host, b.host) || a.lastSeq - b.lastSeq || cmp(a.createdAt, b.createdAt) || cmp(a.dir, b.dir));
}
