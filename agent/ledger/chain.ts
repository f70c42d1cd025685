import crypto from 'node:crypto';
import { canonicalJson } from './canonical.js';
import type { EventEnvelope } from './events.js';

/**
 * The hash chain. For the event with sequence number `seq`:
 *
 *   body(seq)  = UTF-8 of canonicalJson({ seq, type, time, bootId, monotonicMs, payload })
 *   hash(seq)  = SHA-256( hash(seq - 1) ‖ body(seq) )        (32 raw bytes, then the body bytes)
 *   hash(0)    = 32 zero bytes (the genesis)
 *
 * With keys sorted, a body always reads
 *   {"bootId":…,"monotonicMs":…,"payload":{…},"seq":…,"time":"…","type":"…"}
 * The database stores the body verbatim, so an inspector can recompute every hash from the
 * `body` and `prev_hash` columns alone (see README, "Violation log").
 */

export const HASH_BYTES = 32;
export const GENESIS_HASH: Buffer = Buffer.alloc(HASH_BYTES);

/** The canonical JSON text of an event (the body that is hashed and stored). */
export function eventBody(event: EventEnvelope): string {
  return canonicalJson({
    seq: event.seq,
    type: event.type,
    time: event.time,
    bootId: event.bootId,
    monotonicMs: event.monotonicMs,
    payload: event.payload,
  });
}

export function chainHash(prevHash: Buffer, body: string | Buffer): Buffer {
  return crypto.createHash('sha256').update(prevHash).update(body).digest();
}
