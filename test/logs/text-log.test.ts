import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, describe, expect, test } from 'vitest';
import type { LogRecord } from '../../agent/logs/log-record.js';
import { SyslogLineParser } from '../../agent/logs/syslog-line.js';
import { readTextLog } from '../../agent/logs/text-log.js';
import { FIXTURES } from '../helpers.js';
import { tempDir } from './journal-fixtures.js';

const LOGS = path.join(FIXTURES, 'log-host', 'var', 'log');
const dir = tempDir('text-log');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A copy of a fixture log with the last-write time it would have on the host. */
function copy(name: string, mtime: string, bytes?: Buffer): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes ?? fs.readFileSync(path.join(LOGS, name)));
  fs.utimesSync(file, new Date(mtime), new Date(mtime));
  return file;
}

async function read(file: string, gzip = false, zone = 'Asia/Shanghai') {
  const records: LogRecord[] = [];
  const summary = await readTextLog(file, { file: `/var/log/${path.basename(file)}`, timezone: zone, gzip, onRecord: (r) => records.push(r) });
  return { summary, records };
}

describe('traditional syslog times (no year, no zone)', () => {
  test('kern.log: host zone, year of the last write, kernel stamp removed, line numbers', async () => {
    const { summary, records } = await read(copy('kern.log', '2026-11-28T01:40:03Z'));
    expect(records[1]).toEqual({
      time: '2026-11-28T01:31:19.000000Z', identifier: 'kernel', bootId: null, seqnum: null, line: 2, file: '/var/log/kern.log',
      message: 'usb 1-1: New USB device found, idVendor=0951, idProduct=1666, bcdDevice= 1.00',
    });
    expect(records.map((r) => r.message)).toContain('usb 1-1: SerialNumber: S999');
    expect(records.every((r) => !r.message.startsWith('['))).toBe(true);
    // the empty line 8 is numbered but carries nothing
    expect(records.at(-1)).toMatchObject({ line: 9, message: 'usb 1-1: USB disconnect, device number 2' });
    expect(summary).toEqual({ records: 8, from: '2026-11-28T01:31:19.000000Z', to: '2026-11-28T01:40:02.000000Z', problem: null, detail: null });
  });

  test('December lines in a file last written in January are of the year before (gzip rotation)', async () => {
    const { summary, records } = await read(copy('kern.log.2.gz', '2026-01-03T02:00:00Z'), true);
    expect(records.map((r) => [r.time, r.message])).toEqual([
      ['2025-12-31T15:59:58.000000Z', 'usb 2-1: new SuperSpeed USB device number 4 using xhci_hcd'],
      ['2025-12-31T16:00:03.000000Z', 'usb 2-1: SerialNumber: NEWYEAR1'],
      ['2026-01-02T02:15:00.000000Z', 'usb 2-1: USB disconnect, device number 4'],
    ]);
    expect(summary).toMatchObject({ records: 3, problem: null, from: '2025-12-31T15:59:58.000000Z' });
  });

  test('a month later than the last write is the year before', () => {
    const parser = new SyslogLineParser('UTC', new Date('2026-03-10T00:00:00Z'));
    expect(parser.parse('Apr  1 00:00:00 h kernel: x').time).toBe('2025-04-01T00:00:00.000000Z');
    expect(parser.parse('Mar 10 00:00:00 h kernel: x').time).toBe('2026-03-10T00:00:00.000000Z');
  });

  test('the zone’s daylight saving time is applied', () => {
    const parser = new SyslogLineParser('Europe/Berlin', new Date('2026-12-01T00:00:00Z'));
    expect(parser.parse('Jul  1 12:00:00 h x: y').time).toBe('2026-07-01T10:00:00.000000Z');
    expect(parser.parse('Jan  1 12:00:00 h x: y').time).toBe('2026-01-01T11:00:00.000000Z');
  });
});

