import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, test } from 'vitest';
import { ledgerFiles } from '../../agent/ledger/verify.js';
import { filledLedger, note, openLedger, tamper, verifyDir } from './ledger-helpers.js';

/** A log that cannot be trusted is moved aside, never deleted, and a new chain says why. */

function siblings(dir: string, prefix: string): string[] {
  return fs.readdirSync(dir).filter((name) => name.startsWith(prefix)).sort();
}

describe('a database that does not verify on open', () => {
  test('garbage bytes: moved aside intact; the new chain starts with ledger.recovered', async () => {
    const dir = await filledLedger(5);
    const { file } = ledgerFiles(dir);
    const garbage = Buffer.from('this is not a database at all, but it must not be lost\n'.repeat(100));
    fs.writeFileSync(file, garbage);

    const ledger = await openLedger(dir);
    const recovery = ledger.recovery!;
    expect(recovery).toMatchObject({ failure: { reason: 'unreadable', seq: 1 }, lastVerifiedSeq: 0 });
    expect(path.basename(recovery.movedTo!)).toMatch(/^ledger\.db\.unreadable-\d{8}T\d{9}Z$/);
    expect(fs.readFileSync(recovery.movedTo!)).toEqual(garbage);
    const [first, ...rest] = [...ledger.events()];
    expect(rest).toEqual([]);
    expect(first).toMatchObject({
      seq: 1,
      type: 'ledger.recovered',
      payload: { file: recovery.movedTo, lastVerifiedSeq: 0, lastVerifiedHash: '0'.repeat(64), reason: 'unreadable' },
    });
    ledger.append(note(1));
    ledger.close();
    expect(await verifyDir(dir)).toMatchObject({ ok: true, events: 2 });
  });

  test('a valid SQLite file whose chain is broken: the old file and head are kept, the last verified seq and hash are named', async () => {
    const dir = await filledLedger(40);
    let hash39 = '';
    tamper(dir, (db) => {
      hash39 = (db.prepare(`SELECT hash FROM events WHERE seq = 39`).pluck().get() as Buffer).toString('hex');
      db.prepare(`UPDATE events SET body = replace(body, 'test 40', 'changed') WHERE seq = 40`).run();
    });
    const ledger = await openLedger(dir);
    const recovery = ledger.recovery!;
    expect(recovery).toMatchObject({ failure: { seq: 40, reason: 'hash-mismatch' }, lastVerifiedSeq: 39, lastVerifiedHash: hash39 });
    expect(siblings(dir, 'ledger.db.hash-mismatch-')).toEqual([path.basename(recovery.movedTo!)]);
    expect(siblings(dir, 'ledger.head.hash-mismatch-')).toHaveLength(1);
    expect([...ledger.events()][0]).toMatchObject({
      type: 'ledger.recovered',
      payload: { file: recovery.movedTo, lastVerifiedSeq: 39, lastVerifiedHash: hash39, reason: 'hash-mismatch', detail: 'event 40 does not match its hash (edited) (seq 40)' },
    });
    ledger.close();
    expect(await verifyDir(dir)).toMatchObject({ ok: true, events: 1 });
    // The old database is still there to examine: its 40 rows, the edit in row 40.
    const old = new Database(recovery.movedTo!, { readonly: true });
    expect(old.prepare(`SELECT count(*) FROM events`).pluck().get()).toBe(40);
    expect(old.prepare(`SELECT body FROM events WHERE seq = 40`).pluck().get()).toContain('changed');
    old.close();
  });

  test('an older copy restored: started over with reason rollback', async () => {
    const dir = await filledLedger(20);
    const { file } = ledgerFiles(dir);
    fs.copyFileSync(file, path.join(dir, 'old.db'));
    const ledger = await openLedger(dir);
    for (let n = 21; n <= 40; n++) ledger.append(note(n));
    ledger.close();
    fs.copyFileSync(path.join(dir, 'old.db'), file);
    const reopened = await openLedger(dir);
    expect(reopened.recovery).toMatchObject({ failure: { seq: 21, reason: 'rollback' }, lastVerifiedSeq: 20 });
    reopened.close();
  });

  test('the database deleted: a new chain says the log was cut, with no file to name', async () => {
    const dir = await filledLedger(20);
    fs.rmSync(ledgerFiles(dir).file);
    const ledger = await openLedger(dir);
    expect(ledger.recovery).toMatchObject({ movedTo: null, failure: { seq: 1, reason: 'truncated' } });
    expect([...ledger.events()][0]).toMatchObject({ type: 'ledger.recovered', payload: { file: null, reason: 'truncated' } });
    ledger.close();
  });

  test('a damaged page in the middle of the events: found by reading them, moved aside', async () => {
    const dir = await filledLedger(2000);
    const { file } = ledgerFiles(dir);
    const size = fs.statSync(file).size;
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.alloc(4096, 0xa5), 0, 4096, Math.floor(size / 2 / 4096) * 4096);
    fs.closeSync(fd);
    const result = await verifyDir(dir);
    expect(result.ok).toBe(false);
    expect(['unreadable', 'gap', 'hash-mismatch']).toContain(result.failure!.reason);
    const ledger = await openLedger(dir);
    expect(ledger.recovery!.failure.reason).toBe(result.failure!.reason);
    expect(fs.statSync(ledger.recovery!.movedTo!).size).toBe(size);
    ledger.close();
  });

  test('two recoveries in a row keep both old files', async () => {
    const dir = await filledLedger(3);
    const { file } = ledgerFiles(dir);
    fs.writeFileSync(file, 'garbage one');
    (await openLedger(dir)).close();
    fs.writeFileSync(file, 'garbage two');
    (await openLedger(dir)).close();
    const moved = siblings(dir, 'ledger.db.unreadable-');
    expect(moved).toHaveLength(2);
    expect(moved.map((name) => fs.readFileSync(path.join(dir, name), 'utf8')).sort()).toEqual(['garbage one', 'garbage two']);
  });
});
