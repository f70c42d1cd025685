import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, test } from 'vitest';
import { ledgerFiles, verifyLedger } from '../../agent/ledger/verify.js';
import { loadAgentKey } from '../../agent/state/agent-key.js';
import { REPO } from '../helpers.js';
import { filledLedger, tamper } from './ledger-helpers.js';

/**
 * A large log is verified by several threads, each a range of seqs (verify-worker.ts). The
 * worker exists only compiled, so these tests load the verifier from dist/ and split a small
 * log into three ranges; the result must be the one a single thread gives.
 */

type Verify = typeof verifyLedger;

async function compiledVerify(): Promise<Verify> {
  const file = path.join(REPO, 'dist', 'agent', 'ledger', 'verify.js');
  expect(fs.existsSync(file), 'run `npm test` (it builds dist/ first)').toBe(true);
  return ((await import(pathToFileURL(file).href)) as { verifyLedger: Verify }).verifyLedger;
}

async function bothWays(dir: string) {
  const options = { ...ledgerFiles(dir), key: loadAgentKey(dir) };
  const threaded = await (await compiledVerify())({ ...options, threads: 3, minEventsPerThread: 1 });
  const single = await verifyLedger({ ...options, threads: 1 });
  expect(threaded.threads).toBe(3);
  return { threaded, single: { ...single, threads: 3 } };
}

describe('verification in threads', () => {
  test('an intact log: the same answer as one thread', async () => {
    const { threaded, single } = await bothWays(await filledLedger(150));
    expect(threaded).toEqual(single);
    expect(threaded).toMatchObject({ ok: true, events: 150, checkpoints: 9 });
  });

  test('a fault in the last range, and one at the join of two ranges, are found at the same seq', async () => {
    const edited = await filledLedger(150);
    tamper(edited, (db) => db.prepare(`UPDATE events SET body = replace(body, 'test 140', 'x') WHERE seq = 140`).run());
    const late = await bothWays(edited);
    expect(late.threaded).toEqual(late.single);
    expect(late.threaded.failure).toMatchObject({ seq: 140, reason: 'hash-mismatch' });

    const cut = await filledLedger(150); // ranges 1–50, 51–100, 101–150
    tamper(cut, (db) => db.prepare(`DELETE FROM events WHERE seq = 51`).run());
    const join = await bothWays(cut);
    expect(join.threaded).toEqual(join.single);
    expect(join.threaded.failure).toMatchObject({ seq: 51, reason: 'gap' });
  });

  test('rows swapped across the join of two ranges → reordered', async () => {
    const dir = await filledLedger(150);
    tamper(dir, (db) => {
      db.prepare(`UPDATE events SET seq = -1 WHERE seq = 50`).run();
      db.prepare(`UPDATE events SET seq = 50 WHERE seq = 51`).run();
      db.prepare(`UPDATE events SET seq = 51 WHERE seq = -1`).run();
    });
    const { threaded, single } = await bothWays(dir);
    expect(threaded).toEqual(single);
    expect(threaded.failure).toMatchObject({ seq: 50, reason: 'reordered' });
  });
});
