import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, test } from 'vitest';
import { FOLDER, FimFixture, changes, folderFinding } from './fim-fixture.js';

function edit(file: string, sql: string): void {
  const db = new Database(file);
  db.exec(sql);
  db.close();
}

describe('the baseline is vouched for by the violation log', () => {
  test('a row edited in the database (hiding a change) makes the baseline "tampered", and nothing is compared with it', async () => {
    const fim = new FimFixture();
    const file = fim.write('contract.txt', 'pay 100');
    fim.write('other.txt', 'x');
    await fim.scan();
    fs.writeFileSync(file, 'pay 900');
    // Someone puts the new file's hash into the baseline to hide the change.
    const { createHash } = await import('node:crypto');
    edit(fim.dbFile, `UPDATE baseline_files SET sha256 = '${createHash('sha256').update('pay 900').digest('hex')}' WHERE path = 'contract.txt'`);
    const result = await fim.scan();
    expect(folderFinding(result)).toMatchObject({ state: 'baseline-tampered', detail: expect.stringContaining('摘要不符') });
    expect(changes(result)).toEqual([]);
    expect(result.stats[0]!.pass).toBeNull();
    // The officer looks, then renews: from then on the folder verifies again.
    const renewed = await fim.scan('renew');
    expect(renewed.baselined[0]).toMatchObject({ reason: 'officer', files: 2 });
    expect(renewed.stats[0]!.pass).toMatchObject({ reused: 0, hashed: 2 }); // nothing taken over from the untrusted baseline
    expect(folderFinding(await fim.scan())).toMatchObject({ state: 'verified' });
  });

  test('a row deleted, or the stored digest rewritten to match, is tampering too', async () => {
    const fim = new FimFixture();
    fim.write('a.txt', 'a');
    fim.write('b.txt', 'b');
    await fim.scan();
    edit(fim.dbFile, `DELETE FROM baseline_files WHERE path = 'b.txt'`);
    expect(folderFinding(await fim.scan())).toMatchObject({ state: 'baseline-tampered' });
    const fim2 = new FimFixture();
    fim2.write('a.txt', 'a');
    await fim2.scan();
    edit(fim2.dbFile, `UPDATE baseline_files SET mtime_ns = mtime_ns + 1; UPDATE baselines SET digest = '${'0'.repeat(64)}'`);
    expect(folderFinding(await fim2.scan())).toMatchObject({ state: 'baseline-tampered' });
  });

  test('a baseline the log has no digest for is not trusted; a digest the database has no baseline for neither', async () => {
    const fim = new FimFixture();
    fim.write('a.txt', 'a');
    await fim.scan();
    const digest = fim.digests.get(FOLDER)!;
    fim.digests.clear(); // e.g. the files.baselined event was never appended
    expect(folderFinding(await fim.scan())).toMatchObject({ state: 'baseline-tampered', detail: expect.stringContaining('未在违规日志中登记') });

    fim.digests.set(FOLDER, digest);
    fs.rmSync(fim.dbFile); // the whole database deleted: not a fresh start
    const result = await fim.scan();
    expect(folderFinding(result)).toMatchObject({ state: 'baseline-tampered', detail: expect.stringContaining('数据库中没有') });
    expect(result.baselined).toEqual([]);
  });
});

