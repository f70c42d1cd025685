import crypto from 'node:crypto';
import type { SignatureChecker } from './checkpoint.js';
import { HASH_BYTES } from './chain.js';
import type { Db } from './store.js';

/**
 * The inner loop of verification: check the events whose seq lies in [lo, hi] (inclusive) and
 * the checkpoints among them. Runs on the main thread or in a worker (verify-worker.ts); the
 * caller checks how ranges join and explains failures (verify.ts).
 *
 * Speed matters (the goal is 1,000,000 events in under 2 s): SQLite concatenates a few thousand
 * rows into one BLOB, so only one value per chunk crosses into JavaScript, and each event is
 * hashed straight from that BLOB, where its prev_hash already sits in front of its body.
 * Record: `seq,bodyLength,prevLength,hashLength:` in ASCII decimal, then prev_hash, body, hash.
 */

const CHUNK_EVENTS = 2000;
const COMMA = 0x2c;
const COLON = 0x3a;

// octet_length() counts bytes without copying; `||` keeps a BLOB's bytes as they are; plain
// concatenation is cheaper than printf (measured). The ORDER BY of the subquery costs nothing
// (rows are read in seq order) and keeps group_concat in that order; an aggregate ORDER BY
// would sort again (measured 1.7× slower).
const CHUNK_SQL = `SELECT CAST(group_concat(record, '') AS BLOB) FROM (
    SELECT seq || ',' || octet_length(body) || ',' || octet_length(prev_hash) || ',' || octet_length(hash) || ':'
           || prev_hash || body || hash AS record
    FROM events WHERE seq >= ? AND seq < ? ORDER BY seq)`;

/** What failed, mechanically: verify.ts turns it into a reason and a message. */
export type RangeFailureKind =
  /** Row `seq` (expected next) is missing. */
  | 'gap'
  /** The row's prev_hash is not the hash of the row before it. */
  | 'link'
  /** SHA-256(prev_hash ‖ body) is not the row's hash, or a hash is not 32 bytes. */
  | 'hash'
  /** The checkpoint at seq is not signed by the agent key. */
  | 'checkpoint-signature'
  /** The checkpoint at seq is signed but names another hash than the chain has. */
  | 'checkpoint-hash';

export interface RangeFailure {
  seq: number;
  kind: RangeFailureKind;
  detail?: string;
}

export interface RangeResult {
  /** The first row of the range: the caller checks it follows the previous range. */
  first: { seq: number; prevHash: Buffer } | null;
  /** The last row checked without fault. */
  last: { seq: number; hash: Buffer } | null;
  events: number;
  checkpoints: number;
  failure?: RangeFailure;
}

const sha256: (data: Buffer) => Buffer =
  typeof crypto.hash === 'function'
    ? (data) => crypto.hash('sha256', data, 'buffer')
    : (data) => crypto.createHash('sha256').update(data).digest();

export function verifyRange(db: Db, lo: number, hi: number, signatures: SignatureChecker | undefined): RangeResult {
  const result: RangeResult = { first: null, last: null, events: 0, checkpoints: 0 };
  const checkpoints = db
    .prepare(`SELECT seq, hash, signature, key_fingerprint AS keyFingerprint, machine_id AS machineId FROM checkpoints WHERE seq >= ? AND seq <= ? ORDER BY seq`)
    .all(lo, hi) as { seq: number; hash: Buffer; signature: Buffer; keyFingerprint: string; machineId: string | null }[];
  let nextCheckpoint = 0;
  const chunkQuery = db.prepare(CHUNK_SQL).pluck();
  let prevHash: Buffer | null = null;
  let prevSeq = 0;
  let expected = -1;
  const finish = (failure?: RangeFailure): RangeResult => {
    if (prevHash !== null) result.last = { seq: prevSeq, hash: prevHash };
    if (failure) result.failure = failure;
    return result;
  };

  for (let from = lo; from <= hi; from += CHUNK_EVENTS) {
    const chunk = chunkQuery.get(from, Math.min(from + CHUNK_EVENTS, hi + 1)) as Buffer | null;
    if (chunk === null) continue;
    let p = 0;
    while (p < chunk.length) {
      let at = p;
      let seq = 0;
      for (let c = chunk[at++]!; c !== COMMA; c = chunk[at++]!) seq = seq * 10 + c - 48;
      let bodyLength = 0;
      for (let c = chunk[at++]!; c !== COMMA; c = chunk[at++]!) bodyLength = bodyLength * 10 + c - 48;
      let prevLength = 0;
      for (let c = chunk[at++]!; c !== COMMA; c = chunk[at++]!) prevLength = prevLength * 10 + c - 48;
      let hashLength = 0;
      for (let c = chunk[at++]!; c !== COLON; c = chunk[at++]!) hashLength = hashLength * 10 + c - 48;
      const prevStart = at;
      const hashStart = prevStart + prevLength + bodyLength;
      p = hashStart + hashLength;

      if (result.first === null) {
        result.first = { seq, prevHash: Buffer.from(chunk.subarray(prevStart, prevStart + prevLength)) };
      } else if (seq !== expected) {
        return finish({ seq: expected, kind: 'gap' });
      }
      if (prevLength !== HASH_BYTES || hashLength !== HASH_BYTES) {
        return finish({ seq, kind: 'hash', detail: `hash columns of ${prevLength} and ${hashLength} bytes` });
      }
      if (prevHash !== null && prevHash.compare(chunk, prevStart, prevStart + HASH_BYTES) !== 0) {
        return finish({ seq, kind: 'link' });
      }
      const hash = sha256(chunk.subarray(prevStart, hashStart));
      if (hash.compare(chunk, hashStart, hashStart + HASH_BYTES) !== 0) {
        return finish({ seq, kind: 'hash' });
      }

      while (nextCheckpoint < checkpoints.length && checkpoints[nextCheckpoint]!.seq <= seq) {
        const checkpoint = checkpoints[nextCheckpoint++]!;
        if (checkpoint.seq < seq) continue; // at a seq with no row: reported as a gap or by the caller
        const problem = signatures === undefined ? 'no agent key to check it against' : signatures.problem(checkpoint);
        if (problem !== undefined) return finish({ seq, kind: 'checkpoint-signature', detail: problem });
        if (!checkpoint.hash.equals(hash)) return finish({ seq, kind: 'checkpoint-hash' });
        result.checkpoints++;
      }

      prevHash = hash;
      prevSeq = seq;
      expected = seq + 1;
      result.events++;
    }
  }
  return finish();
}
