import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ensureStateDir, tighten, touchPrivate } from '../state/state-dir.js';

/**
 * The SQLite file of the watched folders' baselines, `<stateDir>/file-integrity.db` (0600):
 *
 *   baselines       one row per folder: when the baseline was made, its file and skip counts,
 *                   and its digest (digest.ts), which the violation log also holds.
 *   baseline_files  the baseline's entries: path relative to the folder, size, mtime, ctime and
 *                   inode (nanoseconds / numbers as lstat gives them) and the SHA-256.
 *   passes          the walk in progress per folder: the generation it is in and its skip count.
 *   pass_files      what the pass has seen so far; `sha256` is NULL until hashed. A killed pass
 *                   leaves its rows here and the next run continues from them (pass.ts).
 *
 * A dry run (`read-only`) opens the file read-only and keeps its pass in SQLite's temp schema
 * (a temporary file of SQLite's, removed on close): nothing in the state directory is written.
 */

export const FIM_DB_FILE = 'file-integrity.db';

const FILE_COLUMNS = `folder TEXT NOT NULL, path TEXT NOT NULL, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL, ctime_ns INTEGER NOT NULL, ino INTEGER NOT NULL`;

const SCHEMA: readonly [string, string][] = [
  ['table:baselines', `CREATE TABLE baselines (folder TEXT PRIMARY KEY, created TEXT NOT NULL, files INTEGER NOT NULL, skipped INTEGER NOT NULL, digest TEXT NOT NULL) WITHOUT ROWID`],
  ['table:baseline_files', `CREATE TABLE baseline_files (${FILE_COLUMNS}, sha256 TEXT NOT NULL, PRIMARY KEY (folder, path)) WITHOUT ROWID`],
  ['index:baseline_files_hash', `CREATE INDEX baseline_files_hash ON baseline_files(folder, sha256)`],
  ['table:meta', `CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID`],
];

