import fs from 'node:fs';
import type { FindingOf } from '../findings/schema.js';
import type { HostRoot } from '../host-root.js';
import type { HolidayTable } from '../schedule/pre-holiday.js';
import { baselineDigest } from './digest.js';
import { diffAgainstBaseline, hostPaths } from './diff.js';
import { endPass, runPass, type PassStats, type Progress } from './pass.js';
import { openStore, type FimStore } from './store.js';
import { WorkingHours } from './working-hours.js';

/**
 * FILE-INTEGRITY (T1 八.4) in the deep scan: each watched folder against its baseline (path, size,
 * mtime, SHA-256 of every file). See README "Watched folders" for the choices made.
 */

export interface WatchedFolderCheck {
  /** Folders are host paths read under host.path(...) (tests use temp trees via new HostRoot(dir)). */
  host: HostRoot;
  /** Baselines live in <stateDir>/file-integrity.db (0600). */
  stateDir: string;
  folders: readonly { path: string; label?: string }[];
  /** 'HH:MM' in `timezone`. */
  workingHours: { start: string; end: string };
  timezone: string;
  holidays: HolidayTable;
  /** Digest of each folder's latest baseline as the violation log holds it (latest files.baselined per folder). */
  recordedDigests: ReadonlyMap<string, string>;
  /** 'compare' (deep scan: first look creates the baseline), 'renew' (the officer accepts what is there now), 'read-only' (dry run: never writes). */
  mode: 'compare' | 'renew' | 'read-only';
  progress?: Progress;
  now?: () => Date;
  signal?: AbortSignal;
  /** SQLite journal of the store: WAL while writing, back to a rollback journal on close (default), or a rollback journal throughout (the benchmark compares them). */
  journal?: 'wal' | 'delete';
}

export interface WatchedFolderResult {
  findings: (FindingOf<'file-change'> | FindingOf<'watched-folder'>)[];
  /** Baselines made or renewed: the caller appends each as a files.baselined event. */
  baselined: { folder: string; files: number; digest: string; reason: 'first-scan' | 'officer' }[];
  /** What each folder's look cost (null: not walked — missing, or an untrusted baseline). */
  stats: { folder: string; pass: PassStats | null }[];
  /** The store was unusable: moved aside to `movedTo` (never deleted; null in a dry run, which moves nothing). */
  databaseSetAside: { movedTo: string | null; reason: string } | null;
}

type FolderFinding = FindingOf<'watched-folder'>;

export async function checkWatchedFolders(options: WatchedFolderCheck): Promise<WatchedFolderResult> {
  const now = options.now ?? (() => new Date());
  const hours = new WorkingHours(options.workingHours, options.timezone, options.holidays);
  const result: WatchedFolderResult = { findings: [], baselined: [], stats: [], databaseSetAside: null };
  if (options.folders.length === 0) return result;
  const store = openStore({ stateDir: options.stateDir, readOnly: options.mode === 'read-only', now: now(), journal: options.journal });
  result.databaseSetAside = store.setAside;
  try {
    const seen = new Set<string>();
    for (const { path: folder } of options.folders) {
      if (seen.has(folder)) continue;
      seen.add(folder);
      options.signal?.throwIfAborted();
      const outcome = await checkFolder(store, folder, options, hours, now);
      result.findings.push(outcome.folder, ...outcome.changes);
      result.stats.push({ folder, pass: outcome.pass });
      if (outcome.baselined) result.baselined.push(outcome.baselined);
      options.progress?.({ folder, files: outcome.folder.files, bytes: 0, phase: 'done' });
    }
  } finally {
    store.close();
  }
  return result;
}

interface FolderOutcome {
  folder: FolderFinding;
  changes: FindingOf<'file-change'>[];
  pass: PassStats | null;
  baselined?: WatchedFolderResult['baselined'][number];
}

