/**
 * The network traces of the VM captures (test/fixtures/vm-traces*, see their READMEs): real journal,
 * kern.log/syslog/messages, systemd-networkd and dhclient lease files, read by the project's log
 * reader and handed to the link-up parser as a deep scan does.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { Finding, type FindingOf } from '../../../agent/findings/schema.js';
import { readSystemLogs } from '../../../agent/logs/system-logs.js';
import { createLinkUpParser, isLinkUpMessage } from '../../../agent/traces/network/link-up-parser.js';
import { readNetworkTraceFiles } from '../../../agent/traces/network/read-files.js';
import { evaluate } from '../../../policies/evaluate.js';
import { builtinPolicy, fixture, FIXTURES } from '../../helpers.js';

const BOOT = 'b9ec7ff6def5418cb53b41abf0590ff9';
const TREES = ['vm-traces', 'vm-traces-rfc3339'].filter((name) => fs.existsSync(path.join(FIXTURES, name)));

async function linkUps(name: string, filtered: boolean): Promise<FindingOf<'network-trace'>[]> {
  const parser = createLinkUpParser();
  await readSystemLogs(fixture(name), {
    fallbackTimezone: 'UTC',
    onRecord: (record) => parser.push(record),
    ...(filtered ? { wanted: isLinkUpMessage } : {}),
  });
  const found = parser.finish();
  for (const finding of found) expect(Finding.parse(finding)).toEqual(finding);
  return found;
}

describe.skipIf(TREES.length === 0)('network traces of the VM captures', () => {
  test('vm-traces (journal + traditional syslog): three links of one boot, each once, journal copies kept', async () => {
    const found = await linkUps('vm-traces', false);
    expect(found.map((t) => [t.id, t.medium, t.interface, t.address, t.name, t.time])).toEqual([
      // dhclient at boot (ifupdown): `bound to 10.0.2.15`, then networkd's `enp0s6: Gained carrier`
      [`net-trace:link-up:enp0s6:${BOOT}`, 'ethernet', 'enp0s6', '10.0.2.15', '10.0.2.2', '2026-11-28T10:00:15.020Z'],
      // the e1000 cable plugged in at 18:00:58 local (UTC+8)
      [`net-trace:link-up:enp0s5:${BOOT}`, 'ethernet', 'enp0s5', '10.0.2.15', '10.0.2.2', '2026-11-28T10:00:58.359Z'],
      // the phone's CDC-ECM tether: registered as usb1, renamed enx525400ba00e1, DHCP from the phone
      [`net-trace:link-up:enx525400ba00e1:${BOOT}`, 'usb-tether', 'enx525400ba00e1', '192.168.42.165', '192.168.42.129', '2026-11-28T10:01:17.186Z'],
    ]);
    // The same kernel and networkd lines are in kern.log, syslog and messages: one source each, the journal's.
    for (const trace of found) {
      expect(trace.sources.every((s) => s.file.startsWith('/var/log/journal/') && s.seqnum !== null)).toBe(true);
      const keys = trace.sources.map((s) => `${s.time?.slice(0, 19)} ${s.text}`);
      expect(new Set(keys).size).toBe(keys.length);
    }
    expect(found[2]!.sources.map((s) => s.text.slice(0, 40))).toEqual([
      "cdc_ether 3-1:1.0 usb1: register 'cdc_et",
      'IPv6: ADDRCONF(NETDEV_CHANGE): enx525400',
      'enx525400ba00e1: Gained carrier',
      'enx525400ba00e1: DHCPv4 address 192.168.',
    ]);
    // The loopback's `lo: Gained carrier` is no trace.
    expect(found.some((t) => t.interface === 'lo')).toBe(false);
  });

  test('a reader that builds only the records isLinkUpMessage() wants gives the same findings', async () => {
    expect(await linkUps('vm-traces', true)).toEqual(await linkUps('vm-traces', false));
  });

  test.skipIf(!TREES.includes('vm-traces-rfc3339'))('vm-traces-rfc3339 (text logs only, RFC 3339 times): the same three links, boot told by `Linux version`', async () => {
    const found = await linkUps('vm-traces-rfc3339', false);
    expect(found.map((t) => [t.interface, t.medium, t.address, t.name])).toEqual([
      ['enp0s6', 'ethernet', '10.0.2.15', '10.0.2.2'],
      ['enp0s5', 'ethernet', '10.0.2.15', '10.0.2.2'],
      ['enx525400ba00e1', 'usb-tether', '192.168.42.165', '192.168.42.129'],
    ]);
    for (const trace of found) {
      // No boot id in text logs: the id carries the first time to the minute.
      expect(trace.id).toBe(`net-trace:link-up:${trace.interface}:${trace.time!.slice(0, 16)}`);
      expect(trace.sources.every((s) => s.line !== null && s.seqnum === null)).toBe(true);
      const keys = trace.sources.map((s) => `${s.time?.slice(0, 19)} ${s.text}`);
      expect(new Set(keys).size).toBe(keys.length);
    }
  });

  test('lease files of the capture: networkd by ifindex, dhclient in UTC', () => {
    const found = readNetworkTraceFiles(fixture('vm-traces'));
    for (const finding of found) expect(Finding.parse(finding)).toEqual(finding);
    const traces = found as FindingOf<'network-trace'>[];
    expect(traces.map((t) => [t.id, t.interface, t.address, t.name])).toEqual([
      ['net-trace:lease:/var/lib/dhcp/dhclient.enp0s6.leases#enp0s6/10.0.2.15@10.0.2.2', 'enp0s6', '10.0.2.15', '10.0.2.2'],
      ['net-trace:lease:/run/systemd/netif/leases/3#enp0s5/10.0.2.15@10.0.2.2', 'enp0s5', '10.0.2.15', '10.0.2.2'],
      ['net-trace:lease:/run/systemd/netif/leases/5#enx525400ba00e1/192.168.42.165@192.168.42.129', 'enx525400ba00e1', '192.168.42.165', '192.168.42.129'],
    ]);
    // expire 0 2026/11/29 10:00:12 (UTC) − dhcp-lease-time 86400: the DHCPACK of 18:00:12 local.
    expect(traces[0]!.time).toBe('2026-11-28T10:00:12.000Z');
  });

  test('TRACE-NETWORK fires for each, with the time in the policy’s zone', async () => {
    const findings = [...readNetworkTraceFiles(fixture('vm-traces')), ...(await linkUps('vm-traces', true))];
    const violations = evaluate(builtinPolicy().policy, findings, { hostname: 'baomi-vm', machineId: 'ba0d1ce0c0ffee00ba0d1ce0c0ffee00' }).filter(
      (v) => v.rule === 'TRACE-NETWORK',
    );
    expect(violations).toHaveLength(6);
    expect(violations.find((v) => v.findingId === `net-trace:link-up:enx525400ba00e1:${BOOT}`)!.evidence.reason.zh).toBe(
      '2026-11-28 18:01 USB 共享网络(手机等):网络链路曾经接通(192.168.42.129)',
    );
  });
});
