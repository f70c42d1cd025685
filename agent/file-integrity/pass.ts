import path from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { FileHasher } from './hash-file.js';
import type { FimStore } from './store.js';
import { walkFolder, type WalkCounts } from './walk.js';

/**
 * One look at a folder: walk it into `pass_files`, then hash what needs hashing. Memory stays
 * bounded: the walk writes in transactions of BATCH rows, the hashing reads BATCH unhashed rows at a
 * time, and neither keeps more than a batch in memory.
 *
 * Resumable. A killed pass leaves its rows (and the hashes written so far) behind. The next run
 * walks again (only lstat: cheap) in a new generation; a row whose size, mtime, ctime and inode are
 * unchanged keeps its hash, any other loses it; rows of files no longer there are dropped at the
 * end of the walk. So a hashed file is not hashed again, and what changed meanwhile is.
 *
 * A hash is also taken over from a trusted baseline (its digest checked against the violation
 * log) when size, mtime (ns), ctime (ns) and inode are all unchanged: `touch -d` can set the mtime
 * back, but not the ctime, which the kernel sets to now on every change.
 */

const BATCH = 1000;
const PROGRESS_EVERY = 256;

export type Phase = 'walk' | 'hash' | 'compare' | 'done';
export type Progress = (p: { folder: string; files: number; bytes: number; phase: Phase }) => void;

export interface PassStats {
  files: number;
  skipped: number;
  /** Files read and hashed by this run. */
  hashed: number;
  /** Hashes taken over from the baseline without reading the file. */
  reused: number;
  /** The run continued a pass a previous run had not finished. */
  resumed: boolean;
}

export interface PassOptions {
  store: FimStore;
  folder: string;
  /** The folder on this machine's file system (host.path(folder)). */
  root: string;
  reuseBaseline: boolean;
  now: Date;
  progress?: Progress;
  signal?: AbortSignal;
}

