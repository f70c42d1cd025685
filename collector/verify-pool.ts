import fs from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { PreVerified } from './pre-verify.js';
import type { WorkerReply, WorkerRequest } from './verify-worker.js';

/**
 * Worker threads that verify the next bundles while the importer stores the current one in
 * SQLite (which only one thread may write). Parsing, the canonical check and the hash chain are
 * most of an import's time; with the pool they run beside the archive's writes.
 */

const WORKER_FILE = fileURLToPath(new URL('./verify-worker.js', import.meta.url));

interface Job {
  dir: string;
  maxBytes: number;
  resolve: (result: PreVerified | undefined) => void;
  reject: (error: Error) => void;
}

export class VerifyPool {
  private readonly idle: Worker[] = [];
  private readonly waiting: Job[] = [];
  private readonly current = new Map<Worker, Job>();
  private alive: number;

  private constructor(private readonly workers: Worker[]) {
    this.alive = workers.length;
    for (const worker of workers) {
      worker.on('message', (reply: WorkerReply) => {
        const job = this.current.get(worker)!;
        this.current.delete(worker);
        if (reply.ok) job.resolve(reply.result);
        else job.reject(new Error(reply.error));
        this.idle.push(worker);
        this.dispatch();
      });
      worker.once('error', (error) => {
        // The importer verifies a bundle itself when its worker failed.
        this.current.get(worker)?.reject(error);
        this.current.delete(worker);
        if (--this.alive === 0) for (const job of this.waiting.splice(0)) job.reject(error);
      });
      this.idle.push(worker);
    }
  }

  /** A pool of `threads` workers (default: the CPUs but one, 1–4), or null where there is no compiled worker (run from the TypeScript sources). */
  static create(threads = Math.min(4, os.availableParallelism())): VerifyPool | null {
    if (threads < 1 || !fs.existsSync(WORKER_FILE)) return null;
    return new VerifyPool(Array.from({ length: threads }, () => new Worker(WORKER_FILE)));
  }

  /** The bundle verified by a worker; undefined when its events are larger than `maxBytes` (stream it). */
  verify(dir: string, maxBytes: number): Promise<PreVerified | undefined> {
    return new Promise((resolve, reject) => {
      if (this.alive === 0) return reject(new Error('no verification thread left'));
      this.waiting.push({ dir, maxBytes, resolve, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.waiting.length > 0) {
      const worker = this.idle.pop()!;
      const job = this.waiting.shift()!;
      this.current.set(worker, job);
      worker.postMessage({ dir: job.dir, maxBytes: job.maxBytes } satisfies WorkerRequest);
    }
  }
}
