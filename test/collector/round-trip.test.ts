import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { runCli, tempDir } from '../helpers.js';
import { archiveCounts, bundlesOn, computer, exportBundle, readManifest, runCollector, scan, stickWith, type Computer } from './collector-helpers.js';

/** agent → export → import → report, with the real binaries on both sides. */

let stick: string;
let pc: Computer;
let first: string;
let second: string;

beforeAll(() => {
  stick = tempDir('baomi-stick-');
  pc = computer(stick, { department: '机要科', owner: '李四' });
  first = exportBundle(pc, stick);
  expect(scan(pc).status).toBe(0); // the stick is registered now: its violation is resolved
  second = exportBundle(pc, stick);
}, 300_000);

describe('round trip', () => {
  test('import enrols the host, prints the fingerprint to compare, archives both bundles; a re-import is a harmless duplicate', () => {
    const archive = path.join(tempDir(), 'archive.db');
    const result = runCollector(['import', stick, '--archive', archive]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const identity = JSON.parse(runCli(['identity', '--json', '--state-dir', pc.stateDir]).stdout);
    expect(result.stdout).toContain(`代理密钥指纹 / agent key fingerprint ${identity.fingerprint}`);
    expect(result.stdout).toContain('baomi-agent identity');
    expect(result.stdout.match(/已导入 \/ imported/g)).toHaveLength(2);
    expect(fs.statSync(archive).mode & 0o777).toBe(0o600);
    const last = readManifest(second).ledger.lastSeq;
    expect(archiveCounts(archive)).toMatchObject({ hosts: 1, events: last, imported: 2, refused: 0, problems: 0 });

    const again = runCollector(['import', stick, '--archive', archive]);
    expect(again.status).toBe(0);
    expect(again.stdout.match(/duplicate \(already archived, harmless\)/g)).toHaveLength(2);
    expect(archiveCounts(archive)).toMatchObject({ events: last, imported: 2, problems: 0 });

    const table = runCollector(['hosts', '--archive', archive]);
    expect(table.status).toBe(0);
    expect(table.stdout).toContain(identity.fingerprint); // whole, never cut
    expect(table.stdout).toContain('正常 ok');
    const hosts = runCollector(['hosts', '--json', '--archive', archive]);
    expect(hosts.status).toBe(0);
    expect(JSON.parse(hosts.stdout).hosts).toEqual([
      expect.objectContaining({ hostname: 'baomi-vm', fingerprint: identity.fingerprint, lastSeq: last, status: 'ok', problems: 0, department: '机要科', owner: '李四', class: '机密' }),
    ]);
  });

  test('usage: no path, a missing path, an empty stick', () => {
    const archive = path.join(tempDir(), 'archive.db');
    expect(runCollector(['import', '--archive', archive]).status).toBe(2);
    const missing = runCollector(['import', path.join(tempDir(), 'nothing-here'), '--archive', archive]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('cannot be read');
    const empty = runCollector(['import', tempDir('baomi-stick-'), '--archive', archive]);
    expect(empty.status).toBe(1);
    expect(empty.stdout).toContain('no bundles found');
    expect(runCollector(['report', '--archive', archive]).status).toBe(2);
    expect(runCollector(['frobnicate']).status).toBe(2);
  });

  test('verify checks one bundle without an archive', () => {
    const result = runCollector(['verify', first]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('verified: signature, file hashes, hash chain and checkpoint agree');
    expect(runCollector(['verify']).status).toBe(2);
  });

  test('the committee report: per host, per rule with its article, trends, charts; printable, no script; CSV with BOM', () => {
    const archive = path.join(tempDir(), 'archive.db');
    expect(runCollector(['import', stick, '--archive', archive]).status).toBe(0);
    const out = path.join(tempDir(), 'report.html');
    const csv = path.join(path.dirname(out), 'report.csv');
    const result = runCollector(['report', '--out', out, '--csv', csv, '--archive', archive]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const html = fs.readFileSync(out, 'utf8');
    expect(html).toContain('保密委员会检查汇总报告');
    expect(html).toContain('baomi-vm');
    expect(html).toContain('机要科');
    expect(html).toContain('李四');
    expect(html).toContain('MEDIA-UNREGISTERED');
    expect(html).toContain('T3 第十条; T3 第十四条(五)');
    expect(html).toMatch(/<svg[^>]*role="img"/);
    expect(html).toContain('@page { size: A4');
    expect(html).not.toMatch(/<script|<link|src="http|href="http/i);
    // The stick was registered between the exports: MEDIA-UNREGISTERED resolved since the previous inspection.
    expect(html).toMatch(/已解决/);
    const hostsCsv = fs.readFileSync(csv);
    expect(hostsCsv.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(hostsCsv.toString('utf8')).toContain('baomi-vm');
    const violations = fs.readFileSync(path.join(path.dirname(out), 'report-violations.csv'), 'utf8');
    expect(violations).toContain('MEDIA-UNREGISTERED');

    const en = path.join(tempDir(), 'report-en.html');
    expect(runCollector(['report', '--out', en, '--lang', 'en', '--archive', archive]).status).toBe(0);
    expect(fs.readFileSync(en, 'utf8')).toContain('Secrecy inspection summary for the committee');
  });

  test('two successive exports, the second --since the next seq, import cleanly', () => {
    const archive = path.join(tempDir(), 'archive.db');
    const stick2 = tempDir('baomi-stick-');
    const a = exportBundle(pc, stick2);
    expect(scan(pc).status).toBe(0);
    const b = exportBundle(pc, stick2, readManifest(a).ledger.lastSeq + 1);
    expect(readManifest(b).ledger.firstSeq).toBe(readManifest(a).ledger.lastSeq + 1);
    const result = runCollector(['import', stickWith({ dir: a }), '--archive', archive]);
    expect(result.status).toBe(0);
    const next = runCollector(['import', stickWith({ dir: b }), '--archive', archive]);
    expect(next.stdout).not.toContain('✗');
    expect(next.status).toBe(0);
    expect(archiveCounts(archive)).toMatchObject({ events: readManifest(b).ledger.lastSeq, imported: 2, problems: 0 });
    expect(bundlesOn(stick2)).toHaveLength(2);
  });
});
