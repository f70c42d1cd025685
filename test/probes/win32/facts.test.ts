import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { WINDOWS_PROBES, platformProbes, LINUX_PROBES, runProbes } from '../../../agent/probes/run-probes.js';
import { collectWindowsFacts, parseWindowsFacts, readWindowsSnapshot, WindowsFactsError, type SystemInformation } from '../../../agent/probes/windows/windows-facts.js';
import { REPO, tempDir } from '../../helpers.js';
import { context, factsJson, loadFacts, REQUIRED_SOFTWARE, WIN32_FIXTURES } from './win32-helpers.js';

describe('the facts schema', () => {
  test('both recorded snapshots are valid and keep only what the probes read', () => {
    const facts = loadFacts('office-pc-devices');
    expect(facts.osInfo).toEqual({ platform: 'Windows', distro: 'Microsoft Windows 10 专业版', release: '10.0.19045', codename: '22H2', hostname: 'BGS-PC017', build: '19045' });
    expect(Object.keys(facts.diskLayout[0]!).sort()).toEqual(['device', 'interfaceType', 'name', 'serialNum', 'size', 'type', 'vendor']);
    expect(loadFacts('office-pc-clean').osInfo.hostname).toBe('BGS-PC021');
  });

  test('the fixtures are in systeminformation’s Windows shapes (string device ids and sizes, no `internal` on adapters that are down)', () => {
    const json = factsJson('office-pc-devices') as {
      usb: { deviceId: unknown; id: unknown }[];
      blockDevices: { size: unknown }[];
      networkInterfaces: { iface: string; internal?: boolean }[];
    };
    expect(json.usb.every((u) => typeof u.deviceId === 'string' && typeof u.id === 'number')).toBe(true);
    expect(json.blockDevices.map((b) => typeof b.size)).toEqual(['string', 'string']);
    expect(json.networkInterfaces.filter((n) => !('internal' in n)).map((n) => n.iface)).toEqual(['Wi-Fi', 'Bluetooth Network Connection']);
  });

  test.each([
    ['a missing area', (j: Record<string, unknown>) => delete j.diskLayout, 'office-pc-devices.facts.json: diskLayout: missing (expected array)'],
    [
      'a wrong type deep inside',
      (j: Record<string, unknown>) => ((j.usb as Record<string, unknown>[])[2]!.deviceId = 42),
      'office-pc-devices.facts.json: usb[2].deviceId: Invalid input: expected string, received number',
    ],
    [
      'a snapshot taken on Linux',
      (j: Record<string, unknown>) => ((j.osInfo as Record<string, unknown>).platform = 'linux'),
      'office-pc-devices.facts.json: osInfo.platform: expected "Windows": this snapshot was not taken on Windows',
    ],
    [
      'a negative disk size',
      (j: Record<string, unknown>) => ((j.diskLayout as Record<string, unknown>[])[0]!.size = -1),
      'office-pc-devices.facts.json: diskLayout[0].size: Too small: expected number to be >=0',
    ],
  ])('refuses %s, naming the field', (_what, damage, message) => {
    const json = factsJson('office-pc-devices');
    damage(json);
    expect(() => parseWindowsFacts(json, 'office-pc-devices.facts.json')).toThrow(WindowsFactsError);
    expect(() => parseWindowsFacts(json, 'office-pc-devices.facts.json')).toThrow(message);
  });

  test('refuses what is not an object at all', () => {
    expect(() => parseWindowsFacts([], 'x.json')).toThrow('x.json: Invalid input: expected object, received array');
  });
});

describe('Windows probes without facts, or with facts from a PowerShell that did not answer', () => {
  test('every Windows probe run without facts reports itself unavailable: unsupported platform', () => {
    const { findings, counts } = runProbes(context(undefined), WINDOWS_PROBES);
    expect(findings.map((f) => (f.kind === 'probe-unavailable' ? [f.id, f.reason] : f.id))).toEqual(
      ['network', 'bluetooth', 'audio', 'video', 'storage', 'printers', 'software', 'usb', 'disks'].map((p) => [`probe:${p}`, 'unsupported-platform']),
    );
    expect(Object.values(counts)).toEqual(Array(9).fill(1));
  });

  test('empty answers from systeminformation are not read as "nothing found"', () => {
    const silent = {
      ...loadFacts('office-pc-clean'),
      networkInterfaces: [], usb: [], blockDevices: [], diskLayout: [], audio: [], bluetoothDevices: [], printer: [], services: [],
      processes: { list: [] }, osInfo: { platform: 'Windows' as const, distro: '', release: '10.0.19045', codename: '', hostname: 'PC', build: '' },
    };
    const { findings } = runProbes(context(silent), WINDOWS_PROBES);
    expect(findings.map((f) => (f.kind === 'probe-unavailable' ? f.reason : f.kind))).toEqual(Array(9).fill('error'));
    expect(findings[0]).toMatchObject({ detail: expect.stringContaining('PowerShell gave no answer') });
  });

  test('the probes are chosen by platform, and both sets cover the same areas under the same names', () => {
    expect(platformProbes('win32')).toBe(WINDOWS_PROBES);
    expect(platformProbes('linux')).toBe(LINUX_PROBES);
    expect(WINDOWS_PROBES.map((p) => [p.name, p.kinds])).toEqual(LINUX_PROBES.map((p) => [p.name, p.kinds]));
  });
});

