import fs from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { expect, test } from 'vitest';
import { HostRoot } from '../../agent/host-root.js';
import { AgentService } from '../../agent/service/agent-service.js';
import { copyFixture, installSignedPolicy, runCli, tempDir, vmStickEntry } from '../helpers.js';

function deviceOf(dir: string): string {
  const dev = BigInt(fs.statSync(dir).dev);
  return `${(dev >> 8n) & 0xfffn}:${dev & 0xffn}`;
}

async function until(what: string, check: () => boolean): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > 20_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('with autoExport, mounting the registered inspection stick exports by itself, once per plug-in', async () => {
  const root = copyFixture('vm-stick'); // the captured Kingston stick, sda (8:0)
  const stick = tempDir('baomi-stick-');
  fs.mkdirSync(path.join(root, 'sys/dev/block'), { recursive: true });
  fs.symlinkSync('../../block/sda', path.join(root, 'sys/dev/block', deviceOf(stick)));
  const mountinfo = path.join(root, 'proc/self/mountinfo');
  const unmounted = fs.readFileSync(mountinfo, 'utf8');
  const mounted = unmounted + `99 27 8:0 / ${stick} rw,nosuid,nodev,relatime - vfat /dev/sda rw\n`;
  const stateDir = tempDir();
  const { trustDir } = installSignedPolicy(stateDir, (p) => {
    p.export = { autoExport: true };
    p.registry = { media: [vmStickEntry()] };
  });
  const service = await AgentService.start({ host: new HostRoot(root), stateDir, trustDir, logger: pino({ level: 'silent' }), libusb: false, watchIdleMs: 20 });
  const exports = () => runCli(['log', '--json', '--state-dir', stateDir]).stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.type === 'export.performed');
  const bundles = () => fs.readdirSync(path.join(stick, 'BAOMI'), { recursive: true }).filter((p) => String(p).endsWith('manifest.json'));
  try {
    expect(fs.readdirSync(stick)).toEqual([]); // plugged in, not mounted yet: nothing
    fs.writeFileSync(mountinfo, mounted); // the desktop mounts it
    await until('the first export', () => exports().length === 1);
    expect(bundles()).toHaveLength(1);
    expect(exports()[0].payload).toMatchObject({ medium: { registryId: 'BM-2026-0100', serial: 'S123' }, firstSeq: 1 });
    await new Promise((r) => setTimeout(r, 300)); // still mounted: no second export
    expect(exports()).toHaveLength(1);
    fs.writeFileSync(mountinfo, unmounted); // pulled out …
    await new Promise((r) => setTimeout(r, 200));
    fs.writeFileSync(mountinfo, mounted); // … and plugged in again
    await until('the second export', () => exports().length === 2);
    expect(bundles()).toHaveLength(2);
  } finally {
    await service.stop('test');
  }
  expect(runCli(['verify', '--state-dir', stateDir]).status).toBe(0);
});
