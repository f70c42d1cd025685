import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, test } from 'vitest';
import { tempDir } from '../helpers.js';
import { archiveCounts, computer, exportBundle, hostIdOf, readManifest, runCollector, scan, stickWith, type Computer } from './collector-helpers.js';

/**
 * A violation log that fails verification on the computer is moved aside and the agent starts a
 * new chain whose seq 1 is ledger.recovered. The collector takes that chain as a new epoch of the
 * host — imported, never silently: a log-recovered problem with its evidence — as long as the
 * recovery's claim about the old chain agrees with the archive. Real agents, real databases
 * damaged with SQLite, real bundles.
 */

let stick: string;
let pc: Computer;
/** The old chain: exported after the first scan (seqs 1–2), and after the next scan (seqs 1–5). */
let a1: string;
let a2: string;
/** The new chain, after seq 4 of the old one was edited: from its start, then `--since` its next seq. */
let r1: string;
let r2: string;
/** Where the agent moved the old database. */
let movedTo: string;
/** A copy of the computer's state taken after a1, run on, damaged and recovered: another chain claiming a recovery. */
let forged: string;

/** Change a row of an agent's log behind its back, as someone with the database open would. */
function tamper(stateDir: string, sql: string): void {
  const db = new Database(path.join(stateDir, 'ledger.db'));
  try {
    expect(db.prepare(sql).run().changes).toBe(1);
  } finally {
    db.close();
  }
}

beforeAll(() => {
  stick = tempDir('baomi-stick-');
  pc = computer(stick);
  a1 = exportBundle(pc, stick); // the agent then records export.performed: seq 3
  const snapshot = tempDir('baomi-state-');
  fs.cpSync(pc.stateDir, snapshot, { recursive: true });
  expect(scan(pc).status).toBe(0); // violation.resolved (4), scan.completed (5)
  a2 = exportBundle(pc, stick);
  tamper(pc.stateDir, `UPDATE events SET body = replace(body, 'MEDIA-UNREGISTERED', 'MEDIA-FINE') WHERE seq = 4`);
  const recovering = scan(pc);
  expect(recovering.stderr).toContain('the violation log did not verify (seq 4, hash-mismatch');
  r1 = exportBundle(pc, stick);
  expect(scan(pc).status).toBe(0);
  r2 = exportBundle(pc, stick, readManifest(r1).ledger.lastSeq + 1);
  movedTo = path.join(pc.stateDir, fs.readdirSync(pc.stateDir).find((name) => /^ledger\.db\.hash-mismatch-[0-9TZ]+$/.test(name))!);

  const restored: Computer = { ...pc, stateDir: snapshot };
  expect(scan(restored).status).toBe(0); // its own seqs 4 and 5, not the archived ones
  tamper(snapshot, `UPDATE events SET body = replace(body, '"scope":"full"', '"scope":"none"') WHERE seq = 5`);
  expect(scan(restored).stderr).toContain('the violation log did not verify (seq 5, hash-mismatch');
  forged = exportBundle(restored, tempDir('baomi-stick-'));
}, 600_000);

function newArchive(): string {
  return path.join(tempDir('baomi-archive-'), 'archive.db');
}

function importInto(archive: string, ...paths: string[]) {
  return runCollector(['import', ...paths, '--archive', archive]);
}

