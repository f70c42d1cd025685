import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { describe, expect, test } from 'vitest';
import { HostRoot } from '../../agent/host-root.js';
import { AgentService } from '../../agent/service/agent-service.js';
import { CLI, copyFixture, runCli, tempDir } from '../helpers.js';

interface LoggedEvent {
  seq: number;
  type: string;
  payload: Record<string, any>;
}

function events(stateDir: string): LoggedEvent[] {
  const out = runCli(['log', '--json', '--state-dir', stateDir]).stdout.trim();
  return out === '' ? [] : out.split('\n').map((line) => JSON.parse(line));
}

async function waitFor<T>(what: string, probe: () => T | undefined | false, limitMs = 15_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() - started > limitMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function startAgent(root: string, stateDir: string): ChildProcess {
  return spawn(process.execPath, [CLI, 'run', '--root', root, '--state-dir', stateDir, '--trust-dir', path.join(stateDir, 'no-trust'), '--log-level', 'warn'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

describe('baomi-agent run (a real process on a captured tree)', () => {
  test('starts, scans, sees a cable plugged in and out, and stops cleanly on SIGTERM', async () => {
    const root = copyFixture('sandbox-host');
    const stateDir = tempDir();
    const carrier = path.join(root, 'sys/class/net/eth0/carrier');
    fs.writeFileSync(carrier, '0\n');
    const child = startAgent(root, stateDir);
    try {
      await waitFor('the start scan', () => events(stateDir).some((e) => e.type === 'scan.completed'));
      expect(events(stateDir).some((e) => e.type === 'violation.opened' && e.payload.rule === 'NET-CABLE')).toBe(false);
      fs.writeFileSync(carrier, '1\n');
      const opened = await waitFor('NET-CABLE opened', () => events(stateDir).find((e) => e.type === 'violation.opened' && e.payload.rule === 'NET-CABLE'));
      expect(opened.payload.findingId).toBe('net:eth0@02:fc:00:00:00:01');
      const hotplug = events(stateDir).find((e) => e.type === 'scan.completed' && e.payload.scope === 'hotplug');
      expect(hotplug?.payload).toMatchObject({ trigger: 'hotplug', kinds: ['network-interface'] });
      fs.writeFileSync(carrier, '0\n');
      await waitFor('NET-CABLE resolved', () => events(stateDir).find((e) => e.type === 'violation.resolved' && e.payload.rule === 'NET-CABLE'));
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited(child)).toEqual({ code: 0, signal: null });
    const all = events(stateDir);
    expect(all[0]).toMatchObject({ type: 'agent.started', payload: { cleanShutdown: true } });
    expect(all.at(-1)).toMatchObject({ type: 'agent.stopped', payload: { reason: 'SIGTERM' } });
    expect(runCli(['verify', '--state-dir', stateDir]).status).toBe(0);
    expect(fs.existsSync(path.join(stateDir, 'agent.pid'))).toBe(false);
  });

  test('after a kill -9 the next start records that the previous stop was not clean', async () => {
    const root = copyFixture('sandbox-host');
    const stateDir = tempDir();
    const first = startAgent(root, stateDir);
    await waitFor('the start scan', () => events(stateDir).some((e) => e.type === 'scan.completed'));
    first.kill('SIGKILL');
    await exited(first);
    const second = startAgent(root, stateDir);
    await waitFor('the second start', () => events(stateDir).filter((e) => e.type === 'agent.started').length === 2);
    second.kill('SIGINT');
    expect(await exited(second)).toEqual({ code: 0, signal: null });
    const all = events(stateDir);
    const started = all.filter((e) => e.type === 'agent.started');
    expect(started.map((e) => e.payload.cleanShutdown)).toEqual([true, false]);
    // The time it was not watching is itself a violation (SEC-AGENT-GAP), open until an export.
    const gap = all.find((e) => e.type === 'violation.opened' && e.payload.rule === 'SEC-AGENT-GAP');
    expect(gap?.payload).toMatchObject({ severity: 'high', citation: 'T3 第十四条(四)', findingKind: 'agent-gap' });
    expect(gap!.payload.findingId).toMatch(/^gap:\d+-\d+$/);
    expect(runCli(['verify', '--state-dir', stateDir]).status).toBe(0);
  });
});

describe('AgentService with a given clock', () => {
  const quiet = pino({ level: 'silent' });

  test('on the last working day before National Day, after 10:00, the pre-holiday inspection runs once with a report', async () => {
    const stateDir = tempDir();
    const start = async (iso: string) =>
      AgentService.start({
        host: new HostRoot(copyFixture('sandbox-host')),
        stateDir,
        trustDir: path.join(stateDir, 'none'),
        logger: quiet,
        now: () => new Date(iso),
        libusb: false,
      });
    let service = await start('2026-09-30T01:00:00Z'); // 09:00 in Beijing: not yet
    await service.stop('test');
    expect(events(stateDir).some((e) => e.payload.scope === 'deep')).toBe(false);
    service = await start('2026-09-30T03:00:00Z'); // 11:00 in Beijing
    await service.stop('test');
    service = await start('2026-09-30T05:00:00Z'); // later the same day: already done
    await service.stop('test');
    const deep = events(stateDir).filter((e) => e.type === 'scan.completed' && e.payload.scope === 'deep');
    expect(deep.map((e) => e.payload.inspection)).toEqual([
      { holiday: 'national-day', due: '2026-09-30', report: 'inspection-2026-09-30-national-day.json' },
    ]);
    expect(deep[0]!.payload.trigger).toBe('schedule');
    const report = JSON.parse(fs.readFileSync(path.join(stateDir, 'reports', 'inspection-2026-09-30-national-day.json'), 'utf8'));
    expect(report).toMatchObject({ catchUp: false, ledgerVerified: true, scan: { schema: 'baomi.scan/1' } });
  });

  test('a computer off on inspection day catches up at its next start, and says so', async () => {
    const stateDir = tempDir();
    const host = new HostRoot(copyFixture('sandbox-host'));
    const opts = { host, stateDir, trustDir: path.join(stateDir, 'none'), logger: quiet, libusb: false };
    let service = await AgentService.start({ ...opts, now: () => new Date('2026-09-20T02:00:00Z') });
    await service.stop('test');
    service = await AgentService.start({ ...opts, now: () => new Date('2026-10-08T01:00:00Z') });
    await service.stop('test');
    const scans = events(stateDir).filter((e) => e.type === 'scan.completed');
    expect(scans.map((e) => [e.payload.scope, e.payload.trigger])).toEqual([
      ['full', 'start'],
      ['full', 'catch-up'], // 18 days without a daily scan
      ['deep', 'catch-up'],
    ]);
    expect(scans[2]!.payload.inspection).toMatchObject({ holiday: 'national-day', due: '2026-09-30' });
  });

  test('the first run enrols the fixed disks; a disk swapped while the agent was off is reported at the next start', async () => {
    const stateDir = tempDir();
    const root = copyFixture('sandbox-host');
    const opts = { host: new HostRoot(root), stateDir, trustDir: path.join(stateDir, 'none'), logger: quiet, libusb: false };
    let service = await AgentService.start({ ...opts, now: () => new Date('2026-11-02T02:00:00Z') });
    await service.stop('test');
    service = await AgentService.start({ ...opts, now: () => new Date('2026-11-03T02:00:00Z') });
    await service.stop('test');
    const enrolled = events(stateDir).filter((e) => e.type === 'disks.enrolled');
    expect(enrolled.map((e) => e.payload)).toEqual([
      { reason: 'first-run', disks: [{ device: 'vda', model: null, serial: 'overlayblk', wwn: null, capacityBytes: 274877906944 }] },
    ]);
    expect(events(stateDir).some((e) => e.type === 'violation.opened' && e.payload.rule === 'HW-DISK-CHANGE')).toBe(false);
    fs.writeFileSync(path.join(root, 'sys/block/vda/serial'), 'NEWDISK01');
    service = await AgentService.start({ ...opts, now: () => new Date('2026-11-04T02:00:00Z') });
    await service.stop('test');
    const changed = events(stateDir).filter((e) => e.type === 'violation.opened' && e.payload.rule === 'HW-DISK-CHANGE');
    expect(changed.map((e) => [e.payload.findingId, e.payload.evidence.reason.en])).toEqual([
      ['disk:NEWDISK01', 'disk vda was replaced: at enrolment it was vda S/N overlayblk 275 GB'],
    ]);
  });
});
