import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, test } from 'vitest';
import { FIXTURES, runCli, tempDir } from '../helpers.js';

const sandbox = path.join(FIXTURES, 'sandbox-host');

function jsonLines(stdout: string): Record<string, any>[] {
  return stdout.trim() === '' ? [] : stdout.trim().split('\n').map((line) => JSON.parse(line));
}

/** Two scans of the sandbox machine (cable plugged in) recorded in a new state directory. */
function scannedTwice(): string {
  const stateDir = tempDir('baomi-cli-ledger-');
  expect(runCli(['scan', '--root', sandbox, '--state-dir', stateDir, '--json']).status).toBe(1);
  expect(runCli(['scan', '--root', sandbox, '--state-dir', stateDir, '--json']).status).toBe(1);
  return stateDir;
}

describe('baomi-agent scan records into the violation log', () => {
  test('a persisting violation is opened once; each scan adds scan.completed', () => {
    const stateDir = scannedTwice();
    const log = runCli(['log', '--json', '--state-dir', stateDir]);
    expect(log.status).toBe(0);
    expect(jsonLines(log.stdout).map((e) => [e.seq, e.type, e.payload.rule ?? e.payload.scope])).toEqual([
      [1, 'violation.opened', 'NET-CABLE'],
      [2, 'violation.opened', 'NET-INTERNET'],
      [3, 'scan.completed', 'full'],
      [4, 'scan.completed', 'full'],
    ]);
    const open = jsonLines(runCli(['log', '--open', '--json', '--state-dir', stateDir]).stdout);
    expect(open.map((i) => [i.rule, i.findingId, i.severity, i.openedSeq])).toEqual([
      ['NET-CABLE', 'net:eth0@02:fc:00:00:00:01', 'critical', 1],
      ['NET-INTERNET', 'net:eth0@02:fc:00:00:00:01', 'critical', 2],
    ]);
  });

  test('--dry-run records nothing; --root without --state-dir says it is not recorded', () => {
    const stateDir = tempDir('baomi-cli-ledger-');
    expect(runCli(['scan', '--root', sandbox, '--state-dir', stateDir, '--dry-run', '--json']).status).toBe(1);
    expect(fs.readdirSync(stateDir)).toEqual([]);
    const captured = runCli(['scan', '--root', sandbox, '--json']);
    expect(captured.status).toBe(1);
    expect(captured.stderr).toContain('not recorded in this machine');
    expect(JSON.parse(captured.stdout).schema).toBe('baomi.scan/1'); // the JSON output is unchanged
  });
});

describe('baomi-agent log', () => {
  test('a table in Chinese or English; --since a seq or a time', () => {
    const stateDir = scannedTwice();
    const zh = runCli(['log', '--state-dir', stateDir], { LANG: 'zh_CN.UTF-8' });
    expect(zh.stdout.split('\n')[0]).toMatch(/^序号\s+时间\s+事件\s+详情$/);
    expect(zh.stdout).toContain('发现违规');
    expect(zh.stdout).toContain('严重 NET-CABLE');
    const en = runCli(['log', '--state-dir', stateDir, '--lang', 'en', '--since', '3']);
    expect(en.stdout.split('\n').filter((line) => /^\d/.test(line)).map((line) => line.split(/\s+/)[0])).toEqual(['3', '4']);
    expect(en.stdout).toContain('scan completed');
    const all = jsonLines(runCli(['log', '--json', '--state-dir', stateDir]).stdout);
    const since = jsonLines(runCli(['log', '--json', '--state-dir', stateDir, '--since', all[3]!.time]).stdout);
    expect(since.map((e) => e.seq)).toContain(4);
    expect(since.every((e) => e.time >= all[3]!.time)).toBe(true);
    expect(jsonLines(runCli(['log', '--json', '--state-dir', stateDir, '--since', '2999-01-01T00:00:00Z']).stdout)).toEqual([]);
  });

  test('--open as a table shows the device and severity', () => {
    const stateDir = scannedTwice();
    const open = runCli(['log', '--open', '--state-dir', stateDir, '--lang', 'en']);
    expect(open.stdout).toContain('Open violations: 2');
    expect(open.stdout).toMatch(/NET-CABLE\s+CRITICAL\s+eth0 02:fc:00:00:00:01/);
  });

  test('no log yet; usage errors exit 2', () => {
    const empty = tempDir('baomi-cli-ledger-');
    expect(runCli(['log', '--state-dir', empty, '--lang', 'en'])).toMatchObject({ status: 0, stdout: expect.stringContaining('No violation log yet') });
    expect(runCli(['log', '--state-dir', empty, '--since', 'yesterday-ish']).status).toBe(2);
    expect(runCli(['log', '--state-dir', empty, '--open', '--since', '3']).status).toBe(2);
    expect(runCli(['log', '--frobnicate']).status).toBe(2);
  });
});

