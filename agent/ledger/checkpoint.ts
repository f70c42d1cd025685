import crypto from 'node:crypto';
import fs from 'node:fs';
import { z } from 'zod';
import type { AgentKey } from '../state/agent-key.js';
import { writeFileAtomic } from '../state/state-dir.js';
import { canonicalJson } from './canonical.js';

/**
 * Signed checkpoints. The agent signs, with its Ed25519 key, the UTF-8 bytes of
 *
 *   canonicalJson({ schema: "baomi.checkpoint/1", seq, hash: <64 hex digits>, machineId? })
 *
 * (`machineId` is left out when the machine has none). A signature over hash(seq) vouches for
 * every event up to seq. Checkpoints are made every N events and on demand (before an export);
 * the newest is also kept outside the database in `ledger.head`, so restoring an older copy of
 * the database shows.
 */

export const CHECKPOINT_SCHEMA = 'baomi.checkpoint/1';
export const HEAD_SCHEMA = 'baomi.ledger-head/1';
export const LEDGER_HEAD_FILE = 'ledger.head';

export interface Checkpoint {
  seq: number;
  hash: Buffer;
  machineId: string | null;
  signature: Buffer;
  keyFingerprint: string;
  /** When it was signed (informational, not signed: the time of event `seq` is). */
  time: string;
}

export function checkpointMessage(seq: number, hash: Buffer, machineId: string | null): Buffer {
  return Buffer.from(
    canonicalJson({ schema: CHECKPOINT_SCHEMA, seq, hash: hash.toString('hex'), machineId: machineId ?? undefined }),
    'utf8',
  );
}

export function signCheckpoint(key: AgentKey, seq: number, hash: Buffer, machineId: string | null, time: string): Checkpoint {
  const signature = crypto.sign(null, checkpointMessage(seq, hash, machineId), key.privateKey);
  return { seq, hash, machineId, signature, keyFingerprint: key.fingerprint, time };
}

/** Checks signatures against one agent key. */
export class SignatureChecker {
  constructor(private readonly key: Pick<AgentKey, 'publicKey' | 'fingerprint'> & { privateKey?: crypto.KeyObject }) {}

  get fingerprint(): string {
    return this.key.fingerprint;
  }

  /** Why the checkpoint's signature is not this agent's, or undefined when it is. */
  problem(checkpoint: Pick<Checkpoint, 'seq' | 'hash' | 'machineId' | 'signature' | 'keyFingerprint'>): string | undefined {
    if (checkpoint.keyFingerprint !== this.key.fingerprint) return `signed by another key (${checkpoint.keyFingerprint})`;
    const message = checkpointMessage(checkpoint.seq, checkpoint.hash, checkpoint.machineId);
    // Ed25519 signatures are deterministic (RFC 8032): with the private key at hand, signing
    // again and comparing is three times faster than verifying. Anything else is verified.
    if (this.key.privateKey && crypto.sign(null, message, this.key.privateKey).equals(checkpoint.signature)) return undefined;
    return crypto.verify(null, message, this.key.publicKey, checkpoint.signature) ? undefined : 'the signature does not verify';
  }
}

const HeadFile = z.strictObject({
  schema: z.literal(HEAD_SCHEMA),
  seq: z.number().int().nonnegative(),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  machineId: z.string().nullable(),
  keyFingerprint: z.string(),
  signature: z.string().regex(/^[A-Za-z0-9+/]+=*$/),
  time: z.string(),
});

/** `ledger.head`: the newest checkpoint, as a small JSON file. */
export function writeHead(file: string, checkpoint: Checkpoint): void {
  const head: z.infer<typeof HeadFile> = {
    schema: HEAD_SCHEMA,
    seq: checkpoint.seq,
    hash: checkpoint.hash.toString('hex'),
    machineId: checkpoint.machineId,
    keyFingerprint: checkpoint.keyFingerprint,
    signature: checkpoint.signature.toString('base64'),
    time: checkpoint.time,
  };
  writeFileAtomic(file, JSON.stringify(head, null, 2) + '\n');
}

export type HeadRead = { kind: 'missing' } | { kind: 'invalid'; reason: string } | { kind: 'ok'; checkpoint: Checkpoint };

export function readHead(file: string): HeadRead {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { kind: 'invalid', reason: 'not JSON' };
  }
  const parsed = HeadFile.safeParse(json);
  if (!parsed.success) return { kind: 'invalid', reason: parsed.error.issues[0]!.message };
  const head = parsed.data;
  return {
    kind: 'ok',
    checkpoint: {
      seq: head.seq,
      hash: Buffer.from(head.hash, 'hex'),
      machineId: head.machineId,
      keyFingerprint: head.keyFingerprint,
      signature: Buffer.from(head.signature, 'base64'),
      time: head.time,
    },
  };
}
