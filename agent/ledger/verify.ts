import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { AgentKey } from '../state/agent-key.js';
import type { Bilingual } from '../text/i18n.js';
import { GENESIS_HASH } from './chain.js';
import { LEDGER_HEAD_FILE, readHead, SignatureChecker, type Checkpoint } from './checkpoint.js';
import { LEDGER_DB_FILE, openReadonly, schemaProblem, type Db } from './store.js';
import { verifyRange, type RangeFailure, type RangeResult } from './verify-range.js';
import type { WorkerInput, WorkerOutput } from './verify-worker.js';

/**
 * Verification of the violation log: the chain from the genesis, every checkpoint's signature,
 * and the database against `ledger.head`. The first fault, in seq order, is reported with one of
 * these reasons:
 *
 *   hash-mismatch  an event does not match its hash, does not link to the one before, or the
 *                  chain differs from a signed checkpoint (an event was edited)
 *   gap            an event is missing (a row was deleted)
 *   reordered      an event sits at another seq than its own (rows were swapped)
 *   bad-signature  a checkpoint or ledger.head is not signed by this agent's key
 *   truncated      the log ends before a signed checkpoint, before seq numbers the database
 *                  once held, or the database is gone while ledger.head remains
 *   rollback       ledger.head is ahead of or differs from the database (an older copy was
 *                  restored), or is missing
 *   unreadable     the file is not an intact SQLite database of the ledger's schema
 */

export const VERIFY_REASONS = ['hash-mismatch', 'gap', 'reordered', 'bad-signature', 'truncated', 'rollback', 'unreadable'] as const;
export type VerifyReason = (typeof VERIFY_REASONS)[number];

export interface VerifyFailure {
  /** The first bad seq. */
  seq: number;
  reason: VerifyReason;
  detail: Bilingual;
}

export interface VerifyResult {
  ok: boolean;
  file: string;
  /** False when there is no database yet (and no head that says there should be). */
  exists: boolean;
  events: number;
  lastSeq: number;
  /** Hex hash of lastSeq. */
  lastHash: string;
  /** Checkpoints whose signature and hash were checked. */
  checkpoints: number;
  head: { seq: number; hash: string } | null;
  keyFingerprint: string | null;
  failure?: VerifyFailure;
  /** The last seq before the first fault (all of the log when ok), and its hash. */
  lastVerifiedSeq: number;
  lastVerifiedHash: string;
  /** Threads the chain was checked with. */
  threads: number;
}

export interface VerifyOptions {
  /** The database file; its directory holds ledger.head. */
  file: string;
  headFile?: string;
  /** The agent key the signatures must be made with; undefined fails every signature. */
  key: Pick<AgentKey, 'publicKey' | 'fingerprint'> & Partial<Pick<AgentKey, 'privateKey'>> | undefined;
  /** Threads to spread a large log over (default: the CPUs, at most 4). */
  threads?: number;
  /** Events per thread below which one thread does it all. */
  minEventsPerThread?: number;
}

export function ledgerFiles(stateDir: string): { file: string; headFile: string } {
  return { file: path.join(stateDir, LEDGER_DB_FILE), headFile: path.join(stateDir, LEDGER_HEAD_FILE) };
}

const WORKER_URL = new URL('./verify-worker.js', import.meta.url);

