import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { renderUnit } from '../../agent/service/systemd-unit.js';
import { runCli, tempDir } from '../helpers.js';

const hasSystemdAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;

describe('the systemd unit', () => {
  test('install-service --dry-run prints the hardened unit', () => {
    const result = runCli(['install-service', '--dry-run']);
    expect(result.status).toBe(0);
    for (const line of [
      'Restart=always',
      'NoNewPrivileges=yes',
      'ProtectSystem=strict',
      'ReadWritePaths=/var/lib/baomi',
      'PrivateTmp=yes',
      'ProtectHome=read-only',
      'RestrictAddressFamilies=AF_UNIX AF_NETLINK',
      'IPAddressDeny=any',
      'StateDirectory=baomi',
      'StateDirectoryMode=0700',
      'UMask=0077',
    ]) {
      expect(result.stdout.split('\n')).toContain(line);
    }
    expect(result.stdout).toMatch(/^ExecStart=\/\S+\/node --max-semi-space-size=1 --lite-mode \/\S+\/dist\/agent\/cli\/main\.js run --state-dir \/var\/lib\/baomi$/m);
  });

  test.runIf(hasSystemdAnalyze)('passes systemd-analyze verify', () => {
    const dir = tempDir();
    const unit = path.join(dir, 'baomi-agent.service');
    fs.writeFileSync(unit, runCli(['install-service', '--dry-run']).stdout);
    const result = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  test('refuses paths that would break the unit file', () => {
    expect(() => renderUnit({ node: '/usr/bin/node', script: '/opt/my baomi/main.js', stateDir: '/var/lib/baomi' })).toThrow();
    expect(() => renderUnit({ node: 'node', script: '/opt/baomi/main.js', stateDir: '/var/lib/baomi' })).toThrow();
  });
});