describe('baomi-agent verify', () => {
  test('exit 0 when intact, in Chinese then English', () => {
    const stateDir = scannedTwice();
    const result = runCli(['verify', '--state-dir', stateDir]);
    expect(result.status).toBe(0);
    const [zh, en] = result.stdout.split('\n');
    expect(zh).toBe('违规日志完整:4 条事件,哈希链、0 个签名检查点与 ledger.head 一致。');
    expect(en).toBe('The violation log verifies: 4 events; the hash chain, 0 signed checkpoint(s) and ledger.head agree.');
  });

  test('exit 1 naming the first bad seq and why; --json', () => {
    const stateDir = scannedTwice();
    const db = new Database(path.join(stateDir, 'ledger.db'));
    db.prepare(`UPDATE events SET body = replace(body, '"critical"', '"low"') WHERE seq = 2`).run();
    db.close();
    const text = runCli(['verify', '--state-dir', stateDir]);
    expect(text.status).toBe(1);
    const [zh, en] = text.stdout.split('\n');
    expect(zh).toBe('违规日志验证失败:第 2 条,hash-mismatch:第 2 条事件的内容与其哈希不符(被修改)');
    expect(en).toBe('Violation log verification FAILED at seq 2: hash-mismatch: event 2 does not match its hash (edited)');
    const json = runCli(['verify', '--json', '--state-dir', stateDir]);
    expect(json.status).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, failure: { seq: 2, reason: 'hash-mismatch' }, lastVerifiedSeq: 1 });
  });

  test('the next scan moves the altered log aside, warns, and starts a new chain', () => {
    const stateDir = scannedTwice();
    const db = new Database(path.join(stateDir, 'ledger.db'));
    db.prepare(`DELETE FROM events WHERE seq = 1`).run();
    db.close();
    const scan = runCli(['scan', '--root', sandbox, '--state-dir', stateDir, '--json']);
    expect(scan.status).toBe(1);
    expect(scan.stderr).toContain('warning: the violation log did not verify (seq 1, gap');
    expect(fs.readdirSync(stateDir).some((name) => name.startsWith('ledger.db.gap-'))).toBe(true);
    expect(jsonLines(runCli(['log', '--json', '--state-dir', stateDir]).stdout).map((e) => e.type)).toEqual([
      'ledger.recovered',
      'violation.opened',
      'violation.opened',
      'scan.completed',
    ]);
    expect(runCli(['verify', '--state-dir', stateDir]).status).toBe(0);
  });
});

describe('baomi-agent identity', () => {
  test('prints the public key and the fingerprint the log is signed under', () => {
    const stateDir = tempDir('baomi-cli-ledger-');
    const json = runCli(['identity', '--json', '--state-dir', stateDir]);
    expect(json.status).toBe(0);
    const identity = JSON.parse(json.stdout);
    expect(identity.algorithm).toBe('Ed25519');
    expect(identity.fingerprint).toMatch(/^sha256:[0-9a-f]{4}( [0-9a-f]{4}){15}$/);
    expect(Buffer.from(identity.publicKey, 'base64')).toHaveLength(32);
    expect(identity.publicKeyPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    expect(fs.statSync(path.join(stateDir, 'agent.key')).mode & 0o777).toBe(0o600);
    const again = runCli(['identity', '--state-dir', stateDir]);
    expect(again.stdout).toContain(`指纹 / fingerprint: ${identity.fingerprint}`);
    runCli(['scan', '--root', sandbox, '--state-dir', stateDir, '--json']);
    expect(JSON.parse(runCli(['verify', '--json', '--state-dir', stateDir]).stdout).keyFingerprint).toBe(identity.fingerprint);
  });
});
