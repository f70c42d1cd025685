import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { Finding, type FindingOf } from '../../../agent/findings/schema.js';
import { HostAccessError, HostRoot } from '../../../agent/host-root.js';
import { readNetworkTraceFiles } from '../../../agent/traces/network/read-files.js';
import { copyFixture, fixture } from '../../helpers.js';

type Trace = FindingOf<'network-trace'>;

const all = readNetworkTraceFiles(fixture('net-traces'));
const traces = all.filter((f): f is Trace => f.kind === 'network-trace');
const byId = (id: string) => {
  const found = traces.find((t) => t.id === id);
  if (!found) throw new Error(`no finding ${id}; have ${traces.map((t) => t.id).join('\n')}`);
  return found;
};

describe('readNetworkTraceFiles on a host tree', () => {
  test('every finding is valid by the schema, ids are unique, nothing was unreadable', () => {
    for (const finding of all) expect(Finding.parse(finding)).toEqual(finding);
    expect(new Set(all.map((f) => f.id)).size).toBe(all.length);
    expect(all.filter((f) => f.kind === 'probe-unavailable')).toEqual([]);
  });

  test('the same tree gives the same findings (ids stable from scan to scan)', () => {
    expect(readNetworkTraceFiles(fixture('net-traces'))).toEqual(all);
  });

  test('dhclient: renewals of one lease are one finding, timed at the first start = expire − dhcp-lease-time', () => {
    const lease = byId('net-trace:lease:/var/lib/dhcp/dhclient.eth0.leases#eth0/192.168.1.23@192.168.1.1');
    expect(lease).toMatchObject({
      trace: 'dhcp-lease',
      medium: 'ethernet',
      interface: 'eth0',
      virtual: false,
      name: '192.168.1.1',
      address: '192.168.1.23',
      // expire 5 2026/11/27 01:53:14 (UTC) − 86400 s
      time: '2026-11-26T01:53:14.000Z',
    });
    expect(lease.sources.map((s) => [s.line, s.time])).toEqual([
      [1, '2026-11-26T01:53:14.000Z'],
      [15, '2026-11-27T01:53:14.000Z'],
    ]);
    expect(lease.sources[0]!.text).toMatch(/^lease \{ interface "eth0"; fixed-address 192\.168\.1\.23;.*expire 5 2026\/11\/27 01:53:14; \}$/);
  });

  test('dhclient with db-time-format local: `expire epoch N; # …` is read', () => {
    expect(byId('net-trace:lease:/var/lib/dhcp/dhclient.leases#eth0/10.8.0.77@10.8.0.1').time).toBe('2026-11-24T16:00:00.000Z');
  });

  test('dhclient without a lease time: renew − dhcp-renewal-time; a block cut short is dropped, the block before kept', () => {
    const eth1 = traces.filter((t) => t.sources[0]!.file === '/var/lib/dhclient/dhclient--eth1.lease');
    expect(eth1.map((t) => [t.address, t.time])).toEqual([['172.16.5.9', '2026-11-25T08:00:00.000Z']]);
  });

  test('NetworkManager dhclient files, DHCPv4 and DHCPv6 (IA `starts` is exact)', () => {
    const nm = traces.filter((t) => t.sources[0]!.file.startsWith('/var/lib/NetworkManager/dhclient'));
    expect(nm.map((t) => [t.interface, t.medium, t.address, t.time])).toEqual([
      ['wlan0', 'wifi', '192.168.43.120', '2026-11-26T06:01:09.000Z'],
      ['wlan0', 'wifi', '2001:db8:43::1234', '2026-11-26T06:30:00.000Z'],
    ]);
  });

  test('NetworkManager internal and systemd-networkd leases: address, server, interface by ifindex, time = mtime (said in the source)', () => {
    const internal = byId('net-trace:lease:/var/lib/NetworkManager/internal-8d2f6c10-3b7a-4e55-b1c9-0a1b2c3d4e5f-eth0.lease#eth0/192.168.122.45@');
    expect(internal).toMatchObject({ interface: 'eth0', address: '192.168.122.45', name: null });
    const networkd = byId('net-trace:lease:/run/systemd/netif/leases/2#eth0/10.0.2.15@10.0.2.2');
    expect(networkd).toMatchObject({ interface: 'eth0', medium: 'ethernet', address: '10.0.2.15', name: '10.0.2.2' });
    expect(networkd.sources[0]!.text).toContain('time is the file’s modification time');
    expect(networkd.sources[0]!.text).toContain('LIFETIME=1d');
    // ifindex 7 is not in /sys/class/net (the adapter is gone): the lease is kept, interface unknown.
    expect(byId('net-trace:lease:/run/systemd/netif/leases/7#/192.168.8.100@192.168.8.1').interface).toBeNull();
    // The internal lease with no ADDRESS= is skipped.
    expect(traces.some((t) => t.sources[0]!.file.includes('eth9'))).toBe(false);
  });

  test('lease time from the file’s modification time', () => {
    const root = copyFixture('net-traces');
    const when = new Date('2026-11-20T03:04:05.000Z');
    fs.utimesSync(path.join(root, 'run/systemd/netif/leases/2'), when, when);
    const lease = readNetworkTraceFiles(new HostRoot(root)).find((f) => f.id === 'net-trace:lease:/run/systemd/netif/leases/2#eth0/10.0.2.15@10.0.2.2') as Trace;
    expect(lease.time).toBe('2026-11-20T03:04:05.000Z');
    expect(lease.sources[0]!.time).toBe('2026-11-20T03:04:05.000Z');
  });

  test('NetworkManager profiles: Wi-Fi, mobile, VPN, WireGuard and Bluetooth always; wired only when used', () => {
    const profiles = traces.filter((t) => t.trace === 'connection-profile');
    expect(Object.fromEntries(profiles.map((p) => [path.basename(p.sources[0]!.file), [p.medium, p.name, p.time]]))).toEqual({
      'Cafe.nmconnection': ['wifi', 'Cafe;Bar 4d7946', null],
      'China Mobile.nmconnection': ['mobile', 'cmnet', '2026-11-25T04:00:00.000Z'],
      'Company VPN.nmconnection': ['vpn', 'Company VPN', null],
      HomeNet: ['wifi', 'HomeNet', '2020-05-20T18:40:00.000Z'],
      'Hostile.nmconnection': ['wifi', '<script>alert(1)</script>\u001b[31mRED\u001b[0m\nline2\\xff', null],
      'Office-WiFi.nmconnection': ['wifi', '办公室-5G', '2026-11-26T10:00:00.000Z'],
      'Phone PAN.nmconnection': ['bluetooth', 'Phone Network', null],
      'Wired connection 1.nmconnection': ['ethernet', 'Wired connection 1', '2026-11-24T08:46:40.000Z'],
      'Wired db.nmconnection': ['ethernet', 'Wired db', '2026-11-26T08:50:00.000Z'],
      'virbr.nmconnection': ['other', 'bridge-br0', '2026-11-25T09:55:00.000Z'],
      'wg0.nmconnection': ['vpn', 'wg0', null],
      'Hotspot.nmconnection': ['wifi', 'iPhone 15', null],
    });
    // Never used, wired: no evidence. Not a keyfile: skipped.
    expect(profiles.some((p) => /Wired unused|broken/.test(p.sources[0]!.file))).toBe(false);
  });

  test('a profile’s time is the later of its timestamp= and the timestamps database; seen-bssids is a source', () => {
    const office = byId('net-trace:profile:/etc/NetworkManager/system-connections/Office-WiFi.nmconnection');
    expect(office.interface).toBe('wlan0');
    expect(office.sources.map((s) => [s.file, s.line, s.time])).toEqual([
      ['/etc/NetworkManager/system-connections/Office-WiFi.nmconnection', 1, '2026-11-25T09:46:40.000Z'],
      ['/var/lib/NetworkManager/timestamps', 3, '2026-11-26T10:00:00.000Z'],
      ['/var/lib/NetworkManager/seen-bssids', 2, null],
    ]);
    // No secret is copied into the evidence.
    expect(JSON.stringify(office)).not.toContain('not-a-real-secret');
    expect(byId('net-trace:profile:/etc/NetworkManager/system-connections/Wired connection 1.nmconnection').address).toBe('10.20.30.40/24');
    expect(byId('net-trace:profile:/etc/NetworkManager/system-connections/wg0.nmconnection').sources[0]!.text).toContain('endpoint=203.0.113.5:51820');
    expect(byId('net-trace:profile:/etc/NetworkManager/system-connections/virbr.nmconnection').virtual).toBe(true);
  });

  test('wpa_supplicant: quoted, hex and P"…" SSIDs; no time; secrets left out; a block cut short skipped', () => {
    const wpa = traces.filter((t) => t.trace === 'wpa-network');
    expect(wpa.map((t) => [t.name, t.interface, t.time, t.sources[0]!.line])).toEqual([
      ['TP-LINK_5G_3A2F', 'wlan0', null, 5],
      ['你好', 'wlan0', null, 12],
      ['Guest \u001b[31mRED\u001b[0m\n<b>bold</b>', 'wlan0', null, 17],
    ]);
    expect(wpa[0]!.sources[0]!.text).toMatch(/^\(文件修改时间 \/ file modified \d{4}-.*\) network=\{ ssid="TP-LINK_5G_3A2F" psk=… key_mgmt=WPA-PSK \}$/);
    expect(JSON.stringify(wpa)).not.toContain('not-a-real-psk');
    // A control character from the file never reaches an id.
    expect(wpa[2]!.id).toBe('net-trace:wpa:/etc/wpa_supplicant/wpa_supplicant-wlan0.conf#Guest \\x1b[31mRED\\x1b[0m\\x0a<b>bold</b>');
  });
});

