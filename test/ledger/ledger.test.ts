import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { chainHash, eventBody } from '../../agent/ledger/chain.js';
import { readHead } from '../../agent/ledger/checkpoint.js';
import type { LedgerEventInput } from '../../agent/ledger/events.js';
import { Ledger } from '../../agent/ledger/ledger.js';
import { defaultStateDir } from '../../agent/state/state-dir.js';
import { tempDir } from '../helpers.js';
import { filledLedger, note, openLedger, tamper, verifyDir } from './ledger-helpers.js';

describe('the violation log', () => {
  test('events get gapless seqs from 1, the envelope, and a chain that verifies', async () => {
    const ledger = await openLedger();
    const first = ledger.append({ type: 'agent.started', payload: { cleanShutdown: true, version: '0.1.0', pid: 42 } });
    const [second, third] = ledger.appendAll([{ type: 'agent.heartbeat', payload: {} }, note(1)]);
    expect([first.seq, second!.seq, third!.seq]).toEqual([1, 2, 3]);
    expect(first.prevHash).toBe('0'.repeat(64));
    expect(second!.prevHash).toBe(first.hash);
    expect(first.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(first.bootId === null || /^[0-9a-f-]{36}$/.test(first.bootId)).toBe(true);
    expect(Number.isInteger(first.monotonicMs)).toBe(true);
    expect(second!.monotonicMs).toBeGreaterThanOrEqual(first.monotonicMs);
    expect([...ledger.events()].map((e) => [e.seq, e.type, e.hash])).toEqual([
      [1, 'agent.started', first.hash],
      [2, 'agent.heartbeat', second!.hash],
      [3, 'policy.refused', third!.hash],
    ]);
    const dir = path.dirname(ledger.file);
    ledger.close();
    expect(await verifyDir(dir)).toMatchObject({ ok: true, events: 3, lastSeq: 3, lastHash: third!.hash, lastVerifiedSeq: 3 });
  });

  test('an event outside the vocabulary is refused and nothing is written', async () => {
    const ledger = await openLedger();
    ledger.append(note(1));
    expect(() => ledger.append({ type: 'agent.stopped', payload: { reason: 'x', extra: 1 } } as unknown as LedgerEventInput)).toThrow(/extra/);
    expect(() => ledger.appendAll([note(2), { type: 'no.such', payload: {} } as unknown as LedgerEventInput])).toThrow();
    expect(ledger.tail().seq).toBe(1); // the batch is all or nothing
    ledger.close();
  });

  test('a checkpoint is signed every N events and ledger.head follows it; on demand too', async () => {
    const ledger = await openLedger(undefined, { checkpointEvery: 4 });
    const headFile = ledger.headFile;
    let head = readHead(headFile);
    expect(head.kind === 'ok' && head.checkpoint.seq).toBe(0); // the signed genesis
    for (let n = 1; n <= 9; n++) ledger.append(note(n));
    head = readHead(headFile);
    expect(head.kind === 'ok' && head.checkpoint.seq).toBe(8);
    expect(ledger.db.prepare('SELECT seq FROM checkpoints ORDER BY seq').pluck().all()).toEqual([4, 8]);
    const onDemand = ledger.checkpoint();
    expect(onDemand.seq).toBe(9);
    expect(onDemand.hash.toString('hex')).toBe(ledger.tail().hash);
    expect(ledger.checkpoint().seq).toBe(9); // not twice
    head = readHead(headFile);
    expect(head.kind === 'ok' && head.checkpoint.seq).toBe(9);
    const dir = path.dirname(ledger.file);
    ledger.close();
    expect(await verifyDir(dir)).toMatchObject({ ok: true, checkpoints: 3, head: { seq: 9 } });
  });

  test('hostile payloads round-trip exactly and hash the same after reload', async () => {
    const control = Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).join('') + '\u007f\u0085\u202e\u2066\u200f';
    const deep = (depth: number): Record<string, unknown> => (depth === 0 ? { end: '深' } : { level: depth, next: deep(depth - 1) });
    const payloads = [
      { source: control, field: '\u001b[2J\u001b]0;pwned\u0007', reason: 'ends with a NUL\u0000' },
      { source: '中文路径/保密文件.json', field: '规则', reason: '文件被篡改,签名不符' },
      { source: 'x'.repeat(100_000), field: '长'.repeat(50_000), reason: '\ud83d\ude00 emoji and \ud800 lone \udfff surrogates \udc00\ud800' },
      { source: '"quotes" \\backslashes\\ \u2028\u2029', field: '', reason: '' },
    ];
    const ledger = await openLedger();
    const inputs: LedgerEventInput[] = [
      ...payloads.map((payload) => ({ type: 'policy.refused' as const, payload })),
      {
        type: 'export.performed',
        payload: {
          destination: '/media/U盘',
          medium: { tree: deep(200), list: [1, 0.1, -2.5e-300, 1e300, true, null, 'x'], empty: {}, nothing: [] },
          firstSeq: 1,
          lastSeq: 4,
          headHash: 'ab'.repeat(32),
        },
      },
    ];
    ledger.appendAll(inputs);
    const dir = path.dirname(ledger.file);
    ledger.close();

    const reopened = await openLedger(dir);
    expect(reopened.recovery).toBeUndefined();
    const events = [...reopened.events()];
    expect(events.map((e) => e.payload)).toEqual(inputs.map((i) => i.payload));
    let prev = Buffer.alloc(32);
    for (const event of events) {
      expect(chainHash(prev, eventBody(event)).toString('hex')).toBe(event.hash);
      prev = Buffer.from(event.hash, 'hex');
    }
    reopened.close();
    expect(await verifyDir(dir)).toMatchObject({ ok: true, events: 5 });
  });

  test('a wall clock that goes back is recorded as clock.skew; the order stays that of seq', async () => {
    const times = ['2025-04-30T10:00:00.000Z', '2025-04-30T09:00:00.000Z', '2025-04-30T09:00:01.000Z'];
    let clock = '2025-04-30T08:00:00.000Z';
    const ledger = await openLedger(undefined, { now: () => new Date(clock), checkpointEvery: 2 });
    for (const time of times) {
      clock = time;
      ledger.append({ type: 'agent.heartbeat', payload: {} });
    }
    // clock.skew took seq 2: it is checkpointed like any event.
    expect(ledger.db.prepare('SELECT seq FROM checkpoints').pluck().all()).toEqual([2, 4]);
    expect([...ledger.events()].map((e) => [e.seq, e.type, e.time, e.payload])).toEqual([
      [1, 'agent.heartbeat', times[0], {}],
      [2, 'clock.skew', times[1], { previousTime: times[0], time: times[1] }],
      [3, 'agent.heartbeat', times[1], {}],
      [4, 'agent.heartbeat', times[2], {}],
    ]);
    const dir = path.dirname(ledger.file);
    ledger.close();
    expect((await verifyDir(dir)).ok).toBe(true);
  });

  test('two writers on one log (daemon and CLI) keep one chain', async () => {
    const dir = tempDir('baomi-ledger-');
    const a = await openLedger(dir);
    const b = await openLedger(dir);
    for (let n = 1; n <= 40; n++) (n % 3 === 0 ? b : a).append(note(n));
    expect(a.tail()).toEqual(b.tail());
    a.close();
    b.close();
    expect(await verifyDir(dir)).toMatchObject({ ok: true, events: 40, checkpoints: 2 });
  });

  test('the incidents table is checked against the chain when the log is opened', async () => {
    const ledger = await openLedger();
    ledger.append({
      type: 'violation.opened',
      payload: {
        rule: 'NET-CABLE',
        severity: 'critical',
        findingId: 'net:eth0@02:00:00:00:00:01',
        findingKind: 'network-interface',
        citation: 'T3 第十条',
        title: { zh: '连接了网线', en: 'Network cable connected' },
        evidence: { device: 'eth0', reason: { zh: '有链路', en: 'link detected' } },
      },
    });
    const dir = path.dirname(ledger.file);
    ledger.close();
    // Someone deletes the real incident and plants one for a USB stick, so that plugging it in would look "persisting".
    tamper(dir, (db) => {
      db.prepare('DELETE FROM incidents').run();
      db.prepare(`INSERT INTO incidents VALUES ('MEDIA-UNREGISTERED', 'usb:1234:5678:SN', 'removable-storage', 1, 'x', 'x')`).run();
    });
    const reopened = await openLedger(dir);
    expect(reopened.db.prepare('SELECT rule, finding_id AS findingId, opened_seq AS openedSeq FROM incidents').all()).toEqual([
      { rule: 'NET-CABLE', findingId: 'net:eth0@02:00:00:00:00:01', openedSeq: 1 },
    ]);
    reopened.close();
  });
});