function query<T>(archive: string, sql: string, ...params: unknown[]): T[] {
  const db = new Database(archive, { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

function firstEvent(bundle: string): Record<string, any> {
  return JSON.parse(fs.readFileSync(path.join(bundle, 'events.ndjson'), 'utf8').split('\n')[0]!);
}

function hostsOf(archive: string): Record<string, any>[] {
  return JSON.parse(runCollector(['hosts', '--json', '--archive', archive]).stdout).hosts;
}

describe('the agent started its log over', () => {
  test('the bundles of the new chain start with ledger.recovered, naming the old file, the last verified seq and the reason', () => {
    expect(readManifest(r1).ledger.firstSeq).toBe(1);
    expect(firstEvent(r1)).toMatchObject({ seq: 1, type: 'ledger.recovered', payload: { file: movedTo, lastVerifiedSeq: 3, reason: 'hash-mismatch' } });
    expect(readManifest(r2).ledger.firstSeq).toBe(readManifest(r1).ledger.lastSeq + 1);
    expect(firstEvent(forged)).toMatchObject({ type: 'ledger.recovered', payload: { lastVerifiedSeq: 4, reason: 'hash-mismatch' } });
  });

  test('a recovery that agrees with the archive begins a new epoch: imported, with a log-recovered problem and its evidence; the next bundle imports cleanly', () => {
    const archive = newArchive();
    expect(importInto(archive, stickWith({ dir: a1 }, { dir: a2 })).status).toBe(0);
    const [hash3] = query<{ hash: string }>(archive, `SELECT lower(hex(hash)) AS hash FROM events WHERE seq = 3`);
    expect(firstEvent(r1).payload.lastVerifiedHash).toBe(hash3!.hash);

    const copy = stickWith({ dir: r1 });
    const recovered = importInto(archive, copy);
    expect(recovered.status).toBe(1); // a problem to report …
    expect(recovered.stdout).not.toContain('REFUSED'); // … but imported
    expect(recovered.stdout).toContain('the log was started over: epoch 2');
    expect(recovered.stdout).toContain(`已导入 / imported: ${path.join(copy, 'BAOMI', hostIdOf(r1), path.basename(r1))}`);
    expect(recovered.stdout).toContain('[log-recovered]');
    expect(recovered.stdout).toContain(`the violation log on the computer failed verification (hash-mismatch); the old database was moved to ${movedTo}`);
    expect(recovered.stdout).toContain('The last event of the old log that verified, seq 3, matches the archive');
    expect(recovered.stdout).toContain('Events of the old log the agent no longer has, kept only by this archive: 2 (seqs 4–5)');
    expect(recovered.stdout).toContain(`lastVerifiedSeq 3 lastVerifiedHash ${hash3!.hash}`);
    expect(recovered.stdout).toContain('event 4 does not match its hash (edited)');
    expect(recovered.stdout.match(/✗/g)).toHaveLength(1);

    const last = readManifest(a2).ledger.lastSeq;
    const newSeqs = readManifest(r1).ledger.lastSeq;
    expect(archiveCounts(archive)).toMatchObject({ hosts: 1, imported: 3, refused: 0, events: last + newSeqs, problems: 1 });
    // The old epoch is kept whole, seqs 4–5 included: the evidence the agent no longer has.
    expect(query(archive, `SELECT epoch, count(*) AS n, max(seq) AS last FROM events GROUP BY epoch ORDER BY epoch`)).toEqual([
      { epoch: 1, n: last, last },
      { epoch: 2, n: newSeqs, last: newSeqs },
    ]);
    expect(query(archive, `SELECT epoch, claim, previous_last_seq AS previous, kept, json_extract(recovery, '$.reason') AS reason FROM epochs ORDER BY epoch`)).toEqual([
      { epoch: 1, claim: null, previous: null, kept: 0, reason: null },
      { epoch: 2, claim: 'match', previous: last, kept: 2, reason: 'hash-mismatch' },
    ]);
    expect(hostsOf(archive)).toEqual([expect.objectContaining({ epoch: 2, lastSeq: newSeqs, status: 'problems', problemKinds: ['log-recovered'] })]);
    expect(runCollector(['hosts', '--archive', archive]).stdout).toContain(`${newSeqs} (第 2 段 / epoch 2)`);

    // Continuity per epoch: the next export of the new chain follows on from seq 2 of epoch 2.
    const next = importInto(archive, stickWith({ dir: r2 }));
    expect(next.stdout).not.toContain('✗');
    expect(next.status).toBe(0);
    expect(hostsOf(archive)).toEqual([expect.objectContaining({ epoch: 2, lastSeq: readManifest(r2).ledger.lastSeq })]);
    // Everything again: harmless duplicates, each compared with its own epoch.
    const again = importInto(archive, stick);
    expect(again.status).toBe(0);
    expect(again.stdout.match(/duplicate \(already archived, harmless\)/g)).toHaveLength(4);
    expect(archiveCounts(archive)).toMatchObject({ imported: 4, refused: 0, problems: 1, events: last + readManifest(r2).ledger.lastSeq });

    // The committee sees it: integrity not intact, the problem and its evidence, this round.
    const out = path.join(tempDir(), 'report.html');
    const report = runCollector(['report', '--out', out, '--lang', 'en', '--since', '2000-01-01', '--archive', archive]);
    expect(report.status).toBe(1);
    expect(report.stdout).toContain('1 with integrity problems');
    const html = fs.readFileSync(out, 'utf8');
    expect(html).toContain('log-recovered');
    expect(html).toContain('the violation log failed verification and the agent started a new one');
    expect(html).toContain('kept only by this archive: 2 (seqs 4–5)');
    expect(html).not.toContain('<span class="ok">intact</span>');
  });

  test('a stick carrying both chains goes in old chain first, whatever the seqs', () => {
    const archive = newArchive();
    const result = importInto(archive, stick); // a1 (seqs 1–2), a2 (1–5), r1 (1–2), r2 (3–4)
    expect(result.stdout).not.toContain('REFUSED');
    expect(result.stdout.match(/✗ \[/g)).toEqual(['✗ [']);
    expect(result.stdout).toContain('[log-recovered]');
    expect(archiveCounts(archive)).toMatchObject({ imported: 4, refused: 0, problems: 1 });
    expect(query(archive, `SELECT epoch, first_seq AS first, last_seq AS last FROM bundles ORDER BY id`)).toEqual([
      { epoch: 1, first: 1, last: readManifest(a1).ledger.lastSeq },
      { epoch: 1, first: 1, last: readManifest(a2).ledger.lastSeq },
      { epoch: 2, first: 1, last: readManifest(r1).ledger.lastSeq },
      { epoch: 2, first: readManifest(r2).ledger.firstSeq, last: readManifest(r2).ledger.lastSeq },
    ]);
  });

  test('a recovery that contradicts the archive is refused as a fork: another chain of the same agent posing as a recovery', () => {
    const archive = newArchive();
    expect(importInto(archive, stickWith({ dir: a2 })).status).toBe(0);
    const [hash4] = query<{ hash: string }>(archive, `SELECT lower(hex(hash)) AS hash FROM events WHERE seq = 4`);
    const claimed = firstEvent(forged).payload.lastVerifiedHash as string;
    expect(claimed).not.toBe(hash4!.hash);
    expect(readManifest(forged).agent.fingerprint).toBe(readManifest(a2).agent.fingerprint); // signed by the enrolled key

    const result = importInto(archive, stickWith({ dir: forged }));
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('REFUSED, nothing imported');
    expect(result.stdout).toContain('[fork]');
    expect(result.stdout).toContain(`the claimed recovery does not match the archive: its ledger.recovered says the old log verified up to seq 4 with hash ${claimed}, but the archive holds hash ${hash4!.hash} at seq 4 of epoch 1`);
    expect(result.stdout).not.toContain('[log-recovered]');
    expect(result.stdout.match(/✗ \[/g)).toHaveLength(1); // one fork, not also seq 1's hash
    expect(archiveCounts(archive)).toMatchObject({ imported: 1, refused: 1, events: readManifest(a2).ledger.lastSeq });
    expect(hostsOf(archive)).toEqual([expect.objectContaining({ epoch: 1, lastSeq: readManifest(a2).ledger.lastSeq, problemKinds: ['fork'] })]);

    // The genuine recovery is still accepted after it.
    const genuine = importInto(archive, stickWith({ dir: r1 }));
    expect(genuine.stdout).toContain('[log-recovered]');
    expect(genuine.stdout).not.toContain('REFUSED');
    expect(hostsOf(archive)).toEqual([expect.objectContaining({ epoch: 2, problemKinds: ['fork', 'log-recovered'] })]);
  });

  test('a claim beyond what the archive holds cannot be checked and is accepted as such; an old bundle of the ended epoch is then a replay', () => {
    const archive = newArchive();
    expect(importInto(archive, stickWith({ dir: a1 })).status).toBe(0); // seqs 1–2: the agent verified up to 3
    const recovered = importInto(archive, stickWith({ dir: r1 }));
    expect(recovered.status).toBe(1);
    expect(recovered.stdout).not.toContain('REFUSED');
    expect(recovered.stdout).toContain('The old log is said to verify up to seq 3, beyond the archive (up to seq 2), so its hash cannot be checked; seqs 3–3 were never imported and are only in the moved-aside file');
    expect(recovered.stdout).toContain('kept only by this archive: 0');
    expect(query(archive, `SELECT claim, kept FROM epochs WHERE epoch = 2`)).toEqual([{ claim: 'unverifiable', kept: 0 }]);

    const old = importInto(archive, stickWith({ dir: a2 }));
    expect(old.status).toBe(1);
    expect(old.stdout).toContain('REFUSED, nothing imported');
    expect(old.stdout).toContain('[replay]');
    expect(old.stdout.match(/✗ \[/g)).toHaveLength(1); // not also a fork with the new chain
    expect(old.stdout).toContain('this bundle belongs to epoch 1 of this host\'s log, which a recovery ended (the current epoch is 2)');
    expect(archiveCounts(archive)).toMatchObject({ imported: 2, refused: 1 });

    // The violation still open when the old log ended is not counted open (the new log would open it again); the CSV says why.
    const out = path.join(tempDir(), 'report.html');
    const csv = path.join(path.dirname(out), 'report.csv');
    runCollector(['report', '--out', out, '--csv', csv, '--lang', 'en', '--archive', archive]);
    expect(fs.readFileSync(csv.replace(/\.csv$/, '-violations.csv'), 'utf8')).toContain('unknown: the log was recovered');
    expect(fs.readFileSync(out, 'utf8')).toContain('No open violations.');
  });

  test('a recovered log met first enrols the host at epoch 1, still with the log-recovered problem', () => {
    const archive = newArchive();
    const result = importInto(archive, stickWith({ dir: r1 }));
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('新登记主机 / enrolled');
    expect(result.stdout).toContain('[log-recovered]');
    expect(result.stdout).toContain('the first import is a log started over');
    expect(hostsOf(archive)).toEqual([expect.objectContaining({ epoch: 1, enrolled: true, problemKinds: ['log-recovered'] })]);
    expect(importInto(archive, stickWith({ dir: r2 })).status).toBe(0);
  });
});

/** The archive's layout before epochs (baomi.archive/1), as the collector wrote it. */
const SCHEMA_V1 = `
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

/** An archive of format /1 holding what `current` holds (one epoch per host). */
function asV1(current: string): string {
  const file = newArchive();
  const db = new Database(file);
  try {
    db.exec(SCHEMA_V1);
    db.prepare(`ATTACH DATABASE ? AS cur`).run(current);
    db.exec(`
      INSERT INTO meta SELECT key, CASE key WHEN 'format' THEN 'baomi.archive/1' ELSE value END FROM cur.meta;
      INSERT INTO hosts SELECT id, hostname, machine_id, os, class, department, owner, fingerprint, public_key, enrolled_at, last_seq, last_hash FROM cur.hosts;
      INSERT INTO bundles SELECT id, host_id, path, status, manifest_sha256, manifest, created_at, first_seq, last_seq, new_events, imported_at FROM cur.bundles;
      INSERT INTO events SELECT host_id, seq, type, time, body, hash, bundle_id FROM cur.events;
      INSERT INTO violations SELECT host_id, opened_seq, opened_at, rule, severity, finding_id, title_zh, title_en, citation, device, reason_zh, reason_en, resolved_seq, resolved_at FROM cur.violations;
      INSERT INTO gaps SELECT host_id, kind, from_seq, to_seq, from_time, to_time, minutes FROM cur.gaps;
      INSERT INTO problems SELECT * FROM cur.problems;`);
  } finally {
    db.close();
  }
  return file;
}

describe('an archive from before epochs (baomi.archive/1)', () => {
  test('is upgraded in place when first opened: its logs become epoch 1, and imports go on from them', () => {
    const current = newArchive();
    expect(importInto(current, stickWith({ dir: a1 })).status).toBe(0);
    const old = asV1(current);
    expect(query(old, `SELECT value FROM meta WHERE key = 'format'`)).toEqual([{ value: 'baomi.archive/1' }]);

    // A reading command upgrades it too.
    const hosts = runCollector(['hosts', '--json', '--archive', old]);
    expect(hosts.stderr).toBe('');
    expect(JSON.parse(hosts.stdout).hosts).toEqual([expect.objectContaining({ epoch: 1, lastSeq: readManifest(a1).ledger.lastSeq, status: 'ok' })]);
    expect(query(old, `SELECT value FROM meta WHERE key = 'format'`)).toEqual([{ value: 'baomi.archive/2' }]);
    expect(query(old, `SELECT epoch, count(*) AS n FROM events GROUP BY epoch`)).toEqual([{ epoch: 1, n: readManifest(a1).ledger.lastSeq }]);
    expect(query(old, `SELECT epoch, opened_seq AS seq, rule FROM violations`)).toEqual([{ epoch: 1, seq: 1, rule: 'MEDIA-UNREGISTERED' }]);
    expect(query(old, `SELECT epoch FROM bundles`)).toEqual([{ epoch: 1 }]);
    expect(query(old, `SELECT host_id AS host, epoch, bundle_id AS bundle FROM epochs`)).toEqual([{ host: hostIdOf(a1), epoch: 1, bundle: 1 }]);

    const next = importInto(old, stickWith({ dir: a2 }));
    expect(next.status).toBe(0);
    expect(importInto(old, stickWith({ dir: r1 })).stdout).toContain('kept only by this archive: 2 (seqs 4–5)');
  });

  test('so is it by import; an archive of an unknown format is refused with a clear message', () => {
    const current = newArchive();
    expect(importInto(current, stickWith({ dir: a1 })).status).toBe(0);
    const old = asV1(current);
    expect(importInto(old, stickWith({ dir: a2 })).status).toBe(0);
    expect(archiveCounts(old)).toMatchObject({ imported: 2, events: readManifest(a2).ledger.lastSeq, problems: 0 });

    const db = new Database(current);
    db.prepare(`UPDATE meta SET value = 'baomi.archive/9' WHERE key = 'format'`).run();
    db.close();
    for (const args of [['hosts'], ['import', stickWith({ dir: a2 })]]) {
      const result = runCollector([...args, '--archive', current]);
      expect(result.status).toBe(2);
      expect(result.stderr).toContain('archive format baomi.archive/9 is not baomi.archive/2');
    }
  });
});
