import Database from 'better-sqlite3';
import { touchPrivate, tighten } from '../state/state-dir.js';

/**
 * The SQLite file of the violation log.
 *
 *   events       one row per event: `body` is the canonical JSON that was hashed, verbatim;
 *                `prev_hash` and `hash` are the chain (32-byte BLOBs); `type` and `time` are
 *                computed from the body, so they cannot disagree with it. AUTOINCREMENT makes
 *                SQLite remember the highest seq ever written (sqlite_sequence), which shows a
 *                tail cut off by deleting rows.
 *   checkpoints  the signed checkpoints (see checkpoint.ts).
 *   incidents    derived state: the violations open now, (rule, findingId) → first and last
 *                seen. Rebuilt from the events whenever they disagree (incidents.ts).
 *   meta         format, creation time, key fingerprint.
 */

export const LEDGER_DB_FILE = 'ledger.db';

const SCHEMA: readonly string[] = [
  `CREATE TABLE events (seq INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL, prev_hash BLOB NOT NULL, hash BLOB NOT NULL, type TEXT GENERATED ALWAYS AS (json_extract(body, '$.type')) VIRTUAL, time TEXT GENERATED ALWAYS AS (json_extract(body, '$.time')) VIRTUAL)`,
  `CREATE INDEX events_violations ON events(type) WHERE type IN ('violation.opened', 'violation.resolved')`,
  `CREATE TABLE checkpoints (seq INTEGER PRIMARY KEY, hash BLOB NOT NULL, signature BLOB NOT NULL, key_fingerprint TEXT NOT NULL, machine_id TEXT, time TEXT NOT NULL)`,
  `CREATE TABLE incidents (rule TEXT NOT NULL, finding_id TEXT NOT NULL, finding_kind TEXT, opened_seq INTEGER NOT NULL, first_seen TEXT NOT NULL, last_seen TEXT NOT NULL, PRIMARY KEY (rule, finding_id))`,
  `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
];

/** The objects a ledger database must hold: exactly these, nothing added (no triggers, no views). */
const EXPECTED_OBJECTS = new Map<string, string>([
  ['table:events', SCHEMA[0]!],
  ['index:events_violations', SCHEMA[1]!],
  ['table:checkpoints', SCHEMA[2]!],
  ['table:incidents', SCHEMA[3]!],
  ['table:meta', SCHEMA[4]!],
  ['table:sqlite_sequence', 'CREATE TABLE sqlite_sequence(name,seq)'],
]);

export type Db = Database.Database;

/**
 * Open for writing: WAL, synchronous=FULL (a commit is on disk when it returns), the file and its
 * -wal/-shm 0600. Creates the schema in an empty database.
 */
export function openWritable(file: string): Db {
  touchPrivate(file);
  const db = new Database(file, { timeout: 10_000 });
  try {
    configure(db);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    for (const suffix of ['-wal', '-shm']) tighten(file + suffix);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/** Open without writing anything (verify, log). */
export function openReadonly(file: string): Db {
  const db = new Database(file, { readonly: true, fileMustExist: true, timeout: 10_000 });
  try {
    configure(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

function configure(db: Db): void {
  // The file may have been written by someone else: never run its schema's functions with more trust than needed.
  db.pragma('trusted_schema = OFF');
}

/** True when the database has no objects yet. */
export function isEmpty(db: Db): boolean {
  return (db.prepare(`SELECT count(*) FROM sqlite_schema`).pluck().get() as number) === 0;
}

/** Create the tables in an empty database; one that has any is left alone (another process was first). */
export function createSchema(db: Db, fingerprint: string, now: string): void {
  db.transaction(() => {
    if (!isEmpty(db)) return;
    for (const statement of SCHEMA) db.exec(statement);
    const meta = db.prepare(`INSERT INTO meta (key, value) VALUES (?, ?)`);
    meta.run('format', 'baomi.ledger/1');
    meta.run('created', now);
    meta.run('agentKey', fingerprint);
  }).immediate();
}

/** Why the database is not a ledger of this format (an added trigger, a changed table …), or undefined. */
export function schemaProblem(db: Db): string | undefined {
  const rows = db.prepare(`SELECT type, name, sql FROM sqlite_schema`).all() as { type: string; name: string; sql: string | null }[];
  const seen = new Set<string>();
  for (const row of rows) {
    const key = `${row.type}:${row.name}`;
    const expected = EXPECTED_OBJECTS.get(key);
    if (expected === undefined) {
      // SQLite's own automatic indexes (for PRIMARY KEY of non-rowid keys) have no SQL.
      if (row.type === 'index' && row.name.startsWith('sqlite_autoindex_') && row.sql === null) continue;
      return `unexpected ${row.type} "${row.name}"`;
    }
    if (row.sql !== expected) return `${row.type} "${row.name}" was altered`;
    seen.add(key);
  }
  for (const key of EXPECTED_OBJECTS.keys()) {
    if (!seen.has(key)) return `${key.replace(':', ' "')}" is missing`;
  }
  return undefined;
}