/** A stand-in for systeminformation that answers from a recorded file and notes what it was asked. */
function fakeSi(name: string) {
  const json = factsJson(name) as Record<string, unknown>;
  const asked: string[] = [];
  const answer = (key: string, value: unknown) => () => {
    asked.push(key);
    return Promise.resolve(value);
  };
  const si = {
    networkInterfaces: answer('networkInterfaces', json.networkInterfaces),
    networkInterfaceDefault: answer('networkInterfaceDefault', json.defaultInterface),
    usb: answer('usb', json.usb),
    blockDevices: answer('blockDevices', json.blockDevices),
    diskLayout: answer('diskLayout', json.diskLayout),
    audio: answer('audio', json.audio),
    bluetoothDevices: answer('bluetoothDevices', json.bluetoothDevices),
    printer: answer('printer', json.printer),
    processes: answer('processes', {
      all: 2, running: 0, blocked: 0, sleeping: 0, unknown: 2,
      list: [
        { pid: 3012, parentPid: 772, name: 'MsMpEng.exe', command: '"C:\\ProgramData\\MsMpEng.exe" --secret-token', path: 'C:\\ProgramData\\MsMpEng.exe' },
        { pid: 6240, parentPid: 5120, name: 'HostAuditTray.exe', command: 'HostAuditTray.exe', path: '' },
      ],
    }),
    services: (names: string) => {
      asked.push(`services(${names})`);
      return Promise.resolve(json.services);
    },
    osInfo: answer('osInfo', json.osInfo),
    uuid: answer('uuid', json.uuid),
    version: () => '5.33.23',
  };
  return { si: si as unknown as SystemInformation, asked };
}

describe('collecting the facts', () => {
  test('asks systeminformation once per area, services only by the required names, and keeps no command line', async () => {
    const { si, asked } = fakeSi('office-pc-devices');
    const snapshot = await readWindowsSnapshot(REQUIRED_SOFTWARE, si);
    expect(asked.sort()).toEqual(
      ['audio', 'bluetoothDevices', 'blockDevices', 'diskLayout', 'networkInterfaceDefault', 'networkInterfaces', 'osInfo', 'printer', 'processes', 'services(HostAuditSvc,WinDefend)', 'usb', 'uuid'].sort(),
    );
    expect(snapshot.processes).toEqual({ list: [{ pid: 3012, name: 'MsMpEng.exe' }, { pid: 6240, name: 'HostAuditTray.exe' }] });
    expect(JSON.stringify(snapshot)).not.toContain('secret-token');
    expect(snapshot.source).toMatchObject({ systeminformation: '5.33.23' });
  });

  test('without required services it does not ask for services at all (systeminformation would list every one)', async () => {
    const { si, asked } = fakeSi('office-pc-clean');
    const facts = await collectWindowsFacts([{ id: 'x', processes: ['x.exe'], units: [], paths: [] }], si);
    expect(asked.filter((a) => a.startsWith('services'))).toEqual([]);
    expect(facts.services).toEqual([]);
  });

  test('a snapshot systeminformation returns in a wrong shape is refused, naming the field', async () => {
    const { si } = fakeSi('office-pc-clean');
    const broken = { ...si, diskLayout: () => Promise.resolve([{ device: '\\\\.\\PHYSICALDRIVE0' }]) } as unknown as SystemInformation;
    await expect(collectWindowsFacts(REQUIRED_SOFTWARE, broken)).rejects.toThrow('systeminformation: diskLayout[0].type: missing (expected string)');
  });
});

test.each(['office-pc-clean', 'office-pc-devices'])(
  '%s.facts.json is what systeminformation’s own Windows code makes of the machine described in synthesize/machines.cjs',
  (name) => {
    const out = path.join(tempDir(), `${name}.json`);
    const run = spawnSync(process.execPath, [path.join(WIN32_FIXTURES, 'synthesize', 'synthesize.cjs'), name.replace('office-pc-', ''), out], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(JSON.parse(fs.readFileSync(out, 'utf8'))).toEqual(factsJson(name));
  },
);

describe('scripts/capture-windows-facts', () => {
  const script = path.join(REPO, 'dist', 'scripts', 'capture-windows-facts.js');

  test('refuses to record anywhere but on Windows, where systeminformation answers in the shapes recorded', () => {
    const out = path.join(tempDir(), 'out.json');
    const run = spawnSync(process.execPath, [script, out, '--service', 'WinDefend'], { encoding: 'utf8' });
    expect([run.status, run.stderr]).toEqual([2, 'capture-windows-facts: run this on Windows (systeminformation answers in another shape elsewhere)\n']);
    expect(fs.existsSync(out)).toBe(false);
  });

  test('names its arguments when given none', () => {
    const run = spawnSync(process.execPath, [script], { encoding: 'utf8' });
    expect([run.status, run.stderr]).toEqual([2, 'usage: capture-windows-facts <out.json> [--service NAME]... [--policy FILE]\n']);
  });
});
