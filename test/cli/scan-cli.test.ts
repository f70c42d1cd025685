import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { ScanReport } from '../../agent/scan/scan-report.js';
import { CLI, copyFixture, FIXTURES, REPO, runCli, tempDir } from '../helpers.js';

const sandbox = path.join(FIXTURES, 'sandbox-host');
const builtin = JSON.parse(fs.readFileSync(path.join(REPO, 'policies', 'cn-office-standalone.policy.json'), 'utf8'));

function writePolicy(change: (p: typeof builtin) => void): string {
  const copy = structuredClone(builtin);
  change(copy);
  const file = path.join(tempDir(), 'policy.json');
  fs.writeFileSync(file, JSON.stringify(copy, null, 2));
  return file;
}

describe('baomi-agent scan', () => {
  test('--json prints one document of schema baomi.scan/1 and exits 1 when violations are found', () => {
    const result = runCli(['scan', '--root', sandbox, '--json', '--dry-run']);
    expect(result.status).toBe(1);
    const report = ScanReport.parse(JSON.parse(result.stdout));
    expect(report.host).toEqual({ hostname: 'vm', machineId: expect.stringMatching(/^[0-9a-f]{32}$/), os: 'Debian GNU/Linux 12 (bookworm)' });
    expect(report.policy).toMatchObject({ id: 'cn-office-standalone', version: 1, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(report.violations.map((v) => [v.rule, v.findingId])).toEqual([
      ['NET-CABLE', 'net:eth0@02:fc:00:00:00:01'],
      ['NET-INTERNET', 'net:eth0@02:fc:00:00:00:01'],
    ]);
    expect(report.violations[0]).toMatchObject({ severity: 'critical', citation: 'T3 第十条; T1 八.1', title: { zh: '涉密计算机连接了网线' } });
  });

  test('exits 0 when compliant (the same machine with the cable unplugged)', () => {
    const root = copyFixture('sandbox-host');
    const eth0 = path.join(root, 'sys/class/net/eth0');
    fs.writeFileSync(path.join(eth0, 'carrier'), '0\n');
    fs.writeFileSync(path.join(eth0, 'operstate'), 'down\n');
    fs.writeFileSync(path.join(root, 'proc/net/route'), 'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n');
    fs.writeFileSync(path.join(root, 'proc/net/fib_trie'), '');
    fs.writeFileSync(path.join(root, 'proc/net/if_inet6'), '');
    fs.writeFileSync(path.join(root, 'proc/net/ipv6_route'), '');
    const result = runCli(['scan', '--root', root, '--dry-run', '--lang', 'en']);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('Result: compliant.');
    expect(result.status).toBe(0);
  });

  test('the table is in Chinese when LANG is zh_CN, English with --lang en', () => {
    const zh = runCli(['scan', '--root', sandbox, '--dry-run'], { LANG: 'zh_CN.UTF-8' });
    expect(zh.stdout).toContain('严重 (2)');
    expect(zh.stdout).toContain('结论:不合规。发现 2 项违规');
    const en = runCli(['scan', '--root', sandbox, '--dry-run', '--lang', 'en'], { LANG: 'zh_CN.UTF-8' });
    expect(en.stdout).toContain('CRITICAL (2)');
    expect(en.stdout).toContain('NOT compliant');
  });

  test('a malformed policy is refused with file, field and reason, exit 2, no fallback to the default', () => {
    const file = writePolicy((p) => {
      p.rules[2].severity = 'severe';
    });
    const result = runCli(['scan', '--root', sandbox, '--policy', file, '--json', '--dry-run']);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`${file}: rules[2].severity: Invalid option: expected one of "critical"|"high"|"medium"|"low"`);
  });

  test('a missing policy file and unknown options are errors (exit 2)', () => {
    expect(runCli(['scan', '--root', sandbox, '--policy', '/nonexistent.json', '--dry-run']).stderr).toContain('/nonexistent.json: cannot read: ENOENT');
    expect(runCli(['scan', '--frobnicate']).status).toBe(2);
    expect(runCli(['nonsense']).status).toBe(2);
  });

  test('a probe that cannot look is reported, not silent (printers.conf is a directory here)', () => {
    const root = copyFixture('sandbox-host');
    fs.mkdirSync(path.join(root, 'etc/cups/printers.conf'), { recursive: true });
    const report = ScanReport.parse(JSON.parse(runCli(['scan', '--root', root, '--json', '--dry-run']).stdout));
    expect(report.findings.find((f) => f.kind === 'probe-unavailable')).toMatchObject({ id: 'probe:printers', reason: 'error' });
    expect(report.violations.map((v) => v.rule)).toContain('PROBE-UNAVAILABLE');
  });
});

describe('baomi-agent scan as an unprivileged user', () => {
  test('root-only printers.conf makes the printers probe unavailable (permission denied), not "no printers"', () => {
    const root = copyFixture('sandbox-host');
    fs.mkdirSync(path.join(root, 'etc/cups'), { recursive: true });
    fs.writeFileSync(path.join(root, 'etc/cups/printers.conf'), '<Printer p>\nDeviceURI ipp://192.0.2.9/\n</Printer>\n', { mode: 0o600 });
    const asRoot = process.getuid?.() === 0;
    if (asRoot) fs.chmodSync(root, 0o755);
    else fs.chmodSync(path.join(root, 'etc/cups/printers.conf'), 0);
    const args = ['scan', '--root', root, '--json', '--dry-run'];
    const result = asRoot ? runAs('nobody', args) : runCli(args);
    const report = ScanReport.parse(JSON.parse(result.stdout));
    expect(report.findings.find((f) => f.id === 'probe:printers')).toMatchObject({
      kind: 'probe-unavailable',
      reason: 'permission-denied',
      detail: 'EACCES /etc/cups/printers.conf',
    });
  });
});

function runAs(user: string, args: string[]) {
  const result = spawnSync('runuser', ['-u', user, '--', process.execPath, CLI, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH } });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}
