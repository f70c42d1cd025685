import { spawn } from 'node:child_process';
import path from 'node:path';
import { expect, test } from 'vitest';
import { CLI, copyFixture, runCli, tempDir } from '../helpers.js';

test('status: not running, then running with its pid, the policy, open violations and the next inspection', async () => {
  const stateDir = tempDir();
  const root = copyFixture('sandbox-host');
  const status = () => JSON.parse(runCli(['status', '--json', '--state-dir', stateDir, '--trust-dir', path.join(stateDir, 'none')]).stdout);
  expect(status().service).toMatchObject({ running: false, pid: null, lastSignOfLife: null });

  const agent = spawn(process.execPath, [CLI, 'run', '--root', root, '--state-dir', stateDir, '--trust-dir', path.join(stateDir, 'none'), '--log-level', 'warn']);
  try {
    const started = Date.now();
    let now = status();
    while (!(now.service.running && now.lastScan) && Date.now() - started < 30_000) {
      await new Promise((r) => setTimeout(r, 50));
      now = status();
    }
    expect(now.service).toMatchObject({ running: true, pid: agent.pid });
    expect(now.policy).toMatchObject({ id: 'cn-office-standalone', version: 1, signer: 'builtin', refused: null });
    expect(now.lastScan).toMatchObject({ scope: 'full', trigger: 'start' });
    expect(now.openViolations).toEqual({ critical: 2, high: 0, medium: 0, low: 0 });
    expect(now.next.preHoliday).toMatchObject({ holiday: expect.any(String), inspectionDate: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), at: '10:00' });
    expect(Date.parse(now.next.quickScan)).toBeGreaterThan(Date.now() - 1000);
    expect(now.sinceLastExport).toEqual({ seq: 0, gaps: [] });
  } finally {
    agent.kill('SIGTERM');
    await new Promise((r) => agent.once('exit', r));
  }
  expect(status().service.running).toBe(false);
  const text = runCli(['status', '--lang', 'zh', '--state-dir', stateDir, '--trust-dir', path.join(stateDir, 'none')]).stdout;
  expect(text).toContain('服务:未运行');
  expect(text).toMatch(/下次节前保密检查:\d{4}-\d{2}-\d{2} 10:00/);
});
