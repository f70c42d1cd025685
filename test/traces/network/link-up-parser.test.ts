import { describe, expect, test } from 'vitest';
import { Finding, type FindingOf } from '../../../agent/findings/schema.js';
import type { LogRecord } from '../../../agent/logs/log-record.js';
import { createLinkUpParser, isLinkUpMessage } from '../../../agent/traces/network/link-up-parser.js';

/**
 * The messages are those the programs write (see test/fixtures/net-traces/README.md for where each
 * format comes from); the records around them are what the log reader hands over.
 */
const BOOT_A = '3f2504e04f8911d39a0c0305e82c3301';
const BOOT_B = '9b1deb4d3b7d4bad9bdd2b0d7b3dcb6d';

let line = 0;
function journal(message: string, time: string, identifier: string, bootId = BOOT_A): LogRecord {
  line++;
  return { time, identifier, message, bootId, file: '/var/log/journal/m/system.journal', line: null, seqnum: 1000 + line };
}
function syslog(file: string, message: string, time: string | null, identifier: string): LogRecord {
  line++;
  return { time, identifier, message, bootId: null, file, line, seqnum: null };
}

function run(records: LogRecord[]): FindingOf<'network-trace'>[] {
  const parser = createLinkUpParser();
  for (const record of records) parser.push(record);
  const found = parser.finish();
  for (const finding of found) expect(Finding.parse(finding)).toEqual(finding);
  return found;
}

