import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { readJournalFile } from '../../agent/logs/journal-file.js';
import type { LogRecord } from '../../agent/logs/log-record.js';
import { BOOT_A, BOOT_B, bigMessage, fixtureEntries } from '../../scripts/gen-journal-fixtures.js';
import { JOURNALS, journalBytes, mainEntryArrays, rawObjects, readJournalBytes, tempDir } from './journal-fixtures.js';

const dir = tempDir('journal');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const ENTRIES = fixtureEntries().length; // 311
const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

describe.each(JOURNALS)('%s, written by systemd-journal-remote', (name) => {
  const bytes = journalBytes(name);
  const { summary, records } = readJournalBytes(dir, bytes, name);

  test('is the mode it claims (compact flag, keyed hash, zstd)', () => {
    const flags = bytes.readUInt32LE(12);
    expect(flags & 0x10).toBe(name === 'usb-compact.journal' ? 0x10 : 0);
    expect(flags & 0x04).toBe(0x04);
    expect(flags & 0x08).toBe(0x08);
  });

  test('every entry, in order, with its time, seqnum and boot', () => {
    expect(summary).toEqual({ records: ENTRIES, from: '2026-11-28T01:31:19.001000Z', to: records.at(-1)!.time, problem: null, detail: null });
    expect(records.map((r) => r.seqnum)).toEqual(Array.from({ length: ENTRIES }, (_, i) => i + 1));
    expect(records[0]).toEqual({
      time: '2026-11-28T01:31:19.001000Z', identifier: 'kernel', bootId: BOOT_A, seqnum: 1, line: null,
      file: `/var/log/journal/m/${name}`, message: 'usb 1-1: new high-speed USB device number 2 using xhci_hcd',
    });
    expect(records.at(-1)).toMatchObject({ identifier: 'kernel', bootId: BOOT_B, message: 'usb 2-1: USB disconnect, device number 3' });
    expect(records.at(-1)!.time).toBe('2026-11-28T02:31:19.311000Z');
  });

  test('the USB lines as written', () => {
    const kernel = records.filter((r) => r.identifier === 'kernel').map((r) => r.message);
    expect(kernel).toContain('usb 1-1: New USB device found, idVendor=0951, idProduct=1666, bcdDevice= 1.00');
    expect(kernel).toContain('usb 1-1: SerialNumber: S999');
    expect(kernel).toHaveLength(7);
  });

  test('identifier from SYSLOG_IDENTIFIER, else _COMM', () => {
    expect(records[5]).toMatchObject({ identifier: 'NetworkManager', message: expect.stringContaining('carrier: link connected') });
    expect(records[6]).toMatchObject({ identifier: 'dhclient', message: 'DHCPACK of 192.168.1.23 from 192.168.1.1' });
  });

  test('invalid UTF-8 is kept, each bad byte as \\xNN', () => {
    expect(records[7]).toMatchObject({ identifier: 'label-tool', message: 'caf\\xe9 \\xff!' });
  });

  test('a big MESSAGE the writer compressed with zstd', () => {
    expect(bytes.includes(Buffer.from(bigMessage()))).toBe(false); // not stored in clear …
    expect(rawObjects(bytes).some((o) => o.type === 1 && o.flags === 4)).toBe(true); // … but zstd
    expect(records[8]).toMatchObject({ identifier: 'big-talker', message: bigMessage() });
  });

  test('wanted: unwanted records are counted, never passed on', () => {
    const file = path.join(dir, name);
    const kept: LogRecord[] = [];
    const seen: (string | null)[] = [];
    const result = readJournalFile(file, {
      file: 'f', onRecord: (r) => kept.push(r),
      wanted: (identifier) => { seen.push(identifier); return identifier === 'kernel'; },
    });
    expect(result.records).toBe(ENTRIES);
    expect(seen).toHaveLength(ENTRIES);
    expect(kept.map((r) => r.message)).toEqual(records.filter((r) => r.identifier === 'kernel').map((r) => r.message));
  });

  test.runIf(has('journalctl'))('agrees with journalctl -o export (extra oracle)', () => {
    const out = spawnSync('journalctl', ['--file', path.join(dir, name), '-o', 'export'], { maxBuffer: 1 << 26 });
    const messages = out.stdout.toString('latin1').split('\n\n').filter((e) => e.includes('__CURSOR='))
      .map((e) => /^MESSAGE=(.*)$/m.exec(e)?.[1] ?? null);
    expect(messages).toHaveLength(ENTRIES);
    records.forEach((r, i) => {
      if (messages[i] !== null) expect(r.message).toBe(messages[i]);
    });
  });
});