export async function verifyLedger(options: VerifyOptions): Promise<VerifyResult> {
  const { file } = options;
  const headFile = options.headFile ?? path.join(path.dirname(file), LEDGER_HEAD_FILE);
  const checker = options.key ? new SignatureChecker(options.key) : undefined;
  const result: VerifyResult = {
    ok: true,
    file,
    exists: true,
    events: 0,
    lastSeq: 0,
    lastHash: GENESIS_HASH.toString('hex'),
    checkpoints: 0,
    head: null,
    keyFingerprint: checker?.fingerprint ?? null,
    lastVerifiedSeq: 0,
    lastVerifiedHash: GENESIS_HASH.toString('hex'),
    threads: 1,
  };
  const fail = (failure: VerifyFailure, db?: Db): VerifyResult => {
    result.ok = false;
    result.failure = failure;
    result.lastVerifiedSeq = Math.max(0, Math.min(failure.seq - 1, result.lastSeq));
    if (result.lastVerifiedSeq === result.lastSeq) {
      result.lastVerifiedHash = result.lastHash;
    } else {
      // Before the last verified row: its stored hash was checked on the way.
      const hash = db?.prepare(`SELECT hash FROM events WHERE seq = ?`).pluck().get(result.lastVerifiedSeq) as Buffer | undefined;
      result.lastVerifiedHash = (hash ?? GENESIS_HASH).toString('hex');
    }
    return result;
  };

  // The head first, then the database: a head written meanwhile is never ahead of what we read.
  const head = readHead(headFile);
  if (head.kind === 'ok') result.head = { seq: head.checkpoint.seq, hash: head.checkpoint.hash.toString('hex') };

  if (!fs.existsSync(file)) {
    result.exists = false;
    if (head.kind === 'ok' && head.checkpoint.seq > 0) {
      return fail({ seq: 1, reason: 'truncated', detail: words.databaseMissing(head.checkpoint.seq) });
    }
    return result;
  }

  let db: Db;
  try {
    db = openReadonly(file);
  } catch (error) {
    return fail({ seq: 1, reason: 'unreadable', detail: words.unreadable((error as Error).message) });
  }
  try {
    db.exec('BEGIN'); // one snapshot for everything read on this connection
    const unreadable = checkReadable(db);
    if (unreadable) return fail({ seq: 1, reason: 'unreadable', detail: words.unreadable(unreadable) });

    const stats = db.prepare(`SELECT min(seq) AS min, max(seq) AS max, count(*) AS count FROM events`).get() as { min: number | null; max: number | null; count: number };
    if (stats.min !== null && stats.min < 1) return fail({ seq: stats.min, reason: 'gap', detail: words.badSeq(stats.min) });

    if (stats.max !== null) {
      const ranges = await verifyRanges(db, options, checker, stats.max, stats.count);
      result.threads = ranges.threads;
      let expected = 1;
      let prevHash: Buffer = GENESIS_HASH;
      for (const range of ranges.results) {
        if (range.first !== null) {
          if (range.first.seq !== expected) return fail({ seq: expected, reason: 'gap', detail: words.gap(expected) }, db);
          if (!range.first.prevHash.equals(prevHash)) return fail(explain(db, { seq: expected, kind: 'link' }), db);
        }
        result.events += range.events;
        result.checkpoints += range.checkpoints;
        if (range.last) {
          result.lastSeq = range.last.seq;
          result.lastHash = range.last.hash.toString('hex');
          expected = range.last.seq + 1;
          prevHash = range.last.hash;
        }
        if (range.failure) return fail(explain(db, range.failure), db);
      }
    }
    const last = result.lastSeq;

    // The tail: nothing signed or once written may lie beyond the last event.
    const beyond = db.prepare(`SELECT seq FROM checkpoints WHERE seq > ? ORDER BY seq LIMIT 1`).pluck().get(last) as number | undefined;
    if (beyond !== undefined) return fail({ seq: last + 1, reason: 'truncated', detail: words.checkpointBeyond(last, beyond) }, db);
    const written = (db.prepare(`SELECT seq FROM sqlite_sequence WHERE name = 'events'`).pluck().get() as number | undefined) ?? 0;
    if (written > last) return fail({ seq: last + 1, reason: 'truncated', detail: words.sequenceBeyond(last, written) }, db);

    // ledger.head, kept outside the database, against the database.
    if (head.kind === 'missing') {
      if (last > 0) return fail({ seq: last + 1, reason: 'rollback', detail: words.headMissing }, db);
      return result;
    }
    if (head.kind === 'invalid') return fail({ seq: last + 1, reason: 'bad-signature', detail: words.headInvalid(head.reason) }, db);
    const signed = head.checkpoint;
    const problem = checker === undefined ? 'no agent key to check it against' : checker.problem(signed);
    if (problem !== undefined) return fail({ seq: Math.max(signed.seq, 1), reason: 'bad-signature', detail: words.headSignature(problem) }, db);
    if (signed.seq > last) return fail({ seq: last + 1, reason: 'rollback', detail: words.headAhead(signed.seq, last) }, db);
    const hashThere = signed.seq === 0 ? GENESIS_HASH : (db.prepare(`SELECT hash FROM events WHERE seq = ?`).pluck().get(signed.seq) as Buffer);
    if (!hashThere.equals(signed.hash)) return fail({ seq: signed.seq, reason: 'rollback', detail: words.headFork(signed.seq) }, db);

    result.lastVerifiedSeq = last;
    result.lastVerifiedHash = result.lastHash;
    return result;
  } catch (error) {
    // A damaged page, met while reading (SQLITE_CORRUPT and the like).
    return fail({ seq: result.lastSeq + 1, reason: 'unreadable', detail: words.unreadable((error as Error).message) });
  } finally {
    db.close();
  }
}