describe('link-up parser', () => {
  test('a wired link of one boot: flaps collapse, first time kept, journal and syslog copies are one', () => {
    const records = [
      journal('Linux version 6.1.0-28-amd64 (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14) 12.2.0) #1 SMP PREEMPT_DYNAMIC Debian 6.1.119-1 (2024-11-22)', '2026-11-26T01:00:00.100000Z', 'kernel'),
      journal('e1000: eth0 NIC Link is Up 1000 Mbps Full Duplex, Flow Control: RX', '2026-11-26T01:00:07.512345Z', 'kernel'),
      journal('<info>  [1795654810.1234] dhcp4 (eth0): state changed new lease, address=192.168.1.23', '2026-11-26T01:00:10.123400Z', 'NetworkManager'),
      journal('<info>  [1795654810.2001] device (eth0): Activation: successful, device activated.', '2026-11-26T01:00:10.200100Z', 'NetworkManager'),
      journal('e1000: eth0 NIC Link is Down', '2026-11-26T02:00:00.000000Z', 'kernel'),
      journal('e1000: eth0 NIC Link is Up 1000 Mbps Full Duplex, Flow Control: RX', '2026-11-26T02:00:03.000000Z', 'kernel'),
      journal('some later message of the boot', '2026-11-26T05:00:00.000000Z', 'systemd'),
      // The same events in kern.log / syslog, whole seconds, no boot id.
      syslog('/var/log/kern.log', 'e1000: eth0 NIC Link is Up 1000 Mbps Full Duplex, Flow Control: RX', '2026-11-26T01:00:07.000Z', 'kernel'),
      syslog('/var/log/syslog', '<info>  [1795654810.2001] device (eth0): Activation: successful, device activated.', '2026-11-26T01:00:10.000Z', 'NetworkManager'),
    ];
    const found = run(records);
    expect(found).toHaveLength(1);
    const eth0 = found[0]!;
    expect(eth0).toMatchObject({
      id: `net-trace:link-up:eth0:${BOOT_A}`,
      trace: 'link-up',
      medium: 'ethernet',
      interface: 'eth0',
      virtual: false,
      address: '192.168.1.23',
      time: '2026-11-26T01:00:07.512Z',
    });
    expect(eth0.sources.map((s) => [s.file, s.seqnum !== null, s.text.slice(0, 30)])).toEqual([
      ['/var/log/journal/m/system.journal', true, 'e1000: eth0 NIC Link is Up 100'],
      ['/var/log/journal/m/system.journal', true, '<info>  [1795654810.1234] dhcp'],
      ['/var/log/journal/m/system.journal', true, '<info>  [1795654810.2001] devi'],
      ['/var/log/journal/m/system.journal', true, 'e1000: eth0 NIC Link is Up 100'],
    ]);
    // Fed again, the same ids: the ledger keeps one incident.
    expect(run(records).map((f) => f.id)).toEqual([eth0.id]);
    // A reader that hands over only what isLinkUpMessage() wants gets the same finding.
    const wanted = records.filter((r) => isLinkUpMessage(r.identifier, r.message));
    expect(wanted.length).toBeLessThan(records.length);
    expect(run(wanted)).toEqual(found);
  });

  test('syslog-only boots are told apart by the kernel’s `Linux version` line; Wi-Fi named from wpa_supplicant', () => {
    const f = '/var/log/syslog.1';
    const found = run([
      syslog(f, 'Linux version 6.1.0-28-amd64 (debian-kernel@lists.debian.org) #1 SMP', '2026-11-20T00:59:50.000Z', 'kernel'),
      syslog(f, 'wlan0: SME: Trying to authenticate with a4:2b:b0:12:34:56 (SSID=\'Office\' freq=2437 MHz)', '2026-11-20T01:00:00.000Z', 'wpa_supplicant'),
      syslog(f, 'wlan0: authenticate with a4:2b:b0:12:34:56', '2026-11-20T01:00:00.000Z', 'kernel'),
      syslog(f, 'wlan0: authenticated', '2026-11-20T01:00:01.000Z', 'kernel'),
      syslog(f, 'wlan0: associated', '2026-11-20T01:00:01.000Z', 'kernel'),
      syslog(f, 'wlan0: CTRL-EVENT-CONNECTED - Connection to a4:2b:b0:12:34:56 completed [id=0 id_str=]', '2026-11-20T01:00:02.000Z', 'wpa_supplicant'),
      syslog(f, 'Linux version 6.1.0-28-amd64 (debian-kernel@lists.debian.org) #1 SMP', '2026-11-21T08:00:00.000Z', 'kernel'),
      syslog(f, 'wlan0: associated', '2026-11-21T08:00:30.000Z', 'kernel'),
    ]);
    expect(found.map((t) => [t.id, t.medium, t.name, t.time, t.sources.length])).toEqual([
      ['net-trace:link-up:wlan0:2026-11-20T01:00', 'wifi', 'Office', '2026-11-20T01:00:01.000Z', 3],
      ['net-trace:link-up:wlan0:2026-11-21T08:00', 'wifi', null, '2026-11-21T08:00:30.000Z', 1],
    ]);
    expect(found[0]!.sources.map((s) => s.line)).toEqual([expect.any(Number), expect.any(Number), expect.any(Number)]);
  });

  test('USB tethering and mobile broadband modems; an iPhone before it has a name', () => {
    const found = run([
      journal("rndis_host 1-1:1.0 usb0: register 'rndis_host' at usb-0000:00:14.0-1, RNDIS device, 12:34:56:78:9a:bc", '2026-11-26T03:00:00Z', 'kernel'),
      journal("cdc_ether 2-1:1.0 usb1: register 'cdc_ether' at usb-0000:00:14.0-2, CDC Ethernet Device, 0c:5b:8f:27:9a:64", '2026-11-26T03:01:00Z', 'kernel'),
      journal("qmi_wwan 2-3:1.4 wwan0: register 'qmi_wwan' at usb-0000:00:14.0-3, WWAN/QMI device, 6a:0b:1c:2d:3e:4f", '2026-11-26T03:02:00Z', 'kernel'),
      journal("cdc_mbim 2-4:1.12 wwan1: register 'cdc_mbim' at usb-0000:00:14.0-4, CDC MBIM, 9e:1c:55:aa:02:11", '2026-11-26T03:03:00Z', 'kernel'),
      journal('ipheth 1-1:4.2: Apple iPhone USB Ethernet device attached', '2026-11-26T03:04:00Z', 'kernel'),
      journal("cdc_ncm 1-2:1.0 usb2: register 'cdc_ncm' at usb-0000:00:14.0-2, CDC NCM (NO ZLP), 2a:11:22:33:44:55", '2026-11-26T03:05:00Z', 'kernel'),
      journal("rndis_host 1-1:1.0 usb0: unregister 'rndis_host' usb-0000:00:14.0-1, RNDIS device", '2026-11-26T03:06:00Z', 'kernel'),
    ]);
    expect(found.map((t) => [t.interface, t.medium, t.name])).toEqual([
      ['usb0', 'usb-tether', null],
      ['usb1', 'usb-tether', null],
      ['wwan0', 'mobile', null],
      ['wwan1', 'mobile', null],
      [null, 'usb-tether', 'Apple iPhone'],
      ['usb2', 'usb-tether', null],
    ]);
    expect(found[4]!.id).toBe(`net-trace:link-up:ipheth@1-1:4.2:${BOOT_A}`);
  });

  test('a renamed interface is one finding under its new name; a reused name goes to the next device', () => {
    const found = run([
      journal("rndis_host 1-1:1.0 usb0: register 'rndis_host' at usb-0000:00:14.0-1, RNDIS device, 12:34:56:78:9a:bc", '2026-11-26T08:00:00Z', 'kernel'),
      journal('rndis_host 1-1:1.0 enx123456789abc: renamed from usb0', '2026-11-26T08:00:00.2Z', 'kernel'),
      journal('enx123456789abc: Gained carrier', '2026-11-26T08:00:01Z', 'systemd-networkd'),
      journal("cdc_ncm 1-2:1.0 usb0: register 'cdc_ncm' at usb-0000:00:14.0-2, CDC NCM (NO ZLP), 2a:11:22:33:44:55", '2026-11-26T09:00:00Z', 'kernel'),
      journal('usb0: Interface name change detected, renamed to enx2a1122334455.', '2026-11-26T09:00:00.3Z', 'systemd-networkd'),
    ]);
    expect(found.map((t) => [t.interface, t.medium, t.sources.length])).toEqual([
      ['enx123456789abc', 'usb-tether', 2],
      ['enx2a1122334455', 'usb-tether', 1],
    ]);
  });

  test('systemd-networkd and dhclient: address and DHCP server', () => {
    const found = run([
      journal('enp0s3: Gained carrier', '2026-11-26T04:00:00.000001Z', 'systemd-networkd'),
      journal('enp0s3: DHCPv4 address 10.0.2.15/24, gateway 10.0.2.2 acquired from 10.0.2.2', '2026-11-26T04:00:01Z', 'systemd-networkd'),
      syslog('/var/log/syslog', 'DHCPDISCOVER on eth1 to 255.255.255.255 port 67 interval 3 (xid=0x5a1b2c3d)', null, 'dhclient'),
      syslog('/var/log/syslog', 'DHCPREQUEST for 172.16.5.9 on eth1 to 255.255.255.255 port 67 (xid=0x5a1b2c3d)', null, 'dhclient'),
      syslog('/var/log/syslog', 'DHCPACK of 172.16.5.9 from 172.16.5.1 (xid=0x5a1b2c3d)', null, 'dhclient'),
      syslog('/var/log/syslog', 'bound to 172.16.5.9 -- renewal in 40210 seconds.', null, 'dhclient'),
    ]);
    expect(found.map((t) => [t.id, t.interface, t.address, t.name, t.time])).toEqual([
      [`net-trace:link-up:enp0s3:${BOOT_A}`, 'enp0s3', '10.0.2.15', '10.0.2.2', '2026-11-26T04:00:00.000Z'],
      ['net-trace:link-up:eth1:unknown', 'eth1', '172.16.5.9', '172.16.5.1', null],
    ]);
  });

  test('other kernel drivers’ wording, and what is not a link coming up', () => {
    const found = run([
      journal('r8169 0000:02:00.0 enp2s0: Link is Up - 1Gbps/Full - flow control rx/tx', '2026-11-26T05:00:00Z', 'kernel'),
      journal('igb 0000:01:00.0 eno1: igb: eno1 NIC Link is Up 1000 Mbps Full Duplex, Flow Control: RX', '2026-11-26T05:00:01Z', 'kernel'),
      journal('tg3 0000:03:00.0 eth2: Link is up at 1000 Mbps, full duplex', '2026-11-26T05:00:02Z', 'kernel'),
      journal('IPv6: ADDRCONF(NETDEV_CHANGE): eth3: link becomes ready', '2026-11-26T05:00:03Z', 'kernel'),
      // Not up: a link not ready, an attempt to authenticate, a link going down, an unrelated message.
      journal('IPv6: ADDRCONF(NETDEV_UP): eth4: link is not ready', '2026-11-26T05:00:04Z', 'kernel'),
      journal('wlan1: authenticate with a4:2b:b0:12:34:56', '2026-11-26T05:00:05Z', 'kernel'),
      journal('r8169 0000:02:00.0 enp5s0: Link is Down', '2026-11-26T05:00:06Z', 'kernel'),
      journal('<info>  [1795654810.0001] device (eth6): state change: unavailable -> disconnected', '2026-11-26T05:00:07Z', 'NetworkManager'),
    ]);
    expect(found.map((t) => t.interface)).toEqual(['enp2s0', 'eno1', 'eth2', 'eth3']);
  });

  test('the loopback never; container bridges and veths are virtual; tunnels are VPNs, not virtual', () => {
    const found = run([
      journal('<info>  [1795654810.3000] device (lo): Activation: successful, device activated.', '2026-11-26T06:00:00Z', 'NetworkManager'),
      journal('IPv6: ADDRCONF(NETDEV_CHANGE): docker0: link becomes ready', '2026-11-26T06:00:01Z', 'kernel'),
      journal('IPv6: ADDRCONF(NETDEV_CHANGE): veth1a2b3c4: link becomes ready', '2026-11-26T06:00:02Z', 'kernel'),
      journal('IPv6: ADDRCONF(NETDEV_CHANGE): br-5f3e2a1b0c9d: link becomes ready', '2026-11-26T06:00:03Z', 'kernel'),
      journal('<info>  [1795654810.4000] device (tun0): Activation: successful, device activated.', '2026-11-26T06:00:04Z', 'NetworkManager'),
      journal('<info>  [1795654810.5000] device (wg0): Activation: successful, device activated.', '2026-11-26T06:00:05Z', 'NetworkManager'),
      journal('<info>  [1795654810.6000] device (ppp0): Activation: successful, device activated.', '2026-11-26T06:00:06Z', 'NetworkManager'),
    ]);
    expect(found.map((t) => [t.interface, t.virtual, t.medium])).toEqual([
      ['docker0', true, 'other'],
      ['veth1a2b3c4', true, 'other'],
      ['br-5f3e2a1b0c9d', true, 'other'],
      ['tun0', false, 'vpn'],
      ['wg0', false, 'vpn'],
      ['ppp0', false, 'mobile'],
    ]);
  });

  test('hostile strings stay text; long messages are cut to 500; at most five sources', () => {
    const hostile = `<img src=x onerror=alert(1)>\u001b[2J\u001b]0;pwned\u0007\nX`;
    const records = [
      journal(`<info>  [1795654810.7000] device (wlan0): Activation: (wifi) Stage 2 of 5 (Device Configure) successful. Connected to wireless network "${hostile}"`, '2026-11-26T07:00:00Z', 'NetworkManager', BOOT_B),
    ];
    for (let i = 1; i <= 8; i++) records.push(journal(`wlan0: associated ${'x'.repeat(0)}`.trim(), `2026-11-26T07:0${i}:00Z`, 'kernel', BOOT_B));
    records.push(journal(`e1000e 0000:00:19.0 eth0: NIC Link is Up 1000 Mbps Full Duplex, Flow Control: None ${'长'.repeat(600)}`, '2026-11-26T07:10:00Z', 'kernel', BOOT_B));
    const found = run(records);
    const wlan = found.find((t) => t.interface === 'wlan0')!;
    expect(wlan.name).toBe(hostile);
    expect(wlan.sources).toHaveLength(5);
    expect(JSON.parse(JSON.stringify(wlan))).toEqual(wlan);
    const eth = found.find((t) => t.interface === 'eth0')!;
    expect(eth.sources[0]!.text.length).toBe(500);
    expect(eth.sources[0]!.text.endsWith('…')).toBe(true);
  });
});
