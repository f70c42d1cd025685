import path from 'node:path';
import type { FindingOf } from '../findings/schema.js';
import type { FimStore } from './store.js';
import type { WorkingHours } from './working-hours.js';

/**
 * The pass against the baseline, in SQL (the sets never come into memory, only the differences):
 *
 *   changed   in both, another hash (a file whose times changed but not its contents is not a change);
 *   moved     a hash that left one path and arrived at another: a `moved` finding instead of
 *             `deleted` + `added`. When several files with the same hash left and arrived, they are
 *             paired in path order (the 1st that left with the 1st that arrived, …) and the rest are
 *             added or deleted. Empty files are never paired: all of them share one hash, and a
 *             "move" of an empty file would be a guess;
 *   added / deleted   the rest.
 *
 * In order of path, then kind: the same trees give the same findings in the same order.
 */

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

type Row = [change: 'added' | 'changed' | 'moved' | 'deleted', rel: string, previous: string | null, size: bigint, mtimeNs: bigint, sha256: string | null, previousSha256: string | null];

export function diffAgainstBaseline(store: FimStore, folder: string, root: { join(rel: string): string }, hours: WorkingHours): FindingOf<'file-change'>[] {
  const s = store.pass;
  const rows = store.db
    .prepare(
      `WITH
        b AS (SELECT path, size, mtime_ns, sha256 FROM main.baseline_files WHERE folder = $folder),
        p AS (SELECT path, size, mtime_ns, sha256 FROM ${s}.pass_files WHERE folder = $folder),
        added AS (SELECT * FROM p WHERE NOT EXISTS (SELECT 1 FROM main.baseline_files AS x WHERE x.folder = $folder AND x.path = p.path)),
        deleted AS (SELECT * FROM b WHERE NOT EXISTS (SELECT 1 FROM ${s}.pass_files AS x WHERE x.folder = $folder AND x.path = b.path)),
        a AS (SELECT *, row_number() OVER (PARTITION BY sha256 ORDER BY path) AS n FROM added WHERE sha256 <> $empty),
        d AS (SELECT *, row_number() OVER (PARTITION BY sha256 ORDER BY path) AS n FROM deleted WHERE sha256 <> $empty),
        moved AS MATERIALIZED (SELECT a.path, d.path AS previous, a.size, a.mtime_ns, a.sha256 FROM a JOIN d ON a.sha256 = d.sha256 AND a.n = d.n)
      SELECT 'moved', path, previous, size, mtime_ns, sha256, sha256 FROM moved
      UNION ALL
      SELECT 'added', path, NULL, size, mtime_ns, sha256, NULL FROM added WHERE path NOT IN (SELECT path FROM moved)
      UNION ALL
      SELECT 'deleted', path, NULL, size, mtime_ns, NULL, sha256 FROM deleted WHERE path NOT IN (SELECT previous FROM moved)
      UNION ALL
      SELECT 'changed', p.path, NULL, p.size, p.mtime_ns, p.sha256, b.sha256 FROM p JOIN main.baseline_files AS b ON b.folder = $folder AND b.path = p.path WHERE p.sha256 <> b.sha256
      ORDER BY 2, 1`,
    )
    .raw()
    .safeIntegers();
  const findings: FindingOf<'file-change'>[] = [];
  for (const [change, rel, previous, size, mtimeNs, sha256, previousSha256] of rows.iterate({ folder, empty: EMPTY_SHA256 }) as IterableIterator<Row>) {
    const hostPath = root.join(rel);
    const mtime = new Date(Number(mtimeNs / 1_000_000n));
    const valid = !Number.isNaN(mtime.getTime());
    findings.push({
      id: `file:${folder}:${hostPath}`,
      kind: 'file-change',
      folder,
      change,
      path: hostPath,
      previousPath: previous === null ? null : root.join(previous),
      sizeBytes: Number(size),
      mtime: valid ? mtime.toISOString() : null,
      sha256,
      previousSha256,
      // A deletion has no time of its own (the mtime is the file's last known one); every deletion is reported anyway.
      offHours: change !== 'deleted' && valid && hours.isOffHours(mtime),
    });
  }
  return findings;
}

/** Host paths of a folder's entries: the folder as the policy names it, then the relative path. */
export function hostPaths(folder: string): { join(rel: string): string } {
  const join = /^[A-Za-z]:\\/.test(folder) ? path.win32.join : path.posix.join;
  return { join: (rel) => join(folder, rel) };
}