describe('an unusable database is kept aside, never deleted', () => {
  test('garbage in file-integrity.db: moved aside with its contents, a new store made, the result says so', async () => {
    const fim = new FimFixture();
    fim.write('a.txt', 'a');
    await fim.scan();
    const garbage = Buffer.from('this is not an SQLite database, but evidence all the same');
    fs.writeFileSync(fim.dbFile, garbage);
    const result = await fim.scan();
    expect(result.databaseSetAside).toEqual({ movedTo: expect.stringMatching(/file-integrity\.db\.not-a-database-\d{8}T\d+Z$/), reason: 'not-a-database' });
    expect(fs.readFileSync(result.databaseSetAside!.movedTo!)).toEqual(garbage);
    // The log still holds the old digest: the baseline is gone, which is reported, not silently remade.
    expect(folderFinding(result)).toMatchObject({ state: 'baseline-tampered', detail: expect.stringContaining('not-a-database') });
    expect(fs.statSync(fim.dbFile).mode & 0o777).toBe(0o600);
    expect(fs.statSync(fim.stateDir).mode & 0o777).toBe(0o700);
  });

  test('an added trigger is an altered schema: set aside', async () => {
    const fim = new FimFixture();
    fim.write('a.txt', 'a');
    await fim.scan();
    edit(fim.dbFile, `CREATE TRIGGER hide AFTER INSERT ON pass_files BEGIN DELETE FROM pass_files WHERE path = 'a.txt'; END`);
    const result = await fim.scan();
    expect(result.databaseSetAside).toMatchObject({ reason: 'schema-altered' });
    expect(fs.existsSync(result.databaseSetAside!.movedTo!)).toBe(true);
  });

  test('a dry run moves nothing and reports the store it could not use', async () => {
    const fim = new FimFixture();
    fim.write('a.txt', 'a');
    await fim.scan();
    fs.writeFileSync(fim.dbFile, 'garbage');
    const result = await fim.scan('read-only');
    expect(result.databaseSetAside).toEqual({ movedTo: null, reason: 'not-a-database' });
    expect(fs.readdirSync(fim.stateDir)).toEqual(['file-integrity.db']);
    expect(folderFinding(result).state).toBe('baseline-tampered');
  });
});

describe('resumable', () => {
  test('a pass aborted after N hashed files continues: the next run hashes only the rest', async () => {
    const fim = new FimFixture();
    for (let i = 0; i < 1200; i++) fim.write(`d${i % 7}/f${String(i).padStart(4, '0')}.txt`, `file ${i}`);
    const controller = new AbortController();
    let hashedBeforeAbort = 0;
    await expect(
      fim.scan('compare', {
        signal: controller.signal,
        progress: (p) => {
          if (p.phase === 'hash' && p.files >= 300 && !controller.signal.aborted) {
            hashedBeforeAbort = p.files;
            controller.abort();
          }
        },
      }),
    ).rejects.toThrow(/abort/i);
    expect(hashedBeforeAbort).toBeGreaterThanOrEqual(300);
    expect(fim.digests.size).toBe(0);
    // Meanwhile a file hashed before the abort changes and another is deleted (d0/ and d1/ come
    // first in path order, 172 files each: both were among the first 512 hashed).
    fs.writeFileSync(path.join(fim.dir, 'd0/f0000.txt'), 'changed meanwhile');
    fs.rmSync(path.join(fim.dir, 'd1/f0001.txt'));

    const resumed = await fim.scan();
    expect(resumed.stats[0]!.pass).toMatchObject({ resumed: true, files: 1199, hashed: 1200 - hashedBeforeAbort + 1 });
    expect(resumed.baselined[0]).toMatchObject({ files: 1199, reason: 'first-scan' });

    // The baseline it made is the same as one made in a single run.
    const fresh = new FimFixture();
    fs.cpSync(fim.dir, fresh.dir, { recursive: true, preserveTimestamps: true });
    const db = new Database(fim.dbFile, { readonly: true });
    const rows = db.prepare(`SELECT path, sha256 FROM baseline_files ORDER BY path`).raw().all();
    db.close();
    await fresh.scan();
    const db2 = new Database(fresh.dbFile, { readonly: true });
    expect(db2.prepare(`SELECT path, sha256 FROM baseline_files ORDER BY path`).raw().all()).toEqual(rows);
    db2.close();
    expect(folderFinding(await fim.scan())).toMatchObject({ state: 'verified' });
  });

  test('a pass aborted during the walk leaves no baseline and the next run completes it', async () => {
    const fim = new FimFixture();
    for (let i = 0; i < 600; i++) fim.write(`f${i}.txt`, `${i}`);
    const controller = new AbortController();
    await expect(
      fim.scan('compare', { signal: controller.signal, progress: (p) => p.phase === 'walk' && p.files >= 256 && controller.abort() }),
    ).rejects.toThrow(/abort/i);
    const result = await fim.scan();
    expect(result.baselined[0]).toMatchObject({ files: 600 });
    expect(result.stats[0]!.pass).toMatchObject({ hashed: 600, resumed: true });
  });
});
