import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { Finding } from '../../agent/findings/schema.js';
import { HostAccessError, HostRoot } from '../../agent/host-root.js';
import type { LogRecord } from '../../agent/logs/log-record.js';
import { readSystemLogs } from '../../agent/logs/system-logs.js';
import { FIXTURES } from '../helpers.js';
import { journalBytes, rawObjects, tempDir } from './journal-fixtures.js';

const MACHINE = '3d1219c7c4c5404aaa1f6d2a48adfda4';

/** A host tree: the captured text logs of test/fixtures/log-host, and the genuine journal files. */
function hostTree(): string {
  const root = tempDir('system-logs');
  fs.cpSync(path.join(FIXTURES, 'log-host'), root, { recursive: true });
  const persistent = path.join(root, 'var/log/journal', MACHINE);
  const volatile = path.join(root, 'run/log/journal', MACHINE);
  fs.mkdirSync(persistent, { recursive: true });
  fs.mkdirSync(volatile, { recursive: true });
  const compact = journalBytes('usb-compact.journal');
  fs.writeFileSync(path.join(persistent, 'system.journal'), compact);
  const middleEntry = rawObjects(compact).filter((o) => o.type === 3)[150]!;
  fs.writeFileSync(path.join(persistent, 'system@0005f1c2a3b4c5d6-1a2b3c4d5e6f7a8b.journal~'), compact.subarray(0, middleEntry.offset + 10));
  fs.writeFileSync(path.join(volatile, 'system.journal'), journalBytes('usb-regular.journal'));
  const times: [string, string][] = [['kern.log', '2026-11-28T01:40:03Z'], ['kern.log.1', '2026-11-21T00:00:00Z'], ['kern.log.2.gz', '2026-01-03T02:00:00Z'],
    ['syslog', '2026-11-28T02:00:00Z'], ['syslog.1', '2026-11-28T00:00:00Z']];
  for (const [name, time] of times) fs.utimesSync(path.join(root, 'var/log', name), new Date(time), new Date(time));
  return root;
}

const roots: string[] = [];
afterAll(() => roots.forEach((r) => fs.rmSync(r, { recursive: true, force: true })));

async function scan(host: HostRoot, wanted?: (identifier: string | null, message: string) => boolean) {
  const records: LogRecord[] = [];
  const findings = await readSystemLogs(host, { fallbackTimezone: 'UTC', onRecord: (r) => records.push(r), ...(wanted ? { wanted } : {}) });
  return { findings, records };
}

