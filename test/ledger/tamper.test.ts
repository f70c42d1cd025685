import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { chainHash } from '../../agent/ledger/chain.js';
import { checkpointMessage, readHead, writeHead } from '../../agent/ledger/checkpoint.js';
import { ledgerFiles } from '../../agent/ledger/verify.js';
import { fromPrivateKey } from '../../agent/state/agent-key.js';
import { filledLedger, note, openLedger, tamper, verifyDir } from './ledger-helpers.js';

/**
 * The tamper campaign: each way of hiding an event is caught by verify, with the first bad seq
 * and the reason. The log has 100 events, a checkpoint every 16 (16 … 96); ledger.head is at 96.
 */

async function hundred(): Promise<string> {
  return filledLedger(100);
}

describe('tampering is detected', () => {
  test('the untouched log verifies', async () => {
    expect(await verifyDir(await hundred())).toMatchObject({ ok: true, events: 100, checkpoints: 6, head: { seq: 96 } });
  });

  test('edit a payload → hash-mismatch at that seq', async () => {
    const dir = await hundred();
    tamper(dir, (db) => db.prepare(`UPDATE events SET body = replace(body, 'test 40', 'test 41') WHERE seq = 40`).run());
    const result = await verifyDir(dir);
    expect(result).toMatchObject({ ok: false, failure: { seq: 40, reason: 'hash-mismatch' }, lastVerifiedSeq: 39 });
    expect(result.failure!.detail.en).toContain('event 40 does not match its hash');
  });

  test('a hash column cut short → hash-mismatch at that seq', async () => {
    const dir = await hundred();
    tamper(dir, (db) => db.prepare(`UPDATE events SET hash = x'00ff' WHERE seq = 30`).run());
    expect(await verifyDir(dir)).toMatchObject({ ok: false, failure: { seq: 30, reason: 'hash-mismatch' } });
  });

  test('delete a row → gap at that seq', async () => {
    const dir = await hundred();
    tamper(dir, (db) => db.prepare(`DELETE FROM events WHERE seq = 40`).run());
    expect(await verifyDir(dir)).toMatchObject({ ok: false, failure: { seq: 40, reason: 'gap' } });
  });

  test('delete the first row → gap at 1', async () => {
    const dir = await hundred();
    tamper(dir, (db) => db.prepare(`DELETE FROM events WHERE seq = 1`).run());
    expect(await verifyDir(dir)).toMatchObject({ ok: false, failure: { seq: 1, reason: 'gap' }, lastVerifiedSeq: 0 });
  });

  test('swap two rows → reordered at the first of them', async () => {
    const dir = await hundred();
    tamper(dir, (db) => {
      db.prepare(`UPDATE events SET seq = -1 WHERE seq = 40`).run();
      db.prepare(`UPDATE events SET seq = 40 WHERE seq = 41`).run();
      db.prepare(`UPDATE events SET seq = 41 WHERE seq = -1`).run();
    });
    const result = await verifyDir(dir);
    expect(result).toMatchObject({ ok: false, failure: { seq: 40, reason: 'reordered' } });
    expect(result.failure!.detail.en).toBe('the event stored at seq 40 is event 41 (rows were swapped)');
  });

  test('swap the contents of two rows but not their hashes → reordered', async () => {
    const dir = await hundred();
    tamper(dir, (db) => {
      const body = db.prepare(`SELECT body FROM events WHERE seq = ?`).pluck();
      const [b40, b41] = [body.get(40), body.get(41)];
      db.prepare(`UPDATE events SET body = ? WHERE seq = ?`).run(b41, 40);
      db.prepare(`UPDATE events SET body = ? WHERE seq = ?`).run(b40, 41);
    });
    expect(await verifyDir(dir)).toMatchObject({ ok: false, failure: { seq: 40, reason: 'reordered' } });
  });

  test('truncate the tail past a checkpoint → truncated after the last event left', async () => {
    const dir = await hundred();
    tamper(dir, (db) => db.prepare(`DELETE FROM events WHERE seq > 90`).run());
    const result = await verifyDir(dir);
    expect(result).toMatchObject({ ok: false, failure: { seq: 91, reason: 'truncated' }, lastVerifiedSeq: 90 });
    expect(result.failure!.detail.en).toBe('the log ends at seq 90 but a signed checkpoint names seq 96 (the tail was cut off)');
  });

  test('truncate the tail and its checkpoints → still truncated (SQLite remembers the highest seq)', async () => {
    const dir = await hundred();
    tamper(dir, (db) => {
      db.prepare(`DELETE FROM events WHERE seq > 90`).run();
      db.prepare(`DELETE FROM checkpoints WHERE seq > 90`).run();
    });
    expect(await verifyDir(dir)).toMatchObject({ ok: false, failure: { seq: 91, reason: 'truncated' } });
  });

  test('truncate the tail after the last checkpoint, covering every trace but ledger.head → rollback (indistinguishable from an older copy)', async () => {
    const dir = await hundred();
    tamper(dir, (db) => {
      db.prepare(`DELETE FROM events WHERE seq > 90`).run();
      db.prepare(`DELETE FROM checkpoints WHERE seq > 90`).run();
      db.prepare(`UPDATE sqlite_sequence SET seq = 90 WHERE name = 'events'`).run();
    });
    expect(await verifyDir(dir)).toMatchObject({ ok: false, failure: { seq: 91, reason: 'rollback' } });
  });

  test('restore an older copy of the database → rollback against ledger.head', async () => {
    const dir = await filledLedger(70); // checkpoints at 16 … 64
    const { file, headFile } = ledgerFiles(dir);
    const copy = path.join(dir, 'copy.db');
    fs.copyFileSync(file, copy);
    const ledger = await openLedger(dir);
    for (let n = 71; n <= 100; n++) ledger.append(note(n));
    ledger.close();
    fs.copyFileSync(copy, file);
    const result = await verifyDir(dir);
    expect(result).toMatchObject({ ok: false, failure: { seq: 71, reason: 'rollback' }, lastVerifiedSeq: 70 });
    expect(result.failure!.detail.en).toBe('ledger.head names seq 96 but the database ends at seq 70: an older copy of the database was restored');
    expect(readHead(headFile)).toMatchObject({ kind: 'ok', checkpoint: { seq: 96 } });
  });

  test('restore an older copy and write to it → rollback at the seq of ledger.head', async () => {
    const dir = await filledLedger(70);
    const { file } = ledgerFiles(dir);
    const copy = path.join(dir, 'copy.db');
    fs.copyFileSync(file, copy);
    const ledger = await openLedger(dir);
    for (let n = 71; n <= 100; n++) ledger.append(note(n));
    ledger.close();
    // The old copy, continued with other events up to 100 by someone holding the database only.
    fs.copyFileSync(copy, file);
    tamper(dir, (db) => {
      let prev = db.prepare(`SELECT hash FROM events WHERE seq = 70`).pluck().get() as Buffer;
      for (let seq = 71; seq <= 100; seq++) {
        const body = JSON.stringify({ bootId: null, monotonicMs: 1, payload: {}, seq, time: '2025-01-01T00:00:00.000Z', type: 'agent.heartbeat' });
        const hash = chainHash(prev, body);
        db.prepare(`INSERT INTO events (seq, body, prev_hash, hash) VALUES (?, ?, ?, ?)`).run(seq, body, prev, hash);
        prev = hash;
      }
    });
    expect(await verifyDir(dir)).toMatchObject({ ok: false, failure: { seq: 96, reason: 'rollback' } });
  });

  test('rewrite the chain after an edit and re-sign the checkpoints with another key → bad-signature at the first checkpoint after the edit', async () => {
    const dir = await hundred();
    const intruder = fromPrivateKey(crypto.generateKeyPairSync('ed25519').privateKey);
    tamper(dir, (db) => {
      db.prepare(`UPDATE events SET body = replace(body, 'test 20', 'harmless') WHERE seq = 20`).run();
      let prev = db.prepare(`SELECT hash FROM events WHERE seq = 19`).pluck().get() as Buffer;
      for (const row of db.prepare(`SELECT seq, body FROM events WHERE seq >= 20 ORDER BY seq`).all() as { seq: number; body: string }[]) {
        const hash = chainHash(prev, row.body);
        db.prepare(`UPDATE events SET prev_hash = ?, hash = ? WHERE seq = ?`).run(prev, hash, row.seq);
        prev = hash;
      }
      for (const row of db.prepare(`SELECT c.seq, e.hash, c.machine_id AS machineId FROM checkpoints c JOIN events e USING (seq) WHERE c.seq >= 20`).all() as { seq: number; hash: Buffer; machineId: string | null }[]) {
        const signature = crypto.sign(null, checkpointMessage(row.seq, row.hash, row.machineId), intruder.privateKey);
        db.prepare(`UPDATE checkpoints SET hash = ?, signature = ?, key_fingerprint = ? WHERE seq = ?`).run(row.hash, signature, intruder.fingerprint, row.seq);
      }
    });
    const result = await verifyDir(dir);
    expect(result).toMatchObject({ ok: false, failure: { seq: 32, reason: 'bad-signature' } });
    expect(result.failure!.detail.en).toContain(`signed by another key (${intruder.fingerprint})`);
  });

  test("re-sign one checkpoint with another key under this agent's fingerprint → bad-signature at its seq", async () => {
    const dir = await hundred();
    const intruder = crypto.generateKeyPairSync('ed25519').privateKey;
    tamper(dir, (db) => {
      const row = db.prepare(`SELECT seq, hash, machine_id AS machineId FROM checkpoints WHERE seq = 48`).get() as { seq: number; hash: Buffer; machineId: string | null };
      db.prepare(`UPDATE checkpoints SET signature = ? WHERE seq = 48`).run(crypto.sign(null, checkpointMessage(row.seq, row.hash, row.machineId), intruder));
    });
    const result = await verifyDir(dir);
    expect(result).toMatchObject({ ok: false, failure: { seq: 48, reason: 'bad-signature' } });
    expect(result.failure!.detail.en).toContain('the signature does not verify');
  });

  test('edit an event and rewrite the chain after it, without the key → hash-mismatch at the next signed checkpoint', async () => {
    const dir = await hundred();
    tamper(dir, (db) => {
      db.prepare(`UPDATE events SET body = replace(body, 'test 20', 'harmless') WHERE seq = 20`).run();
      let prev = db.prepare(`SELECT hash FROM events WHERE seq = 19`).pluck().get() as Buffer;
      for (const row of db.prepare(`SELECT seq, body FROM events WHERE seq >= 20 ORDER BY seq`).all() as { seq: number; body: string }[]) {
        const hash = chainHash(prev, row.body);
        db.prepare(`UPDATE events SET prev_hash = ?, hash = ? WHERE seq = ?`).run(prev, hash, row.seq);
        prev = hash;
      }
    });
    const result = await verifyDir(dir);
    expect(result).toMatchObject({ ok: false, failure: { seq: 32, reason: 'hash-mismatch' } });
    expect(result.failure!.detail.en).toBe('the chain at seq 32 differs from its signed checkpoint (events up to 32 were rewritten)');
  });

  test('a checkpoint pointed at another hash by someone without the key → bad-signature (the signature covers the hash)', async () => {
    const dir = await hundred();
    tamper(dir, (db) => db.prepare(`UPDATE checkpoints SET hash = zeroblob(32) WHERE seq = 64`).run());
    expect(await verifyDir(dir)).toMatchObject({ ok: false, failure: { seq: 64, reason: 'bad-signature' } });
  });

  test('ledger.head re-signed with another key → bad-signature', async () => {
    const dir = await hundred();
    const { headFile } = ledgerFiles(dir);
    const head = readHead(headFile);
    if (head.kind !== 'ok') throw new Error('no head');
    const intruder = fromPrivateKey(crypto.generateKeyPairSync('ed25519').privateKey);
    const { seq, hash, machineId, time } = head.checkpoint;
    writeHead(headFile, { seq, hash, machineId, time, keyFingerprint: intruder.fingerprint, signature: crypto.sign(null, checkpointMessage(seq, hash, machineId), intruder.privateKey) });
    expect(await verifyDir(dir)).toMatchObject({ ok: false, failure: { seq: 96, reason: 'bad-signature' } });
  });

  test('ledger.head deleted → rollback cannot be ruled out', async () => {
    const dir = await hundred();
    fs.rmSync(ledgerFiles(dir).headFile);
    expect(await verifyDir(dir)).toMatchObject({ ok: false, failure: { seq: 101, reason: 'rollback' } });
  });

  test('the database deleted, ledger.head left → truncated', async () => {
    const dir = await hundred();
    fs.rmSync(ledgerFiles(dir).file);
    expect(await verifyDir(dir)).toMatchObject({ ok: false, exists: false, failure: { seq: 1, reason: 'truncated' } });
  });

  test('a trigger slipped into the schema → unreadable (not the ledger schema)', async () => {
    const dir = await hundred();
    tamper(dir, (db) => db.exec(`CREATE TRIGGER hide AFTER INSERT ON events BEGIN DELETE FROM events WHERE type = 'violation.opened'; END`));
    const result = await verifyDir(dir);
    expect(result).toMatchObject({ ok: false, failure: { seq: 1, reason: 'unreadable' } });
    expect(result.failure!.detail.en).toContain('unexpected trigger "hide"');
  });

  test('without the agent key, signatures cannot be trusted', async () => {
    const dir = await hundred();
    fs.rmSync(path.join(dir, 'agent.key'));
    expect(await verifyDir(dir)).toMatchObject({ ok: false, failure: { seq: 16, reason: 'bad-signature' } });
  });
});
