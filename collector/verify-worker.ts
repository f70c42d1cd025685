import { parentPort } from 'node:worker_threads';
import { preVerify, type PreVerified } from './pre-verify.js';

/** A thread of the verification pool (verify-pool.ts): a bundle directory in, its verification out. */
export type WorkerRequest = { dir: string; maxBytes: number };
export type WorkerReply = { ok: true; result: PreVerified | undefined } | { ok: false; error: string };

parentPort!.on('message', ({ dir, maxBytes }: WorkerRequest) => {
  let reply: WorkerReply;
  try {
    reply = { ok: true, result: preVerify(dir, maxBytes) };
  } catch (error) {
    reply = { ok: false, error: (error as Error)?.stack ?? String(error) };
  }
  const e = reply.ok ? reply.result?.events : undefined;
  parentPort!.postMessage(reply, e ? [e.content.buffer, e.seq.buffer, e.at.buffer, e.size.buffer, e.hashes.buffer] as ArrayBuffer[] : []);
});