/** The newest checkpoint in the database, or undefined. */
export function latestCheckpoint(db: Db): Checkpoint | undefined {
  const row = db
    .prepare(`SELECT seq, hash, signature, key_fingerprint AS keyFingerprint, machine_id AS machineId, time FROM checkpoints ORDER BY seq DESC LIMIT 1`)
    .get() as Checkpoint | undefined;
  return row;
}

/**
 * The file is SQLite, UTF-8, of the ledger's schema, and its small tables pass quick_check. The
 * events table is not given to quick_check: verification reads every row of it anyway, and a
 * damaged page shows there (as an error, a gap or a hash mismatch); quick_check of it would
 * double the time verification takes.
 */
function checkReadable(db: Db): string | undefined {
  try {
    const problem = schemaProblem(db);
    if (problem) return problem;
    const encoding = db.pragma('encoding', { simple: true });
    if (encoding !== 'UTF-8') return `encoding ${String(encoding)}, not UTF-8`;
    for (const table of ['checkpoints', 'incidents', 'meta']) {
      const check = db.pragma(`quick_check(${table})`, { simple: true });
      if (check !== 'ok') return `quick_check(${table}): ${String(check)}`;
    }
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** Turn a mechanical failure into a reason: a moved row is told apart from an edited one by the seq in its body. */
function explain(db: Db, failure: RangeFailure): VerifyFailure {
  const { seq } = failure;
  switch (failure.kind) {
    case 'gap':
      return { seq, reason: 'gap', detail: words.gap(seq) };
    case 'checkpoint-signature':
      return { seq, reason: 'bad-signature', detail: words.checkpointSignature(seq, failure.detail ?? '') };
    case 'checkpoint-hash':
      return { seq, reason: 'hash-mismatch', detail: words.checkpointHash(seq) };
    case 'link':
    case 'hash': {
      const own = bodySeq(db, seq);
      if (own !== undefined && own !== seq) return { seq, reason: 'reordered', detail: words.reordered(seq, own) };
      if (failure.kind === 'link') {
        const linked = db.prepare(`SELECT e.seq FROM events e, events f WHERE f.seq = ? AND e.hash = f.prev_hash AND e.seq <> ? - 1 LIMIT 1`).pluck().get(seq, seq) as number | undefined;
        if (linked !== undefined) return { seq, reason: 'reordered', detail: words.linkedElsewhere(seq, linked) };
        return { seq, reason: 'hash-mismatch', detail: words.link(seq) };
      }
      return { seq, reason: 'hash-mismatch', detail: words.edited(seq, failure.detail) };
    }
  }
}

function bodySeq(db: Db, seq: number): number | undefined {
  try {
    const value = db.prepare(`SELECT json_extract(body, '$.seq') FROM events WHERE seq = ?`).pluck().get(seq);
    return typeof value === 'number' ? value : undefined;
  } catch {
    return undefined; // not JSON: an edit, not a move
  }
}

async function verifyRanges(
  db: Db,
  options: VerifyOptions,
  checker: SignatureChecker | undefined,
  maxSeq: number,
  count: number,
): Promise<{ results: RangeResult[]; threads: number }> {
  const threads = Math.max(1, Math.min(options.threads ?? Math.min(os.availableParallelism(), 4), Math.floor(count / (options.minEventsPerThread ?? 100_000))));
  const step = Math.ceil(maxSeq / threads);
  const bounds = Array.from({ length: threads }, (_, i) => [i * step + 1, Math.min((i + 1) * step, maxSeq)] as const);
  const workerFile = fileURLToPath(WORKER_URL);
  // Run from the TypeScript sources (the unit tests) there is no compiled worker: one thread then.
  if (threads === 1 || !fs.existsSync(workerFile)) return { results: bounds.map(([lo, hi]) => verifyRange(db, lo, hi, checker)), threads: 1 };

  const key = options.key && {
    publicPem: options.key.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    privatePem: options.key.privateKey?.export({ format: 'pem', type: 'pkcs8' }).toString(),
    fingerprint: options.key.fingerprint,
  };
  const others = bounds.slice(1).map(([lo, hi]) => runWorker(workerFile, { file: options.file, lo, hi, key: key ?? null }));
  const first = verifyRange(db, bounds[0]![0], bounds[0]![1], checker); // meanwhile, on this thread
  return { results: [first, ...(await Promise.all(others))], threads };
}

function runWorker(workerFile: string, input: WorkerInput): Promise<RangeResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerFile, { workerData: input });
    worker.once('message', (output: WorkerOutput) => {
      if (!output.ok) return reject(new Error(output.error));
      resolve({
        first: output.first && { seq: output.first.seq, prevHash: Buffer.from(output.first.prevHash, 'hex') },
        last: output.last && { seq: output.last.seq, hash: Buffer.from(output.last.hash, 'hex') },
        events: output.events,
        checkpoints: output.checkpoints,
        ...(output.failure ? { failure: output.failure as RangeFailure } : {}),
      });
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`verification thread exited with ${code}`));
    });
  });
}