describe('damaged journal files: every readable entry, a problem, and an end', () => {
  const bytes = journalBytes('usb-compact.journal');
  const objects = rawObjects(bytes);
  const entries = objects.filter((o) => o.type === 3);
  const tailEnd = objects.at(-1)!.offset + objects.at(-1)!.size;
  const full = readJournalBytes(dir, bytes, 'full.journal').records;

  test.each([0.1, 0.5, 0.9, 0.999])('cut at a fraction %f of the written objects', (fraction) => {
    const firstEntry = entries[0]!.offset;
    const cut = Math.floor(firstEntry + (tailEnd - firstEntry) * fraction);
    const { summary, records } = readJournalBytes(dir, bytes.subarray(0, cut), `cut-${fraction}.journal`);
    const complete = entries.filter((e) => e.offset + e.size <= cut).length;
    expect(records).toEqual(full.slice(0, complete).map((r) => ({ ...r, file: expect.any(String) })));
    expect(complete).toBeGreaterThan(0);
    expect(summary.problem).toBe('truncated');
    expect(summary.detail).toMatch(/file ends at/);
  });

  test('cut inside the header, or empty: truncated, no entries', () => {
    expect(readJournalBytes(dir, bytes.subarray(0, 100), 'head.journal').summary).toMatchObject({ records: 0, problem: 'truncated' });
    expect(readJournalBytes(dir, Buffer.alloc(0), 'empty.journal').summary).toMatchObject({ records: 0, problem: 'truncated' });
  });

  test('cut after the last object (in the zeros journald allocated ahead): nothing lost, no problem', () => {
    const { summary } = readJournalBytes(dir, bytes.subarray(0, tailEnd + 64), 'short.journal');
    expect(summary).toMatchObject({ records: ENTRIES, problem: null });
  });

  test('not a journal: corrupt', () => {
    const { summary } = readJournalBytes(dir, Buffer.from('hello, I am not a journal file at all\n'.repeat(20)), 'text.journal');
    expect(summary).toMatchObject({ records: 0, problem: 'corrupt', detail: expect.stringContaining('LPKSHHRH') });
  });

  test('a flipped type byte in an entry header: that entry lost, the later ones recovered through the entry arrays', () => {
    const damaged = Buffer.from(bytes);
    const victim = entries[100]!;
    damaged[victim.offset] = 0x55;
    const { summary, records } = readJournalBytes(dir, damaged, 'flipped.journal');
    expect(summary.problem).toBe('corrupt');
    expect(summary.detail).toMatch(new RegExp(`invalid object \\(type 85, size \\d+\\) at offset ${victim.offset}`));
    expect(summary.detail).toMatch(/recovered through the entry arrays/);
    expect(records.map((r) => r.seqnum)).toEqual(full.map((r) => r.seqnum).filter((s) => s !== 101));
  });

  test('a garbage size in an object header (past the end): corrupt, later entries recovered', () => {
    const damaged = Buffer.from(bytes);
    const victim = objects.find((o) => o.type === 1 && o.offset > entries[200]!.offset)!;
    damaged.writeBigUInt64LE(0xffff_ffff_ffffn, victim.offset + 8);
    const { summary, records } = readJournalBytes(dir, damaged, 'size.journal');
    expect(summary.problem).toBe('corrupt');
    expect(records.map((r) => r.seqnum)).toEqual(full.map((r) => r.seqnum)); // that DATA object's field only is lost
    expect(records.slice(0, 200)).toEqual(full.slice(0, 200).map((r) => ({ ...r, file: expect.any(String) })));
  });

  test('an entry item pointing at garbage loses that field only', () => {
    const damaged = Buffer.from(bytes);
    const victim = entries[1]!;
    // compact: 4-byte items from offset 64 of the entry; point every item somewhere absurd
    for (let at = victim.offset + 64; at < victim.offset + victim.size; at += 4) damaged.writeUInt32LE(0xfffffff0, at);
    const { summary, records } = readJournalBytes(dir, damaged, 'items.journal');
    expect(records).toHaveLength(ENTRIES);
    expect(records[1]).toMatchObject({ seqnum: 2, message: '', identifier: null, bootId: BOOT_A });
    expect(summary).toMatchObject({ problem: 'corrupt', detail: expect.stringMatching(/entry items point at no DATA object/) });
  });

  test.each(['first', 'itself'])('an entry-array chain whose last array points back to the %s ends', (target) => {
    const damaged = Buffer.from(bytes);
    const arrays = mainEntryArrays(bytes);
    const last = arrays.at(-1)!;
    expect(arrays.length).toBeGreaterThan(3);
    damaged.writeBigUInt64LE(BigInt(target === 'first' ? arrays[0]! : last), last + 16);
    damaged[entries[50]!.offset] = 0x55; // stop the walk so that the chain is followed
    const { summary, records } = readJournalBytes(dir, damaged, `loop-${target}.journal`);
    expect(summary.problem).toBe('corrupt');
    expect(records.map((r) => r.seqnum)).toEqual(full.map((r) => r.seqnum).filter((s) => s !== 51));
  });

  test('entry-array offsets that go backwards stop the recovery', () => {
    const damaged = Buffer.from(bytes);
    const arrays = mainEntryArrays(bytes);
    damaged.writeUInt32LE(entries[10]!.offset, arrays[3]! + 24); // an earlier entry again
    damaged[entries[5]!.offset] = 0x55;
    const { summary, records } = readJournalBytes(dir, damaged, 'backwards.journal');
    expect(summary).toMatchObject({ problem: 'corrupt', detail: expect.stringContaining('entry array offsets do not increase') });
    expect(records.length).toBeGreaterThanOrEqual(5);
    expect(new Set(records.map((r) => r.seqnum)).size).toBe(records.length);
  });

  test('online (still being written) is read as is', () => {
    const online = Buffer.from(bytes);
    online[16] = 1;
    expect(readJournalBytes(dir, online, 'online.journal').summary).toMatchObject({ records: ENTRIES, problem: null });
  });

  test('an unknown incompatible flag: unsupported, nothing guessed', () => {
    const future = Buffer.from(bytes);
    future.writeUInt32LE(future.readUInt32LE(12) | 0x40, 12);
    expect(readJournalBytes(dir, future, 'future.journal').summary).toMatchObject({ records: 0, problem: 'unsupported' });
  });

  test('an LZ4-compressed field is skipped and counted, the entry kept', () => {
    const lz4 = Buffer.from(bytes);
    const big = objects.find((o) => o.type === 1 && o.flags === 4)!;
    lz4[big.offset + 1] = 2;
    const { summary, records } = readJournalBytes(dir, lz4, 'lz4.journal');
    expect(records).toHaveLength(ENTRIES);
    expect(records[8]).toMatchObject({ identifier: 'big-talker', message: '' });
    expect(summary).toMatchObject({ problem: 'unsupported', detail: expect.stringContaining('lz4 1') });
  });
});
