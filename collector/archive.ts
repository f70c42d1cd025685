import path from 'node:path';
import Database from 'better-sqlite3';
import { tighten, touchPrivate } from '../agent/state/state-dir.js';

/**
 * The collector's own archive: one SQLite file on the inspector's machine (0600, WAL).
 *
 *   hosts       each inspected computer: its enrolled agent key (first import) and how far its
 *               log is archived (last seq and hash)
 *   bundles     every bundle met: imported, a harmless duplicate, or refused (with its manifest)
 *   events      the verified log of each host: (host, seq) → the canonical body and hash(seq)
 *   violations  derived from violation.opened / violation.resolved, for the report
 *   gaps        derived from the agent.* events (agent/ledger/heartbeat-gaps.ts)
 *   problems    everything found wrong, per host, with its evidence — also for refused bundles
 *
 * One transaction per bundle: a bundle is archived whole or not at all.
 */

export const ARCHIVE_FORMAT = 'baomi.archive/1';
export const DEFAULT_ARCHIVE = 'baomi-archive.db';

const SCHEMA = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE hosts (
  id TEXT PRIMARY KEY, hostname TEXT NOT NULL, machine_id TEXT, os TEXT NOT NULL,
  class TEXT, department TEXT, owner TEXT,
  fingerprint TEXT NOT NULL, public_key BLOB NOT NULL, enrolled_at TEXT NOT NULL,
  last_seq INTEGER NOT NULL, last_hash BLOB NOT NULL);
CREATE INDEX hosts_key ON hosts(public_key);
CREATE TABLE bundles (
  id INTEGER PRIMARY KEY, host_id TEXT, path TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('imported', 'duplicate', 'refused')),
  manifest_sha256 TEXT, manifest TEXT, created_at TEXT, first_seq INTEGER, last_seq INTEGER,
  new_events INTEGER NOT NULL DEFAULT 0, imported_at TEXT NOT NULL);
CREATE INDEX bundles_host ON bundles(host_id, status, last_seq);
CREATE TABLE events (
  host_id TEXT NOT NULL, seq INTEGER NOT NULL, type TEXT NOT NULL, time TEXT NOT NULL,
  body TEXT NOT NULL, hash BLOB NOT NULL, bundle_id INTEGER NOT NULL, PRIMARY KEY (host_id, seq)) WITHOUT ROWID;
CREATE INDEX events_agent ON events(host_id, seq) WHERE type IN ('agent.started', 'agent.stopped');
CREATE TABLE violations (
  host_id TEXT NOT NULL, opened_seq INTEGER NOT NULL, opened_at TEXT NOT NULL,
  rule TEXT NOT NULL, severity TEXT NOT NULL, finding_id TEXT NOT NULL,
  title_zh TEXT NOT NULL, title_en TEXT NOT NULL, citation TEXT NOT NULL,
  device TEXT NOT NULL, reason_zh TEXT NOT NULL, reason_en TEXT NOT NULL,
  resolved_seq INTEGER, resolved_at TEXT, PRIMARY KEY (host_id, opened_seq)) WITHOUT ROWID;
CREATE TABLE gaps (
  host_id TEXT NOT NULL, kind TEXT NOT NULL, from_seq INTEGER NOT NULL, to_seq INTEGER NOT NULL,
  from_time TEXT NOT NULL, to_time TEXT NOT NULL, minutes INTEGER NOT NULL,
  PRIMARY KEY (host_id, from_seq, to_seq)) WITHOUT ROWID;
CREATE TABLE problems (
  id INTEGER PRIMARY KEY, host_id TEXT, bundle_path TEXT NOT NULL, bundle_id INTEGER,
  kind TEXT NOT NULL, detail_zh TEXT NOT NULL, detail_en TEXT NOT NULL, evidence TEXT NOT NULL, time TEXT NOT NULL);
CREATE INDEX problems_host ON problems(host_id, time);
`;

export type Db = Database.Database;

export class ArchiveError extends Error {}

/** Open (creating if need be) an archive for writing. */
export function openArchive(file: string): Db {
  const resolved = path.resolve(file);
  touchPrivate(resolved);
  const db = new Database(resolved, { timeout: 10_000 });
  try {
    db.pragma('trusted_schema = OFF');
    db.pragma('page_size = 16384'); // only takes effect on a new file: the events are ~500-byte rows
    db.transaction(() => {
      const tables = db.prepare(`SELECT count(*) FROM sqlite_schema`).pluck().get() as number;
      if (tables === 0) {
        db.exec(SCHEMA);
        db.prepare(`INSERT INTO meta (key, value) VALUES ('format', ?), ('created', ?)`).run(ARCHIVE_FORMAT, new Date().toISOString());
      }
    }).immediate();
    checkFormat(db, resolved); // before changing anything in a file that is not ours
    db.pragma('journal_mode = WAL');
    // One commit per bundle: NORMAL does not fsync each one (a power cut may lose the last
    // imports, never half of one, and importing them again is harmless); FULL made 1,000
    // bundles three times slower. Fewer, larger checkpoints for the same reason.
    db.pragma('synchronous = NORMAL');
    db.pragma('wal_autocheckpoint = 4096');
    for (const suffix of ['-wal', '-shm']) tighten(resolved + suffix);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/** Open an existing archive for reading only (report, hosts). */
export function openArchiveReadonly(file: string): Db {
  let db: Db;
  try {
    db = new Database(path.resolve(file), { readonly: true, fileMustExist: true, timeout: 10_000 });
  } catch (error) {
    throw new ArchiveError(`${file}: 无法打开归档 / cannot open the archive (${(error as Error).message})`);
  }
  try {
    db.pragma('trusted_schema = OFF');
    checkFormat(db, file);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

function checkFormat(db: Db, file: string): void {
  let format: unknown;
  try {
    format = db.prepare(`SELECT value FROM meta WHERE key = 'format'`).pluck().get();
  } catch {
    format = undefined;
  }
  if (format !== ARCHIVE_FORMAT) throw new ArchiveError(`${file}: 不是 baomi 归档 / not a baomi archive (${ARCHIVE_FORMAT})`);
}