/** The pass tables, in `main` (a writable store) or `temp` (a dry run). */
function passSchema(schema: 'main' | 'temp'): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${schema}.passes (folder TEXT PRIMARY KEY, generation INTEGER NOT NULL, state TEXT NOT NULL, skipped INTEGER NOT NULL, started TEXT NOT NULL) WITHOUT ROWID`,
    `CREATE TABLE IF NOT EXISTS ${schema}.pass_files (${FILE_COLUMNS}, sha256 TEXT, generation INTEGER NOT NULL, PRIMARY KEY (folder, path)) WITHOUT ROWID`,
  ];
}

const EXPECTED = new Map<string, string>([
  ...SCHEMA,
  ['table:passes', passSchema('main')[0]!.replace('IF NOT EXISTS main.', '')],
  ['table:pass_files', passSchema('main')[1]!.replace('IF NOT EXISTS main.', '')],
]);

export type Db = Database.Database;

export interface FimStore {
  db: Db;
  /** Where the pass tables are: `main`, or `temp` for a dry run. */
  pass: 'main' | 'temp';
  readOnly: boolean;
  /** The database found was not usable and was moved aside (never deleted); or, in a dry run, why it was not used. */
  setAside: { movedTo: string | null; reason: string } | null;
  close(): void;
}

export interface OpenOptions {
  stateDir: string;
  readOnly: boolean;
  now: Date;
  /** WAL while writing (default), or a rollback journal throughout; see the benchmark and README. */
  journal?: 'wal' | 'delete';
}

/**
 * Open the store. A file that is not an intact database of this schema (garbage, a changed table,
 * an added trigger) is renamed `file-integrity.db.<reason>-<time>` with its -wal and -shm, and a
 * new one is made; a dry run never moves anything and works on an empty store instead.
 */
export function openStore(options: OpenOptions): FimStore {
  const file = path.join(options.stateDir, FIM_DB_FILE);
  if (options.readOnly) return openDryRun(file);
  ensureStateDir(options.stateDir);
  let setAside: FimStore['setAside'] = null;
  let db = tryOpen(file, options.journal ?? 'wal');
  if (typeof db === 'string') {
    setAside = { movedTo: moveAside(file, db, options.now), reason: db };
    db = tryOpen(file, options.journal ?? 'wal');
    if (typeof db === 'string') throw new Error(`${file}: ${db}`);
  }
  const opened = db;
  const close = () => {
    try {
      // Back to a rollback journal when done: a dry run can then open the file read-only without
      // SQLite making -wal and -shm files beside it (a WAL database needs them even to be read).
      if (options.journal !== 'delete') opened.pragma('journal_mode = DELETE');
    } finally {
      opened.close();
    }
  };
  return { db: opened, pass: 'main', readOnly: false, setAside, close };
}

function openDryRun(file: string): FimStore {
  let db: Db | undefined;
  let setAside: FimStore['setAside'] = null;
  if (fs.existsSync(file)) {
    try {
      db = new Database(file, { readonly: true, fileMustExist: true, timeout: 10_000 });
      db.pragma('trusted_schema = OFF');
      const problem = schemaProblem(db);
      if (problem !== undefined) throw new Error(problem);
    } catch (error) {
      db?.close();
      db = undefined;
      setAside = { movedTo: null, reason: reasonOf(error) };
    }
  }
  if (db === undefined) {
    db = new Database(':memory:');
    for (const [, sql] of SCHEMA) db.exec(sql);
  }
  for (const sql of passSchema('temp')) db.exec(sql);
  const opened = db;
  return { db: opened, pass: 'temp', readOnly: true, setAside, close: () => opened.close() };
}

/** The open database, or why it cannot be used. */
function tryOpen(file: string, journal: 'wal' | 'delete'): Db | string {
  touchPrivate(file);
  let db: Db | undefined;
  try {
    db = new Database(file, { timeout: 10_000 });
    db.pragma('trusted_schema = OFF');
    db.pragma(`journal_mode = ${journal === 'wal' ? 'WAL' : 'DELETE'}`);
    db.pragma('synchronous = FULL');
    for (const suffix of ['-wal', '-shm']) tighten(file + suffix);
    const empty = (db.prepare(`SELECT count(*) FROM sqlite_schema`).pluck().get() as number) === 0;
    if (empty) {
      db.transaction(() => {
        for (const [, sql] of SCHEMA) db!.exec(sql);
        for (const sql of passSchema('main')) db!.exec(sql);
        db!.prepare(`INSERT INTO meta (key, value) VALUES ('format', 'baomi.fim/1')`).run();
      }).immediate();
    }
    const problem = schemaProblem(db) ?? integrityProblem(db);
    if (problem !== undefined) {
      db.close();
      return problem;
    }
    return db;
  } catch (error) {
    db?.close();
    return reasonOf(error);
  }
}

function reasonOf(error: unknown): string {
  const code = (error as { code?: string }).code;
  if (code === 'SQLITE_NOTADB') return 'not-a-database';
  if (code === 'SQLITE_CORRUPT') return 'corrupt';
  return error instanceof Error ? error.message : String(error);
}

/** Why the database is not of this schema, or undefined. Exactly these objects: no trigger, no view. */
function schemaProblem(db: Db): string | undefined {
  const rows = db.prepare(`SELECT type, name, sql FROM sqlite_schema`).all() as { type: string; name: string; sql: string | null }[];
  const seen = new Set<string>();
  for (const row of rows) {
    const key = `${row.type}:${row.name}`;
    const expected = EXPECTED.get(key);
    if (expected === undefined) {
      if (row.type === 'index' && row.name.startsWith('sqlite_autoindex_') && row.sql === null) continue;
      return 'schema-altered';
    }
    if (row.sql !== expected) return 'schema-altered';
    seen.add(key);
  }
  if (seen.size !== EXPECTED.size) return 'schema-altered';
  const format = db.prepare(`SELECT value FROM meta WHERE key = 'format'`).pluck().get();
  return format === 'baomi.fim/1' ? undefined : 'schema-altered';
}

function integrityProblem(db: Db): string | undefined {
  const result = db.prepare(`PRAGMA quick_check`).pluck().all() as string[];
  return result.length === 1 && result[0] === 'ok' ? undefined : 'corrupt';
}

/** Rename the unusable database (and its -wal/-shm) aside; returns the new name. Nothing is deleted. */
function moveAside(file: string, reason: string, now: Date): string {
  const tag = /^[a-z-]+$/.test(reason) ? reason : 'unreadable';
  const stamp = now.toISOString().replace(/[-:.]/g, '');
  let target = `${file}.${tag}-${stamp}`;
  for (let n = 2; fs.existsSync(target); n++) target = `${file}.${tag}-${stamp}-${n}`;
  fs.renameSync(file, target);
  for (const journal of ['-journal', '-wal', '-shm']) if (fs.existsSync(file + journal)) fs.renameSync(file + journal, target + journal);
  return target;
}
