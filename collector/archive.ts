import path from 'node:path';
import Database from 'better-sqlite3';
import { tighten, touchPrivate } from '../agent/state/state-dir.js';

/**
 * The collector's own archive: one SQLite file on the inspector's machine (0600, WAL).
 *
 *   hosts       each inspected computer: its enrolled agent key (first import), its current
 *               epoch and how far that epoch's log is archived (last seq and hash)
 *   epochs      each chain of a host's log: epoch 1 from enrolment, a new one each time the agent
 *               started over (ledger.recovered), with the recovery's claim and how it was checked
 *   bundles     every bundle met: imported (into which epoch), a harmless duplicate, or refused
 *   events      the verified log of each host: (host, epoch, seq) → the canonical body and hash(seq)
 *   violations  derived from violation.opened / violation.resolved, for the report
 *   gaps        derived from the agent.* events (agent/ledger/heartbeat-gaps.ts), per epoch
 *   problems    everything found wrong, per host, with its evidence — also for refused bundles
 *
 * One transaction per bundle: a bundle is archived whole or not at all.
 */

export const ARCHIVE_FORMAT = 'baomi.archive/2';
/** The format before epochs: upgraded in place (one transaction) when first opened. */
const ARCHIVE_FORMAT_V1 = 'baomi.archive/1';
export const DEFAULT_ARCHIVE = 'baomi-archive.db';

// The tables an epoch changed, by name: the new schema and the upgrade share their definitions.
const EVENTS = (name: string) => `CREATE TABLE ${name} (
  host_id TEXT NOT NULL, epoch INTEGER NOT NULL, seq INTEGER NOT NULL, type TEXT NOT NULL, time TEXT NOT NULL,
  body TEXT NOT NULL, hash BLOB NOT NULL, bundle_id INTEGER NOT NULL, PRIMARY KEY (host_id, epoch, seq)) WITHOUT ROWID;`;
const EVENTS_INDEX = `CREATE INDEX events_agent ON events(host_id, epoch, seq) WHERE type IN ('agent.started', 'agent.stopped');`;
const VIOLATIONS = (name: string) => `CREATE TABLE ${name} (
  host_id TEXT NOT NULL, epoch INTEGER NOT NULL, opened_seq INTEGER NOT NULL, opened_at TEXT NOT NULL,
  rule TEXT NOT NULL, severity TEXT NOT NULL, finding_id TEXT NOT NULL,
  title_zh TEXT NOT NULL, title_en TEXT NOT NULL, citation TEXT NOT NULL,
  device TEXT NOT NULL, reason_zh TEXT NOT NULL, reason_en TEXT NOT NULL,
  resolved_seq INTEGER, resolved_at TEXT, PRIMARY KEY (host_id, epoch, opened_seq)) WITHOUT ROWID;`;
const GAPS = (name: string) => `CREATE TABLE ${name} (
  host_id TEXT NOT NULL, epoch INTEGER NOT NULL, kind TEXT NOT NULL, from_seq INTEGER NOT NULL, to_seq INTEGER NOT NULL,
  from_time TEXT NOT NULL, to_time TEXT NOT NULL, minutes INTEGER NOT NULL,
  PRIMARY KEY (host_id, epoch, from_seq, to_seq)) WITHOUT ROWID;`;
/**
 * recovery: the ledger.recovered payload that began the epoch (JSON), null for a log seen from its
 * start; claim: how its lastVerifiedSeq/Hash was checked (match, genesis, unverifiable, enrolment);
 * previous_last_seq: the head of the epoch it ended; kept: the archived events of that epoch after
 * lastVerifiedSeq, which the agent no longer has (the archive's copy is the evidence).
 */
const EPOCHS = `CREATE TABLE epochs (
  host_id TEXT NOT NULL, epoch INTEGER NOT NULL, bundle_id INTEGER, began_at TEXT NOT NULL,
  recovery TEXT, claim TEXT, previous_last_seq INTEGER, kept INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (host_id, epoch)) WITHOUT ROWID;`;

const SCHEMA = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE hosts (
  id TEXT PRIMARY KEY, hostname TEXT NOT NULL, machine_id TEXT, os TEXT NOT NULL,
  class TEXT, department TEXT, owner TEXT,
  fingerprint TEXT NOT NULL, public_key BLOB NOT NULL, enrolled_at TEXT NOT NULL,
  last_seq INTEGER NOT NULL, last_hash BLOB NOT NULL, epoch INTEGER NOT NULL DEFAULT 1);
CREATE INDEX hosts_key ON hosts(public_key);
CREATE TABLE bundles (
  id INTEGER PRIMARY KEY, host_id TEXT, path TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('imported', 'duplicate', 'refused')),
  manifest_sha256 TEXT, manifest TEXT, created_at TEXT, first_seq INTEGER, last_seq INTEGER,
  new_events INTEGER NOT NULL DEFAULT 0, imported_at TEXT NOT NULL, epoch INTEGER);
CREATE INDEX bundles_host ON bundles(host_id, status, last_seq);
${EPOCHS}
${EVENTS('events')}
${EVENTS_INDEX}
${VIOLATIONS('violations')}
${GAPS('gaps')}
CREATE TABLE problems (
  id INTEGER PRIMARY KEY, host_id TEXT, bundle_path TEXT NOT NULL, bundle_id INTEGER,
  kind TEXT NOT NULL, detail_zh TEXT NOT NULL, detail_en TEXT NOT NULL, evidence TEXT NOT NULL, time TEXT NOT NULL);
