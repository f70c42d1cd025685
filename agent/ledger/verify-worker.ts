import crypto from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import { SignatureChecker } from './checkpoint.js';
import { openReadonly } from './store.js';
import { verifyRange } from './verify-range.js';

/** One range of a parallel verification (see verify.ts): workerData in, one message out. */
export interface WorkerInput {
  file: string;
  lo: number;
  hi: number;
  key: { publicPem: string; privatePem?: string; fingerprint: string } | null;
}

export type WorkerOutput =
  | {
      ok: true;
      first: { seq: number; prevHash: string } | null;
      last: { seq: number; hash: string } | null;
      events: number;
      checkpoints: number;
      failure?: { seq: number; kind: string; detail?: string };
    }
  | { ok: false; error: string };

const input = workerData as WorkerInput;
let output: WorkerOutput;
try {
  const checker = input.key
    ? new SignatureChecker({
        publicKey: crypto.createPublicKey(input.key.publicPem),
        privateKey: input.key.privatePem ? crypto.createPrivateKey(input.key.privatePem) : undefined,
        fingerprint: input.key.fingerprint,
      })
    : undefined;
  const db = openReadonly(input.file);
  try {
    const result = verifyRange(db, input.lo, input.hi, checker);
    output = {
      ok: true,
      first: result.first && { seq: result.first.seq, prevHash: result.first.prevHash.toString('hex') },
      last: result.last && { seq: result.last.seq, hash: result.last.hash.toString('hex') },
      events: result.events,
      checkpoints: result.checkpoints,
      ...(result.failure ? { failure: result.failure } : {}),
    };
  } finally {
    db.close();
  }
} catch (error) {
  output = { ok: false, error: (error as Error).message };
}
parentPort!.postMessage(output);