const words = {
  gap: (seq: number): Bilingual => ({ zh: `第 ${seq} 条事件缺失(被删除)`, en: `event ${seq} is missing (deleted)` }),
  badSeq: (seq: number): Bilingual => ({ zh: `出现了编号 ${seq} 的事件(编号从 1 开始)`, en: `an event is numbered ${seq} (numbers start at 1)` }),
  edited: (seq: number, detail?: string): Bilingual => ({
    zh: `第 ${seq} 条事件的内容与其哈希不符(被修改)`,
    en: `event ${seq} does not match its hash (edited)${detail ? `: ${detail}` : ''}`,
  }),
  link: (seq: number): Bilingual => ({
    zh: `第 ${seq} 条事件没有链接到第 ${seq - 1} 条(prev_hash 被改动)`,
    en: `event ${seq} does not link to event ${seq - 1} (its prev_hash was changed)`,
  }),
  reordered: (seq: number, own: number): Bilingual => ({
    zh: `第 ${seq} 条的位置上是第 ${own} 条事件(顺序被调换)`,
    en: `the event stored at seq ${seq} is event ${own} (rows were swapped)`,
  }),
  linkedElsewhere: (seq: number, other: number): Bilingual => ({
    zh: `第 ${seq} 条事件链接到第 ${other} 条而不是第 ${seq - 1} 条(顺序被调换)`,
    en: `event ${seq} follows event ${other}, not ${seq - 1} (rows were moved)`,
  }),
  checkpointSignature: (seq: number, problem: string): Bilingual => ({
    zh: `第 ${seq} 条处的检查点签名无效(${problem})`,
    en: `the checkpoint at seq ${seq} is not signed by this agent: ${problem}`,
  }),
  checkpointHash: (seq: number): Bilingual => ({
    zh: `第 ${seq} 条处的哈希与已签名的检查点不符(此前的事件被改写)`,
    en: `the chain at seq ${seq} differs from its signed checkpoint (events up to ${seq} were rewritten)`,
  }),
  checkpointBeyond: (last: number, seq: number): Bilingual => ({
    zh: `日志止于第 ${last} 条,但第 ${seq} 条有已签名的检查点(末尾被截断)`,
    en: `the log ends at seq ${last} but a signed checkpoint names seq ${seq} (the tail was cut off)`,
  }),
  sequenceBeyond: (last: number, written: number): Bilingual => ({
    zh: `日志止于第 ${last} 条,但数据库曾写到第 ${written} 条(末尾被删除)`,
    en: `the log ends at seq ${last} but the database once held seq ${written} (the tail was deleted)`,
  }),
  databaseMissing: (seq: number): Bilingual => ({
    zh: `数据库不存在,但 ledger.head 记录到第 ${seq} 条(日志被删除)`,
    en: `the database is missing but ledger.head names seq ${seq} (the log was deleted)`,
  }),
  headMissing: {
    zh: 'ledger.head 缺失,无法排除数据库被回滚',
    en: 'ledger.head is missing: a rollback of the database cannot be ruled out',
  } as Bilingual,
  headInvalid: (reason: string): Bilingual => ({ zh: `ledger.head 无法解读(${reason})`, en: `ledger.head is not a valid signed head: ${reason}` }),
  headSignature: (problem: string): Bilingual => ({ zh: `ledger.head 的签名无效(${problem})`, en: `ledger.head is not signed by this agent: ${problem}` }),
  headAhead: (seq: number, last: number): Bilingual => ({
    zh: `ledger.head 记录到第 ${seq} 条,但数据库只到第 ${last} 条(恢复了旧的数据库副本)`,
    en: `ledger.head names seq ${seq} but the database ends at seq ${last}: an older copy of the database was restored`,
  }),
  headFork: (seq: number): Bilingual => ({
    zh: `第 ${seq} 条的哈希与 ledger.head 不符(恢复旧副本后又有写入)`,
    en: `the hash at seq ${seq} differs from ledger.head: an older copy was restored and written to`,
  }),
  unreadable: (why: string): Bilingual => ({ zh: `无法读取数据库(${why})`, en: `the database cannot be read: ${why}` }),
};