describe('RFC 3339 times (rsyslog on Debian 13)', () => {
  test('offsets and fractions kept to the microsecond; identifiers with and without [pid]', async () => {
    const { records } = await read(copy('syslog', '2026-11-28T02:00:00Z'));
    expect(records.map((r) => [r.line, r.time, r.identifier])).toEqual([
      [1, '2026-11-28T01:31:19.356812Z', 'kernel'],
      [2, '2026-11-28T01:35:00.123456Z', 'NetworkManager'],
      [3, '2026-11-28T01:36:00.000000Z', 'dhclient'],
      [4, null, null],
      [5, '2026-11-28T10:07:00.500000Z', 'systemd'],
    ]);
    expect(records[0]!.message).toBe('usb 1-1: New USB device found, idVendor=0951, idProduct=1666, bcdDevice= 1.00');
    expect(records[1]!.message).toBe('<info>  [1795829700.1234] device (enp0s31f6): carrier: link connected');
  });

  test('a line in neither format is kept whole, with no time: a continuation is not dropped', async () => {
    const { records } = await read(copy('syslog', '2026-11-28T02:00:00Z'));
    expect(records[3]).toMatchObject({ line: 4, time: null, identifier: null, message: '  continuation of a message that spans lines' });
  });

  test('invalid UTF-8 is kept as \\xNN', async () => {
    const { records } = await read(copy('syslog.1', '2026-11-28T02:00:00Z'));
    expect(records).toEqual([expect.objectContaining({ identifier: 'label-tool', message: 'caf\\xe9 \\xff!', time: '2026-11-27T10:00:00.000001Z' })]);
  });
});

describe('damage and size', () => {
  test('a gzip file cut short: the lines before the cut, then truncated', async () => {
    const whole = fs.readFileSync(path.join(LOGS, 'kern.log.2.gz'));
    const lines = Array.from({ length: 5000 }, (_, i) => `Nov 28 09:31:19 pc-017 kernel: [ ${i}.000000] line ${i} ${'x'.repeat(i % 97)}`).join('\n');
    const big = zlib.gzipSync(lines);
    const { summary, records } = await read(copy('cut.gz', '2026-11-28T02:00:00Z', big.subarray(0, Math.floor(big.length / 2))), true);
    expect(summary.problem).toBe('truncated');
    expect(records.length).toBeGreaterThan(100);
    expect(records.length).toBeLessThan(5000);
    records.slice(0, -1).forEach((r, i) => expect(r.message).toBe(`line ${i} ${'x'.repeat(i % 97)}`));
    const tiny = await read(copy('tiny.gz', '2026-01-03T02:00:00Z', whole.subarray(0, whole.length - 10)), true);
    expect(tiny.summary.problem).toBe('truncated');
  });

  test('not gzip at all: corrupt, no throw', async () => {
    const { summary } = await read(copy('kern.log', '2026-11-28T02:00:00Z'), true);
    expect(summary).toMatchObject({ records: 0, problem: 'corrupt' });
  });

  test('a file without a final newline keeps its last line; CRLF is tolerated', async () => {
    const { records } = await read(copy('crlf', '2026-11-28T02:00:00Z', Buffer.from('Nov 28 09:31:19 h a: one\r\nNov 28 09:31:20 h b[1]: two')));
    expect(records.map((r) => [r.identifier, r.message, r.line])).toEqual([['a', 'one', 1], ['b', 'two', 2]]);
  });

  test('lines across stream chunks (a 3 MB file) are whole and numbered', async () => {
    const text = Array.from({ length: 40000 }, (_, i) => `2026-11-28T09:31:19+08:00 h kernel: [ 1.0] n=${i} ${'é'.repeat(i % 50)}`).join('\n') + '\n';
    const { summary, records } = await read(copy('big', '2026-11-28T02:00:00Z', Buffer.from(text)));
    expect(summary.records).toBe(40000);
    const wrong = records.filter((r, i) => r.message !== `n=${i} ${'é'.repeat(i % 50)}` || r.line !== i + 1);
    expect(wrong).toEqual([]);
  });
});