async function checkFolder(store: FimStore, folder: string, options: WatchedFolderCheck, hours: WorkingHours, now: () => Date): Promise<FolderOutcome> {
  const root = options.host.path(folder);
  const finding = (state: FolderFinding['state'], files: number, skipped: number, baselineAt: string | null, detail: string | null): FolderFinding => ({
    id: `watched-folder:${folder}`,
    kind: 'watched-folder',
    folder,
    state,
    files,
    skipped,
    baselineAt,
    detail,
  });

  const kind = folderKind(root);
  if (kind !== 'directory') {
    const detail = kind === 'symlink' ? '是符号链接,不跟随 (a symbolic link: not followed)' : kind === 'other' ? '不是目录 (not a directory)' : '不存在 (does not exist)';
    return { folder: finding('missing', 0, 0, null, detail), changes: [], pass: null };
  }

  const baseline = store.db.prepare(`SELECT created, files, digest FROM main.baselines WHERE folder = ?`).get(folder) as { created: string; files: number; digest: string } | undefined;
  const recorded = options.recordedDigests.get(folder);
  const trust = trustOf(store, folder, baseline, recorded);
  const setAside = store.setAside ? `;基线数据库不可用 (${store.setAside.reason})${store.setAside.movedTo ? `,已移至 ${store.setAside.movedTo}` : ''}` : '';

  if (trust.state === 'tampered' && options.mode !== 'renew') {
    // Nothing is compared with a baseline that cannot be trusted; the officer renews it after looking.
    return { folder: finding('baseline-tampered', baseline?.files ?? 0, 0, baseline?.created ?? null, trust.detail + setAside), changes: [], pass: null };
  }

  const pass = await runPass({ store, folder, root, reuseBaseline: trust.state === 'trusted', now: now(), progress: options.progress, signal: options.signal });

  if (trust.state === 'trusted' && options.mode !== 'renew') {
    options.progress?.({ folder, files: pass.files, bytes: 0, phase: 'compare' });
    const changes = diffAgainstBaseline(store, folder, hostPaths(folder), hours);
    endPass(store, folder);
    return { folder: finding('verified', pass.files, pass.skipped, baseline!.created, null), changes, pass };
  }

  if (store.readOnly) {
    endPass(store, folder);
    return { folder: finding('baseline-created', pass.files, pass.skipped, null, '试运行:基线未写入 (dry run: the baseline was not written)' + setAside), changes: [], pass };
  }

  const reason = options.mode === 'renew' ? 'officer' : 'first-scan';
  const created = now().toISOString();
  const made = writeBaseline(store, folder, created, pass.skipped);
  const detail = reason === 'officer' ? '保密管理员确认并更新了基线 (the officer renewed the baseline)' : '首次检查,已建立基线 (first look: baseline made)';
  return {
    folder: finding('baseline-created', made.files, pass.skipped, created, detail + setAside),
    changes: [],
    pass,
    baselined: { folder, files: made.files, digest: made.digest, reason },
  };
}

type Trust = { state: 'trusted' } | { state: 'none' } | { state: 'tampered'; detail: string };

/**
 * A baseline is trusted only when the violation log holds its digest and the rows still give it.
 * A baseline without a recorded digest is not trusted either (the log is where a baseline is
 * vouched for: one made behind its back, or whose event was lost in a crash, waits for the
 * officer); nor is a recorded digest whose baseline is gone (a deleted or set-aside database).
 */
function trustOf(store: FimStore, folder: string, baseline: { digest: string } | undefined, recorded: string | undefined): Trust {
  if (baseline === undefined) {
    return recorded === undefined ? { state: 'none' } : { state: 'tampered', detail: '违规日志记录了基线,但基线数据库中没有 (the log records a baseline that the database does not hold)' };
  }
  if (recorded === undefined) return { state: 'tampered', detail: '基线未在违规日志中登记 (the baseline has no digest in the violation log)' };
  const { digest } = baselineDigest(store.db, folder);
  if (digest !== recorded || baseline.digest !== recorded) return { state: 'tampered', detail: '基线与违规日志中的摘要不符 (the baseline does not match the digest in the violation log)' };
  return { state: 'trusted' };
}

/** Make the pass the folder's baseline, in one transaction; returns its digest. */
function writeBaseline(store: FimStore, folder: string, created: string, skipped: number): { digest: string; files: number } {
  const { db } = store;
  return db.transaction(() => {
    db.prepare(`DELETE FROM main.baseline_files WHERE folder = ?`).run(folder);
    db.prepare(
      `INSERT INTO main.baseline_files (folder, path, size, mtime_ns, ctime_ns, ino, sha256)
       SELECT folder, path, size, mtime_ns, ctime_ns, ino, sha256 FROM ${store.pass}.pass_files WHERE folder = ? AND sha256 IS NOT NULL`,
    ).run(folder);
    const made = baselineDigest(db, folder);
    db.prepare(
      `INSERT INTO main.baselines (folder, created, files, skipped, digest) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (folder) DO UPDATE SET created = excluded.created, files = excluded.files, skipped = excluded.skipped, digest = excluded.digest`,
    ).run(folder, created, made.files, skipped, made.digest);
    db.prepare(`DELETE FROM ${store.pass}.pass_files WHERE folder = ?`).run(folder);
    db.prepare(`DELETE FROM ${store.pass}.passes WHERE folder = ?`).run(folder);
    return made;
  }).immediate();
}

function folderKind(root: string): 'directory' | 'symlink' | 'other' | 'absent' {
  try {
    const stat = fs.lstatSync(root);
    return stat.isDirectory() ? 'directory' : stat.isSymbolicLink() ? 'symlink' : 'other';
  } catch {
    return 'absent';
  }
}