CREATE INDEX problems_host ON problems(host_id, time);
`;

/**
 * baomi.archive/1 → /2, inside the caller's transaction: every host's log so far is its epoch 1.
 * The keyed tables are rebuilt (their primary keys gain the epoch); nothing is dropped unread.
 */
function upgradeFromV1(db: Database.Database, now: string): void {
  const rebuild = (table: string, ddl: (name: string) => string, columns: string) => {
    db.exec(ddl(`${table}_v2`));
    db.exec(`INSERT INTO ${table}_v2 (host_id, epoch, ${columns}) SELECT host_id, 1, ${columns} FROM ${table}`);
    db.exec(`DROP TABLE ${table}`);
    db.exec(`ALTER TABLE ${table}_v2 RENAME TO ${table}`);
  };
  db.exec(`ALTER TABLE hosts ADD COLUMN epoch INTEGER NOT NULL DEFAULT 1`);
  db.exec(`ALTER TABLE bundles ADD COLUMN epoch INTEGER`);
  db.exec(`UPDATE bundles SET epoch = 1 WHERE status <> 'refused' AND host_id IS NOT NULL`);
  rebuild('events', EVENTS, 'seq, type, time, body, hash, bundle_id');
  db.exec(EVENTS_INDEX);
  rebuild('violations', VIOLATIONS, 'opened_seq, opened_at, rule, severity, finding_id, title_zh, title_en, citation, device, reason_zh, reason_en, resolved_seq, resolved_at');
  rebuild('gaps', GAPS, 'kind, from_seq, to_seq, from_time, to_time, minutes');
  db.exec(EPOCHS);
  db.prepare(
    `INSERT INTO epochs (host_id, epoch, bundle_id, began_at) SELECT id, 1, (SELECT min(b.id) FROM bundles b WHERE b.host_id = hosts.id AND b.status = 'imported'), enrolled_at FROM hosts`,
  ).run();
  db.prepare(`UPDATE meta SET value = ? WHERE key = 'format'`).run(ARCHIVE_FORMAT);
  db.prepare(`INSERT OR REPLACE INTO meta (key, value) VALUES ('upgraded', ?)`).run(`${ARCHIVE_FORMAT_V1} → ${ARCHIVE_FORMAT} ${now}`);
}

export type Db = Database.Database;

export class ArchiveError extends Error {}

/** Open (creating if need be) an archive for writing; an archive of format /1 is upgraded first. */
export function openArchive(file: string): Db {
  const resolved = path.resolve(file);
  touchPrivate(resolved);
  const db = new Database(resolved, { timeout: 10_000 });
  try {
    db.pragma('trusted_schema = OFF');
    db.pragma('page_size = 16384'); // only takes effect on a new file: the events are ~500-byte rows
    db.transaction(() => {
      const tables = db.prepare(`SELECT count(*) FROM sqlite_schema`).pluck().get() as number;
      const now = new Date().toISOString();
      if (tables === 0) {
        db.exec(SCHEMA);
        db.prepare(`INSERT INTO meta (key, value) VALUES ('format', ?), ('created', ?)`).run(ARCHIVE_FORMAT, now);
      } else if (formatOf(db) === ARCHIVE_FORMAT_V1) {
        upgradeFromV1(db, now);
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

/**
 * Open an existing archive for reading only (report, hosts). An archive of format /1 is first
 * upgraded in place, as openArchive does (the one write a reading command makes).
 */
export function openArchiveReadonly(file: string): Db {
  let db = openReadonly(file);
  if (formatOf(db) === ARCHIVE_FORMAT_V1) {
    db.close();
    try {
      openArchive(file).close();
    } catch (error) {
      if (error instanceof ArchiveError) throw error;
      throw new ArchiveError(
        `${file}: 归档为旧格式 ${ARCHIVE_FORMAT_V1},升级为 ${ARCHIVE_FORMAT} 失败 / the archive is in the older format ${ARCHIVE_FORMAT_V1} and could not be upgraded to ${ARCHIVE_FORMAT} (${(error as Error).message})`,
      );
    }
    db = openReadonly(file);
  }
  try {
    checkFormat(db, file);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

function openReadonly(file: string): Db {
  let db: Db;
  try {
    db = new Database(path.resolve(file), { readonly: true, fileMustExist: true, timeout: 10_000 });
  } catch (error) {
    throw new ArchiveError(`${file}: 无法打开归档 / cannot open the archive (${(error as Error).message})`);
  }
  db.pragma('trusted_schema = OFF');
  return db;
}

function formatOf(db: Db): unknown {
  try {
    return db.prepare(`SELECT value FROM meta WHERE key = 'format'`).pluck().get();
  } catch {
    return undefined;
  }
}

function checkFormat(db: Db, file: string): void {
  const format = formatOf(db);
  if (format === ARCHIVE_FORMAT) return;
  if (typeof format === 'string' && format.startsWith('baomi.archive/')) {
    throw new ArchiveError(`${file}: 归档格式 ${format} 不是本工具能读的 ${ARCHIVE_FORMAT}(较新版本的 baomi-collector 所建?)/ archive format ${format} is not ${ARCHIVE_FORMAT}, which this collector reads (made by a newer baomi-collector?)`);
  }
  throw new ArchiveError(`${file}: 不是 baomi 归档 / not a baomi archive (${ARCHIVE_FORMAT})`);
}