describe('the state directory', () => {
  test('root: /var/lib/baomi; others: $XDG_STATE_HOME/baomi, else ~/.local/state/baomi', () => {
    expect(defaultStateDir({}, 0, '/root')).toBe('/var/lib/baomi');
    expect(defaultStateDir({ XDG_STATE_HOME: '/srv/state' }, 1000, '/home/li')).toBe('/srv/state/baomi');
    expect(defaultStateDir({ XDG_STATE_HOME: 'relative/ignored' }, 1000, '/home/li')).toBe('/home/li/.local/state/baomi');
    expect(defaultStateDir({}, 1000, '/home/li')).toBe('/home/li/.local/state/baomi');
  });

  test('the directory is 0700 and the database, its WAL, the key and the head are 0600, tightened if found looser', async () => {
    const parent = tempDir('baomi-modes-');
    const dir = path.join(parent, 'state');
    const mode = (file: string) => fs.statSync(path.join(dir, file)).mode & 0o777;
    const ledger = await openLedger(dir);
    ledger.append(note(1));
    expect(mode('.')).toBe(0o700);
    for (const file of ['ledger.db', 'ledger.db-wal', 'ledger.db-shm', 'agent.key', 'ledger.head']) expect([file, mode(file)]).toEqual([file, 0o600]);
    ledger.close();

    fs.chmodSync(dir, 0o755);
    fs.chmodSync(path.join(dir, 'agent.key'), 0o644);
    fs.chmodSync(path.join(dir, 'ledger.db'), 0o664);
    const again = await Ledger.open({ stateDir: dir });
    expect(mode('.')).toBe(0o700);
    expect(mode('agent.key')).toBe(0o600);
    expect(mode('ledger.db')).toBe(0o600);
    again.close();
  });

  test('temporary files a killed writer left behind are removed on open', async () => {
    const dir = await filledLedger(3);
    const stale = path.join(dir, 'ledger.head.tmp-999999999-0badc0de');
    fs.writeFileSync(stale, 'half a head');
    (await openLedger(dir)).close();
    expect(fs.existsSync(stale)).toBe(false);
  });
});