export async function runPass(options: PassOptions): Promise<PassStats> {
  const { store, folder, signal } = options;
  const { db } = store;
  const s = store.pass;
  const report = options.progress ?? (() => undefined);
  const previous = db.prepare(`SELECT generation FROM ${s}.passes WHERE folder = ?`).pluck().get(folder) as number | undefined;
  const generation = (previous ?? 0) + 1;
  db.prepare(
    `INSERT INTO ${s}.passes (folder, generation, state, skipped, started) VALUES (?, ?, 'walk', 0, ?)
     ON CONFLICT (folder) DO UPDATE SET generation = excluded.generation, state = 'walk', skipped = 0`,
  ).run(folder, generation, options.now.toISOString());

  // Walk.
  const upsert = db.prepare(
    `INSERT INTO ${s}.pass_files (folder, path, size, mtime_ns, ctime_ns, ino, sha256, generation) VALUES (?, ?, ?, ?, ?, ?, NULL, ?)
     ON CONFLICT (folder, path) DO UPDATE SET
       sha256 = CASE WHEN size = excluded.size AND mtime_ns = excluded.mtime_ns AND ctime_ns = excluded.ctime_ns AND ino = excluded.ino THEN sha256 END,
       size = excluded.size, mtime_ns = excluded.mtime_ns, ctime_ns = excluded.ctime_ns, ino = excluded.ino, generation = excluded.generation`,
  );
  const counts: WalkCounts = { files: 0, skipped: 0 };
  let batch: [string, bigint, bigint, bigint, bigint][] = [];
  let bytes = 0;
  const writeBatch = db.transaction((rows: typeof batch) => {
    for (const [rel, size, mtime, ctime, ino] of rows) upsert.run(folder, rel, size, mtime, ctime, ino, generation);
  });
  for await (const { rel, stat } of walkFolder(options.root, counts, signal)) {
    batch.push([rel, stat.size, stat.mtimeNs, stat.ctimeNs, stat.ino]);
    bytes += Number(stat.size);
    if (batch.length >= BATCH) {
      writeBatch(batch);
      batch = [];
    }
    if (counts.files % PROGRESS_EVERY === 0) report({ folder, files: counts.files, bytes, phase: 'walk' });
  }
  writeBatch(batch);
  batch = [];
  db.transaction(() => {
    db.prepare(`DELETE FROM ${s}.pass_files WHERE folder = ? AND generation < ?`).run(folder, generation);
    db.prepare(`UPDATE ${s}.passes SET state = 'hash', skipped = ? WHERE folder = ?`).run(counts.skipped, folder);
  })();
  report({ folder, files: counts.files, bytes, phase: 'walk' });

  // Hashes unchanged since the (trusted) baseline.
  let reused = 0;
  if (options.reuseBaseline) {
    reused = db
      .prepare(
        `UPDATE ${s}.pass_files AS p SET sha256 = b.sha256 FROM main.baseline_files AS b
         WHERE p.folder = ? AND p.sha256 IS NULL AND b.folder = p.folder AND b.path = p.path
           AND b.size = p.size AND b.mtime_ns = p.mtime_ns AND b.ctime_ns = p.ctime_ns AND b.ino = p.ino`,
      )
      .run(folder).changes;
  }

  // Hash the rest, a batch at a time; each batch is committed before the next (or before an abort propagates).
  const hasher = new FileHasher();
  const next = db.prepare(`SELECT path FROM ${s}.pass_files WHERE folder = ? AND sha256 IS NULL AND path > ? ORDER BY path LIMIT ${BATCH}`).pluck();
  const setHash = db.prepare(`UPDATE ${s}.pass_files SET sha256 = ? WHERE folder = ? AND path = ?`);
  const drop = db.prepare(`DELETE FROM ${s}.pass_files WHERE folder = ? AND path = ?`);
  const addSkipped = db.prepare(`UPDATE ${s}.passes SET skipped = skipped + ? WHERE folder = ?`);
  const commit = db.transaction((done: [string, string | undefined][]) => {
    let unreadable = 0;
    for (const [rel, sha256] of done) {
      if (sha256 === undefined) {
        drop.run(folder, rel);
        unreadable++;
      } else {
        setHash.run(sha256, folder, rel);
      }
    }
    if (unreadable > 0) addSkipped.run(unreadable, folder);
  });
  let hashed = 0;
  let hashedBytes = 0;
  let after = '';
  for (;;) {
    const paths = next.all(folder, after) as string[];
    if (paths.length === 0) break;
    const done: [string, string | undefined][] = [];
    try {
      for (const rel of paths) {
        signal?.throwIfAborted();
        const result = await hasher.hash(path.join(options.root, rel), signal);
        done.push([rel, result?.sha256]);
        if (result !== undefined) {
          hashed++;
          hashedBytes += result.bytes;
        }
        if (hashed % PROGRESS_EVERY === 0 && result !== undefined) {
          report({ folder, files: hashed, bytes: hashedBytes, phase: 'hash' });
          await yieldToLoop(); // the reads are synchronous (hash-file.ts): let timers and the signal in
        }
      }
    } finally {
      commit(done);
    }
    after = paths[paths.length - 1]!;
  }
  db.prepare(`UPDATE ${s}.passes SET state = 'hashed' WHERE folder = ?`).run(folder);
  report({ folder, files: hashed, bytes: hashedBytes, phase: 'hash' });
  const files = db.prepare(`SELECT count(*) FROM ${s}.pass_files WHERE folder = ?`).pluck().get(folder) as number;
  const skipped = db.prepare(`SELECT skipped FROM ${s}.passes WHERE folder = ?`).pluck().get(folder) as number;
  return { files, skipped, hashed, reused, resumed: previous !== undefined };
}

/** The pass is used up (compared, or made the baseline): forget it. */
export function endPass(store: FimStore, folder: string): void {
  store.db.transaction(() => {
    store.db.prepare(`DELETE FROM ${store.pass}.pass_files WHERE folder = ?`).run(folder);
    store.db.prepare(`DELETE FROM ${store.pass}.passes WHERE folder = ?`).run(folder);
  })();
}
