import { describe, expect, test } from 'vitest';
import type { Finding, FindingOf } from '../../../agent/findings/schema.js';
import { labelOf } from '../../../agent/findings/label.js';
import type { LogRecord } from '../../../agent/logs/log-record.js';
import { escapeHtml } from '../../../agent/report/html.js';
import { printable } from '../../../agent/text/terminal.js';
import { createLinkUpParser } from '../../../agent/traces/network/link-up-parser.js';
import { readNetworkTraceFiles } from '../../../agent/traces/network/read-files.js';
import { evaluate } from '../../../policies/evaluate.js';
import { Violation } from '../../../policies/violation.js';
import { builtinPolicy, fixture, policyWith } from '../../helpers.js';

const host = { hostname: 'pc-017', machineId: null };
const BOOT = '3f2504e04f8911d39a0c0305e82c3301';

function linkUps(records: Omit<LogRecord, 'file' | 'line' | 'seqnum' | 'bootId'>[]): FindingOf<'network-trace'>[] {
  const parser = createLinkUpParser();
  records.forEach((r, i) => parser.push({ ...r, bootId: BOOT, file: '/var/log/journal/x/system.journal', line: null, seqnum: i + 1 }));
  return parser.finish();
}

const files = readNetworkTraceFiles(fixture('net-traces'));
const links = linkUps([
  { time: '2026-11-26T01:00:07.5Z', identifier: 'kernel', message: 'e1000: eth0 NIC Link is Up 1000 Mbps Full Duplex, Flow Control: RX' },
  { time: '2026-11-26T06:00:01Z', identifier: 'kernel', message: 'IPv6: ADDRCONF(NETDEV_CHANGE): docker0: link becomes ready' },
  { time: '2026-11-26T06:00:03Z', identifier: 'kernel', message: 'IPv6: ADDRCONF(NETDEV_CHANGE): br-5f3e2a1b0c9d: link becomes ready' },
  { time: '2026-11-26T06:00:04Z', identifier: 'NetworkManager', message: '<info>  [1795672804.0000] device (tun0): Activation: successful, device activated.' },
]);
const findings: Finding[] = [...files, ...links];

const traceViolations = (policy = builtinPolicy().policy) => evaluate(policy, findings, host).filter((v) => v.rule === 'TRACE-NETWORK');
const violationOf = (id: string) => {
  const found = traceViolations().find((v) => v.findingId === id);
  if (!found) throw new Error(`no TRACE-NETWORK violation for ${id}`);
  return found;
};

describe('TRACE-NETWORK through evaluate()', () => {
  test('a saved Wi-Fi profile fires with its SSID and last-use time (policy time zone, Asia/Shanghai)', () => {
    const v = violationOf('net-trace:profile:/etc/NetworkManager/system-connections/Office-WiFi.nmconnection');
    expect(Violation.parse(v)).toEqual(v);
    expect(v.severity).toBe('high');
    expect(v.citation).toBe('T3 第十四条(一); T1 八.3');
    // 2026-11-26T10:00:00Z from the timestamps database
    expect(v.evidence.reason.zh).toBe('2026-11-26 18:00 无线网络(Wi-Fi):保存有网络连接配置(办公室-5G)');
    expect(v.evidence.reason.en).toBe('Wi-Fi: a network connection profile is saved (办公室-5G) at 2026-11-26 18:00');
    expect(v.evidence.sources?.map((s) => s.file)).toEqual([
      '/etc/NetworkManager/system-connections/Office-WiFi.nmconnection',
      '/var/lib/NetworkManager/timestamps',
      '/var/lib/NetworkManager/seen-bssids',
    ]);
    expect(v.evidence.device).toBe('wlan0 "办公室-5G" @ 2026-11-26 10:00:00 UTC');
  });

  test('a lease and a link that came up fire with their time; a VPN tunnel fires', () => {
    expect(violationOf('net-trace:lease:/var/lib/dhcp/dhclient.eth0.leases#eth0/192.168.1.23@192.168.1.1').evidence.reason.zh).toBe(
      '2026-11-26 09:53 有线网络:曾通过 DHCP 获得网络地址(192.168.1.1)',
    );
    expect(violationOf(`net-trace:link-up:eth0:${BOOT}`).evidence.reason.en).toBe('wired network: a network link came up at 2026-11-26 09:00');
    expect(violationOf(`net-trace:link-up:tun0:${BOOT}`).evidence.reason.zh).toBe('2026-11-26 14:00 VPN:网络链路曾经接通');
  });

  test('a trace without time still fires, without a time', () => {
    expect(violationOf('net-trace:profile:/etc/NetworkManager/system-connections/Company VPN.nmconnection').evidence.reason.zh).toBe(
      'VPN:保存有网络连接配置(Company VPN)',
    );
  });

  test('virtual bridges (a docker0 link, a br- link, a bridge profile) do not fire, unless the policy counts virtual interfaces', () => {
    const virtualIds = [
      `net-trace:link-up:docker0:${BOOT}`,
      `net-trace:link-up:br-5f3e2a1b0c9d:${BOOT}`,
      'net-trace:profile:/etc/NetworkManager/system-connections/virbr.nmconnection',
    ];
    for (const id of virtualIds) expect(findings.some((f) => f.id === id)).toBe(true);
    expect(traceViolations().filter((v) => virtualIds.includes(v.findingId))).toEqual([]);
    const counting = policyWith((p) => {
      p.detection = { ...p.detection, virtualInterfaces: true };
    }).policy;
    expect(traceViolations(counting).filter((v) => virtualIds.includes(v.findingId)).map((v) => v.findingId).sort()).toEqual([...virtualIds].sort());
  });

  test('every network trace but the virtual ones is a violation', () => {
    const expected = findings.filter((f) => f.kind === 'network-trace' && !f.virtual).map((f) => f.id).sort();
    expect(traceViolations().map((v) => v.findingId).sort()).toEqual(expected);
    expect(expected.length).toBeGreaterThan(20);
  });

  test('a hostile SSID is carried as text and is inert where it is shown (terminal, HTML)', () => {
    const v = violationOf('net-trace:profile:/etc/NetworkManager/system-connections/Hostile.nmconnection');
    expect(v.evidence.reason.zh).toContain('<script>alert(1)</script>\u001b[31mRED\u001b[0m\nline2\\xff');
    expect(JSON.parse(JSON.stringify(v))).toEqual(v);
    const onTerminal = printable(`${v.evidence.device} ${v.evidence.reason.zh}`);
    expect(onTerminal).not.toMatch(/[\u0000-\u001f]/);
    expect(onTerminal).toContain('\\x1b[31mRED\\x1b[0m\\x0aline2');
    const inHtml = escapeHtml(v.evidence.reason.zh);
    expect(inHtml).not.toContain('<script>');
    expect(inHtml).toContain('&lt;script&gt;');
    const hostileFinding = findings.find((f) => f.id === v.findingId)!;
    expect(labelOf(hostileFinding)).toContain('<script>');
  });
});
