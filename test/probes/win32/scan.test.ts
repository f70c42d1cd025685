import { describe, expect, test } from 'vitest';
import { windowsHostIdentity } from '../../../agent/host-identity.js';
import { scan, scanWindows } from '../../../agent/scan/scan.js';
import { renderScan } from '../../../agent/scan/render-scan.js';
import { ScanReport } from '../../../agent/scan/scan-report.js';
import { evaluate } from '../../../policies/evaluate.js';
import { runProbes, WINDOWS_PROBES } from '../../../agent/probes/run-probes.js';
import { policyWith } from '../../helpers.js';
import { context, HOSTILE_HEADSET_NAME, loadFacts, NO_HOST, windowsPolicy } from './win32-helpers.js';

const clean = loadFacts('office-pc-clean');
const devices = loadFacts('office-pc-devices');

const violationsOf = (report: ScanReport) => report.violations.map((v) => `${v.severity} ${v.rule} ${v.findingId}`);

describe('the default policy on Windows', () => {
  test('the clean office PC is compliant', () => {
    const report = scan({ host: NO_HOST, policy: windowsPolicy(), windowsFacts: clean });
    expect(violationsOf(report)).toEqual([]);
    expect(report.probes).toEqual({ network: 2, bluetooth: 0, audio: 0, video: 0, storage: 0, printers: 3, software: 2, usb: 2, disks: 1 });
  });

  test('the office PC with devices breaks these rules, on these findings', () => {
    const report = scan({ host: NO_HOST, policy: windowsPolicy(), windowsFacts: devices });
    expect(violationsOf(report)).toEqual([
      'critical MEDIA-UNREGISTERED storage:usb:0951:1666:S123',
      'critical NET-CABLE net:Ethernet@b0:7b:25:4e:91:a3',
      'critical NET-INTERNET net:Ethernet@b0:7b:25:4e:91:a3',
      'critical SEC-SOFTWARE software:host-audit',
      'high AV-CAMERA video:usb:046d:082d:8B5A9E3F',
      'high AV-MICROPHONE audio:HDAUDIO\\FUNC_01&VEN_10EC&DEV_0255&SUBSYS_10280A6B&REV_1000\\4&2C5A1B3D&0&0001',
      'high AV-MICROPHONE audio:usb:046d:082d:8B5A9E3F',
      'high AV-MICROPHONE audio:usb:046d:0a44@5&1E6F2B7A&0&3',
      'high NET-BLUETOOTH bluetooth:5c:87:9c:1a:2b:40',
      'high NET-WIRELESS net:Wi-Fi',
      'high PRINTER-SHARED printer:HP LaserJet Pro M402dne',
      'high PRINTER-SHARED printer:\\\\PRINTSRV01\\HP LaserJet M507 2F',
      'medium PRINTER-FAX printer:Fax',
    ]);
  });

  test('the stick, registered by VID, PID and serial (no capacity: Windows rounds it to whole cylinders), is allowed', () => {
    const { policy } = policyWith((p) => {
      p.registry = {
        media: [{
          id: 'BM-2026-0007', label: '机要 U 盘', vendorId: '0951', productId: '1666', serial: 'S123', capacityBytes: null, class: '秘密',
          boundHost: 'BGS-PC017', owner: '张三', status: 'active', registeredBy: '李四', registeredAt: '2026-03-02', role: 'storage',
        }],
      };
    });
    const { findings } = runProbes(context(devices), WINDOWS_PROBES);
    const rules = evaluate(policy, findings, windowsHostIdentity(devices)).map((v) => v.rule);
    expect(rules).not.toContain('MEDIA-UNREGISTERED');
    expect(rules).not.toContain('MEDIA-WRONG-HOST');
    expect(rules).toContain('NET-CABLE');
  });

  test('a Windows scan without facts reports every probe unavailable (PROBE-UNAVAILABLE), never "compliant"', () => {
    const report = scan({ host: NO_HOST, policy: windowsPolicy(), probes: WINDOWS_PROBES });
    expect(new Set(report.violations.map((v) => v.rule))).toEqual(new Set(['PROBE-UNAVAILABLE']));
    expect(report.violations).toHaveLength(9);
  });
});

describe('scanWindows', () => {
  test('collects the facts first, then scans them; host identity from the facts', async () => {
    let askedFor: readonly unknown[] = [];
    const report = await scanWindows({
      host: NO_HOST,
      policy: windowsPolicy(),
      now: () => new Date('2026-11-28T02:15:00.000Z'),
      collect: (required) => {
        askedFor = required.map((s) => s.id);
        return Promise.resolve(devices);
      },
    });
    expect(askedFor).toEqual(['host-audit', 'antivirus']);
    expect(ScanReport.parse(report)).toEqual(report);
    expect(report.host).toEqual({ hostname: 'BGS-PC017', machineId: '3f2504e0-4f89-41d3-9a0c-0305e82c3301', os: 'Microsoft Windows 10 专业版 22H2' });
    expect(report.startedAt).toBe('2026-11-28T02:15:00.000Z');
    expect(report.violations).toHaveLength(13);
  });

  test('a collection that fails fails the scan (nothing is reported as seen)', async () => {
    const failing = scanWindows({ host: NO_HOST, policy: windowsPolicy(), collect: () => Promise.reject(new Error('systeminformation: usb: missing')) });
    await expect(failing).rejects.toThrow('systeminformation: usb: missing');
  });

  test('the Windows host identity: computer name, MachineGuid, edition and version; no boot id', () => {
    expect(windowsHostIdentity(clean)).toEqual({ hostname: 'BGS-PC021', machineId: '9b2e47d1-5c3a-4f8e-b1d6-2a7c90e4f513', os: 'Microsoft Windows 10 企业版 LTSC 21H2', bootId: null });
    expect(windowsHostIdentity({ osInfo: { ...clean.osInfo, hostname: ' ', distro: '', codename: '' }, uuid: { os: '', hardware: '' } })).toEqual({
      hostname: 'unknown', machineId: null, os: 'Windows', bootId: null,
    });
  });
});

describe('a hostile device name', () => {
  const report = scan({ host: NO_HOST, policy: windowsPolicy(), windowsFacts: devices });
  const headset = report.violations.find((v) => v.findingId === 'audio:usb:046d:0a44@5&1E6F2B7A&0&3')!;

  test('is kept byte for byte in the finding and the evidence, and the report stays valid JSON', () => {
    expect(report.findings.find((f) => f.id === headset.findingId)).toMatchObject({ name: HOSTILE_HEADSET_NAME });
    expect(headset.evidence.device).toContain(HOSTILE_HEADSET_NAME);
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });

  test('never reaches the terminal raw: control characters and bidi overrides are escaped in the table', () => {
    for (const lang of ['en', 'zh'] as const) {
      const text = renderScan(report, lang, 120);
      expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f\u202a-\u202e]/);
      expect(text.split('\n').every((line) => line.length < 400)).toBe(true);
    }
  });
});