describe('readSystemLogs', () => {
  const root = hostTree();
  roots.push(root);

  test('every log once, journals then text logs oldest rotation first, one valid finding per file', async () => {
    const { findings, records } = await scan(new HostRoot(root));
    expect(findings.map((f) => [f.file, f.format, f.problem])).toEqual([
      [`/var/log/journal/${MACHINE}/system.journal`, 'journal', null],
      [`/var/log/journal/${MACHINE}/system@0005f1c2a3b4c5d6-1a2b3c4d5e6f7a8b.journal~`, 'journal', 'truncated'],
      [`/run/log/journal/${MACHINE}/system.journal`, 'journal', null],
      ['/var/log/kern.log.2.gz', 'gzip', null],
      ['/var/log/kern.log.1', 'text', null],
      ['/var/log/kern.log', 'text', null],
      ['/var/log/syslog.1', 'text', null],
      ['/var/log/syslog', 'text', null],
    ].map(([file, format, problem]) => [file, format, problem]));
    for (const f of findings) expect(Finding.parse(f)).toEqual(f);
    expect(findings[0]).toMatchObject({ id: `log:/var/log/journal/${MACHINE}/system.journal`, kind: 'log-source', records: 311, from: '2026-11-28T01:31:19.001000Z' });
    expect(findings[1]).toMatchObject({ records: 150, problem: 'truncated' });
    expect(findings[3]).toMatchObject({ records: 3, from: '2025-12-31T15:59:58.000000Z', to: '2026-01-02T02:15:00.000000Z' });
    expect(records).toHaveLength(findings.reduce((n, f) => n + f.records, 0));
    const files = [...new Set(records.map((r) => r.file))];
    expect(files).toEqual(findings.filter((f) => f.records > 0).map((f) => f.file));
  });

  test('traditional times are read in the host’s zone (/etc/timezone), not the fallback', async () => {
    const { records } = await scan(new HostRoot(root));
    const line = records.find((r) => r.file === '/var/log/kern.log' && r.line === 2)!;
    expect(line.time).toBe('2026-11-28T01:31:19.000000Z'); // 09:31:19 in Asia/Shanghai
  });

  test('the fallback zone when the host names none; /etc/localtime’s link target otherwise', async () => {
    const bare = hostTree();
    roots.push(bare);
    fs.rmSync(path.join(bare, 'etc/timezone'));
    let line = (await scan(new HostRoot(bare))).records.find((r) => r.file === '/var/log/kern.log' && r.line === 2)!;
    expect(line.time).toBe('2026-11-28T09:31:19.000000Z');
    fs.symlinkSync('/usr/share/zoneinfo/Asia/Tokyo', path.join(bare, 'etc/localtime'));
    line = (await scan(new HostRoot(bare))).records.find((r) => r.file === '/var/log/kern.log' && r.line === 2)!;
    expect(line.time).toBe('2026-11-28T00:31:19.000000Z');
  });

  test('wanted: records it rejects are counted but never passed on', async () => {
    const { findings, records } = await scan(new HostRoot(root), (identifier, message) => identifier === 'kernel' && message.startsWith('usb '));
    expect(records.length).toBeGreaterThan(10);
    expect(records.every((r) => r.identifier === 'kernel' && r.message.startsWith('usb '))).toBe(true);
    expect(findings[0]!.records).toBe(311);
    expect(records.filter((r) => r.message === 'usb 1-1: SerialNumber: S999').map((r) => r.file)).toEqual([
      `/var/log/journal/${MACHINE}/system.journal`, `/var/log/journal/${MACHINE}/system@0005f1c2a3b4c5d6-1a2b3c4d5e6f7a8b.journal~`,
      `/run/log/journal/${MACHINE}/system.journal`, '/var/log/kern.log',
    ]);
  });

  test('a link out of the root is not followed; a directory where a log should be is reported', async () => {
    const tree = hostTree();
    roots.push(tree);
    fs.symlinkSync('/etc/passwd', path.join(tree, 'var/log/messages'));
    fs.mkdirSync(path.join(tree, 'var/log/syslog.3'));
    const { findings } = await scan(new HostRoot(tree));
    expect(findings.find((f) => f.file === '/var/log/messages')).toMatchObject({ problem: 'unreadable', records: 0 });
    expect(findings.find((f) => f.file === '/var/log/syslog.3')).toMatchObject({ problem: 'unsupported', records: 0 });
  });

  test('a directory the host refuses to list: unreadable, the rest read', async () => {
    class Refusing extends HostRoot {
      override list(hostPath: string): string[] {
        if (hostPath === '/var/log/journal') throw new HostAccessError(hostPath, 'EACCES');
        return super.list(hostPath);
      }
    }
    const { findings } = await scan(new Refusing(root));
    expect(findings[0]).toMatchObject({ id: 'log:/var/log/journal', problem: 'unreadable', detail: 'EACCES: /var/log/journal' });
    expect(findings.filter((f) => f.problem === null).length).toBeGreaterThan(4);
  });

  test.skipIf(process.getuid?.() === 0)('a file that cannot be opened (EACCES): unreadable, never a throw', async () => {
    const tree = hostTree();
    roots.push(tree);
    fs.chmodSync(path.join(tree, 'var/log/syslog'), 0o000);
    const { findings } = await scan(new HostRoot(tree));
    expect(findings.find((f) => f.file === '/var/log/syslog')).toMatchObject({ problem: 'unreadable', detail: 'EACCES: /var/log/syslog' });
  });

  test('a host without logs: no findings', async () => {
    const empty = tempDir('no-logs');
    roots.push(empty);
    expect((await scan(new HostRoot(empty))).findings).toEqual([]);
  });
});