/** A host that refuses some paths as the kernel would (EACCES): the tests run as root, where chmod cannot. */
class DenyingHost extends HostRoot {
  constructor(root: string, private readonly denied: readonly string[]) {
    super(root);
  }
  override readBytes(hostPath: string): Buffer | undefined {
    if (this.denied.includes(hostPath)) throw new HostAccessError(hostPath, 'EACCES');
    return super.readBytes(hostPath);
  }
  override list(hostPath: string): string[] {
    if (this.denied.includes(hostPath)) throw new HostAccessError(hostPath, 'EACCES');
    return super.list(hostPath);
  }
}

describe('files the agent may not read', () => {
  test('are skipped and named in one probe-unavailable finding; the rest is kept', () => {
    const host = new DenyingHost(path.join(fixture('net-traces').root), [
      '/etc/NetworkManager/system-connections/Office-WiFi.nmconnection',
      '/etc/wpa_supplicant',
    ]);
    const found = readNetworkTraceFiles(host);
    for (const finding of found) Finding.parse(finding);
    expect(found.filter((f) => f.kind === 'probe-unavailable')).toEqual([
      {
        id: 'probe:network-traces',
        kind: 'probe-unavailable',
        probe: 'network-traces',
        reason: 'permission-denied',
        detail: 'EACCES /etc/NetworkManager/system-connections/Office-WiFi.nmconnection, EACCES /etc/wpa_supplicant',
      },
    ]);
    const ids = found.map((f) => f.id);
    expect(ids).not.toContain('net-trace:profile:/etc/NetworkManager/system-connections/Office-WiFi.nmconnection');
    expect(ids.filter((id) => id.startsWith('net-trace:wpa:'))).toEqual([]);
    // Everything else is still there.
    expect(found.length).toBe(all.length - 1 - 3 + 1);
  });

  test('an empty host has no traces and no problems', () => {
    expect(readNetworkTraceFiles(new HostRoot(path.join(fixture('net-traces').root, 'var', 'lib', 'dhcp')))).toEqual([]);
  });
});
