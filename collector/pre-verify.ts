import type { BundleManifest } from '../agent/export/bundle.js';
import { readSmallFile } from './bundle-files.js';
import type { Check } from './problems.js';
import { verifyBundle, type ManifestHead, type VerifyHooks } from './verify-bundle.js';
import type { BundleEvent } from './verify-events.js';

/**
 * A bundle verified in a worker thread (verify-pool.ts) ahead of the importer: the outcome of
 * every check and the good events, as data that crosses threads cheaply — the bytes of
 * events.ndjson as read once (transferred, not copied), where each good event's line is, and its
 * hash. The importer replays them through the same hooks as a verification in its own thread, so
 * what it stores is exactly what was verified: nothing is read from the stick a second time.
 */
export interface PreVerified {
  manifest: BundleManifest | null;
  manifestSha256: string | null;
  checks: Check[];
  /** The manifest stage passed (onManifest was called), and whether it was trusted then. */
  head: { reached: boolean; trusted: boolean };
  events: {
    content: Uint8Array;
    /** Of each good event: seq, byte offset and length of its line, hash(seq) (32 bytes each). */
    seq: Float64Array;
    at: Float64Array;
    size: Uint32Array;
    hashes: Uint8Array;
  };
}

/** Verify a bundle whose events.ndjson fits in `maxBytes`; undefined when it does not (stream it instead). */
export function preVerify(dir: string, maxBytes: number): PreVerified | undefined {
  let content: Buffer | undefined;
  try {
    content = readSmallFile(dir, 'events.ndjson', maxBytes);
  } catch {
    content = undefined; // missing, a link, too large: verifyBundle says which, or the importer streams it
  }
  const head = { reached: false, trusted: false };
  const good: BundleEvent[] = [];
  const result = verifyBundle(
    dir,
    {
      onManifest(h) {
        head.reached = true;
        head.trusted = h.trusted;
        return (e) => good.push(e);
      },
    },
    content,
  );
  if (content === undefined && good.length > 0) return undefined;
  const owned = content ? new Uint8Array(content) : new Uint8Array(0); // a buffer of its own, to transfer
  return {
    manifest: result.manifest,
    manifestSha256: result.manifestSha256,
    checks: result.checks,
    head,
    events: {
      content: owned,
      seq: Float64Array.from(good, (e) => e.seq),
      at: Float64Array.from(good, (e) => e.at),
      size: Uint32Array.from(good, (e) => e.size),
      hashes: new Uint8Array(Buffer.concat(good.map((e) => e.hash))), // own buffer: a pooled one must not be transferred
    },
  };
}

/** Feed a pre-verified bundle through verification hooks, as verifyBundle would have. */
export function replay(pre: PreVerified, hooks: VerifyHooks): { manifest: BundleManifest | null; manifestSha256: string | null; checks: Check[] } {
  if (pre.head.reached && pre.manifest !== null && pre.manifestSha256 !== null) {
    const head: ManifestHead = { manifest: pre.manifest, sha256: pre.manifestSha256, trusted: pre.head.trusted };
    const onEvent = hooks.onManifest?.(head);
    if (onEvent) {
      const { content, seq, at, size, hashes } = pre.events;
      const bytes = Buffer.from(content.buffer, content.byteOffset, content.byteLength);
      const hashBytes = Buffer.from(hashes.buffer, hashes.byteOffset, hashes.byteLength);
      for (let i = 0; i < seq.length; i++) {
        const start = at[i]!;
        const body = bytes.toString('utf8', start, start + size[i]!);
        const { type, time, payload } = envelopeOf(body);
        onEvent({ seq: seq[i]!, type, time, body, hash: hashBytes.subarray(i * 32, i * 32 + 32), payload, at: start, size: size[i]! });
      }
    }
  }
  return pre;
}

/**
 * type and time of a verified canonical body, which always ends `…,"time":"T","type":"X"}`
 * (members sorted, exactly six: see verify-events.ts); the payload is parsed only for the
 * violation events the importer reads. Anything escaped is left to JSON.parse.
 */
function envelopeOf(body: string): Pick<BundleEvent, 'type' | 'time' | 'payload'> {
  const typeAt = body.lastIndexOf('","type":"');
  const timeAt = body.lastIndexOf(',"time":"', typeAt);
  const type = body.slice(typeAt + 10, -2);
  const time = body.slice(timeAt + 9, typeAt);
  if (typeAt < 0 || timeAt < 0 || type.includes('\\') || time.includes('\\') || type.startsWith('violation.')) {
    const parsed = JSON.parse(body) as { type: string; time: string; payload: Record<string, unknown> };
    return { type: parsed.type, time: parsed.time, payload: parsed.payload };
  }
  return { type, time, payload: {} };
}
