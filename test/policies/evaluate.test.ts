import { describe, expect, test } from 'vitest';
import type { Finding } from '../../agent/findings/schema.js';
import { evaluate } from '../../policies/evaluate.js';
import type { MediaEntry } from '../../policies/schema.js';
import { nic, stick, usbIdentity } from '../findings-factory.js';
import { policyWith } from '../helpers.js';

const host = { hostname: 'pc-017', machineId: 'a1b2c3' };

const entry = (over: Partial<MediaEntry> = {}): MediaEntry => ({
  id: 'BM-2026-0001',
  label: '张三的 U 盘',
  vendorId: '0951',
  productId: '1666',
  serial: 'S123',
  capacityBytes: 15_502_147_584,
  class: '秘密',
  boundHost: 'pc-017',
  owner: '张三',
  status: 'active',
  registeredBy: '李四',
  registeredAt: '2026-03-02',
  role: 'storage',
  ...over,
});

function rulesFor(media: MediaEntry[], findings: Finding[], computerClass: '秘密' | '机密' = '秘密') {
  const { policy } = policyWith((p) => {
    p.registry = { media };
    p.computerClass = computerClass;
  });
  return evaluate(policy, findings, host).map((v) => `${v.rule} ${v.findingId}`);
}

describe('media registry', () => {
  test('a registered stick is allowed; the same model with another serial is not', () => {
    const other = stick({ usb: usbIdentity({ serial: 'S999' }) });
    expect(rulesFor([entry()], [stick(), other])).toEqual(['MEDIA-UNREGISTERED storage:usb:0951:1666:S999']);
  });

  test('identity is VID, PID, serial and capacity: a different capacity or product id is another medium', () => {
    expect(rulesFor([entry()], [stick({ capacityBytes: 31_004_295_168 })])).toEqual(['MEDIA-UNREGISTERED storage:usb:0951:1666:S123']);
    expect(rulesFor([entry()], [stick({ usb: usbIdentity({ productId: '1667' }) })])).toEqual(['MEDIA-UNREGISTERED storage:usb:0951:1667:S123']);
    expect(rulesFor([entry({ capacityBytes: null })], [stick({ capacityBytes: 31_004_295_168 })])).toEqual([]);
  });

  test('a stick without a serial only matches an entry registered without one, and the evidence says so', () => {
    const noSerial = stick({ usb: usbIdentity({ serial: null }) });
    expect(rulesFor([entry()], [noSerial])).toEqual(['MEDIA-UNREGISTERED storage:usb:0951:1666:@1-2']);
    expect(rulesFor([entry({ serial: null })], [noSerial])).toEqual([]);
    expect(rulesFor([entry({ serial: null })], [stick()])).toEqual(['MEDIA-UNREGISTERED storage:usb:0951:1666:S123']);
    const { policy } = policyWith(() => {});
    expect(evaluate(policy, [noSerial], host)[0]!.evidence.reason.en).toContain('no serial number');
  });

  test('class below the computer class, another bound host, retired or lost status', () => {
    expect(rulesFor([entry({ class: '非涉密' })], [stick()])).toEqual(['MEDIA-WRONG-CLASS storage:usb:0951:1666:S123']);
    expect(rulesFor([entry({ class: '秘密' })], [stick()], '机密')).toEqual(['MEDIA-WRONG-CLASS storage:usb:0951:1666:S123']);
    expect(rulesFor([entry({ class: '机密' })], [stick()], '秘密')).toEqual([]);
    expect(rulesFor([entry({ boundHost: 'pc-099' })], [stick()])).toEqual(['MEDIA-WRONG-HOST storage:usb:0951:1666:S123']);
    expect(rulesFor([entry({ boundHost: 'a1b2c3' })], [stick()])).toEqual([]); // bound by machine id
    expect(rulesFor([entry({ status: 'retired' })], [stick()])).toEqual(['MEDIA-RETIRED storage:usb:0951:1666:S123']);
    expect(rulesFor([entry({ status: 'lost' })], [stick()])).toEqual(['MEDIA-RETIRED storage:usb:0951:1666:S123']);
  });

  test('an inspection stick travels: it is not bound to one computer', () => {
    expect(rulesFor([entry({ role: 'inspection', boundHost: 'pc-099' })], [stick()])).toEqual([]);
  });

  test("the computer's class comes from its registry entry before the policy default", () => {
    const { policy } = policyWith((p) => {
      p.computerClass = '秘密';
      p.registry = { media: [entry({ class: '秘密' })], hosts: [{ hostname: 'pc-017', class: '绝密', department: '办公室', owner: '张三' }] };
    });
    expect(evaluate(policy, [stick()], host).map((v) => v.rule)).toEqual(['MEDIA-WRONG-CLASS']);
  });
});

describe('network rules', () => {
  test('an approved interface of a networked terminal is exempt; others are not', () => {
    const { policy } = policyWith((p) => {
      p.registry = { networkInterfaces: [{ id: 'NIC-01', label: '内网', mac: '52:54:00:12:34:01', boundHost: 'pc-017' }] };
    });
    const approved = nic({ ipv4: ['10.1.2.3'], defaultRoute: true });
    const other = nic({ name: 'eth1', mac: '52:54:00:12:34:02', ipv4: ['10.1.2.4'] });
    expect(evaluate(policy, [approved, other], host).map((v) => `${v.rule} ${v.findingId}`)).toEqual([
      'NET-CABLE net:eth1',
      'NET-INTERNET net:eth1',
    ]);
  });

  test('virtual interfaces count only when the policy says so; loopback never', () => {
    const bridge = nic({ name: 'docker0', bus: 'virtual', virtual: true, ipv4: ['172.17.0.1'] });
    const lo = nic({ name: 'lo', loopback: true, virtual: true, bus: 'virtual', ipv4: ['127.0.0.1'] });
    const { policy } = policyWith(() => {});
    expect(evaluate(policy, [bridge, lo], host)).toEqual([]);
    const strict = policyWith((p) => {
      p.detection = { virtualInterfaces: true };
    }).policy;
    expect(evaluate(strict, [bridge, lo], host).map((v) => `${v.rule} ${v.findingId}`)).toEqual([
      'NET-CABLE net:docker0',
      'NET-INTERNET net:docker0',
    ]);
  });

  test('Wi-Fi fires even when down; link-local addresses alone are not a network', () => {
    const { policy } = policyWith(() => {});
    const wifi = nic({ name: 'wlan0', wireless: true, adminUp: false, carrier: null, operstate: 'down' });
    const linkLocal = nic({ name: 'eth2', carrier: false, ipv6: ['fe80::1'] });
    expect(evaluate(policy, [wifi, linkLocal], host).map((v) => `${v.rule} ${v.findingId}`)).toEqual(['NET-WIRELESS net:wlan0']);
  });
});

describe('evaluation', () => {
  test('a disabled rule reports nothing', () => {
    const { policy } = policyWith((p) => {
      p.rules.find((r) => r.id === 'MEDIA-UNREGISTERED')!.enabled = false;
    });
    expect(evaluate(policy, [stick()], host)).toEqual([]);
  });

  test('order is deterministic: severity, rule, finding — whatever the order of findings', () => {
    const findings: Finding[] = [
      nic({ name: 'wlan0', wireless: true, carrier: null }),
      stick({ usb: usbIdentity({ serial: 'B' }) }),
      stick({ usb: usbIdentity({ serial: 'A' }) }),
      nic({ name: 'eth0', ipv4: ['192.0.2.1'] }),
    ];
    const { policy } = policyWith(() => {});
    const forward = evaluate(policy, findings, host);
    expect(evaluate(policy, [...findings].reverse(), host)).toEqual(forward);
    expect(forward.map((v) => `${v.severity} ${v.rule} ${v.findingId}`)).toEqual([
      'critical MEDIA-UNREGISTERED storage:usb:0951:1666:A',
      'critical MEDIA-UNREGISTERED storage:usb:0951:1666:B',
      'critical NET-CABLE net:eth0',
      'critical NET-INTERNET net:eth0',
      'high NET-WIRELESS net:wlan0',
    ]);
  });

  test('enrolled disks: a swapped disk and the missing one are both reported', () => {
    const { policy } = policyWith((p) => {
      p.registry = { disks: [{ host: 'pc-017', model: 'Samsung SSD 870', serial: 'S5Y1' }] };
    });
    const swapped = { id: 'disk:OTHER', kind: 'fixed-disk' as const, device: 'sda', bus: 'pci' as const, model: 'Other', serial: 'OTHER', wwn: null, capacityBytes: 1 };
    expect(evaluate(policy, [swapped], host).map((v) => `${v.rule} ${v.findingId}`)).toEqual([
      'HW-DISK-CHANGE disk:OTHER',
      'HW-DISK-CHANGE disk:S5Y1',
    ]);
  });
});

describe('the deep scan’s rules', () => {
  const disk = (device: string, serial: string | null, wwn: string | null = null) => ({
    id: `disk:${serial ?? device}`, kind: 'fixed-disk' as const, device, bus: 'pci' as const, model: 'SSD', serial, wwn, capacityBytes: 512e9,
  });
  const enrolled = (d: ReturnType<typeof disk>) => ({ device: d.device, model: d.model, serial: d.serial, wwn: d.wwn, capacityBytes: d.capacityBytes });
  const { policy } = policyWith(() => {});
  const disksVerdict = (present: ReturnType<typeof disk>[], baseline: ReturnType<typeof disk>[] | null) =>
    evaluate(policy, present, host, { enrolledDisks: baseline?.map(enrolled) ?? null }).map((v) => `${v.findingId} ${v.evidence.reason.en}`);

  test('HW-DISK-CHANGE against the disks enrolled at the first run: added, replaced, removed, unchanged', () => {
    const [a, b, c] = [disk('sda', 'A1'), disk('sdb', 'B2'), disk('sdb', 'C3')];
    expect(disksVerdict([a, b], [a, b])).toEqual([]);
    expect(disksVerdict([a, b], null)).toEqual([]); // not enrolled yet: nothing to compare with
    expect(disksVerdict([a, b], [a])).toEqual(['disk:B2 a disk that was not there at enrolment']);
    expect(disksVerdict([a, c], [a, b])).toEqual(['disk:C3 disk sdb was replaced: at enrolment it was sdb SSD S/N B2 512 GB']);
    expect(disksVerdict([a], [a, b])).toEqual(['disk:B2 an enrolled disk is gone from this computer (removed)']);
    // a scan that did not look at the disks (a quick scan) cannot tell one is missing
    expect(evaluate(policy, [], host, { enrolledDisks: [enrolled(a)], kinds: new Set(['removable-storage']) })).toEqual([]);
    // a disk that reports no serial is known by its WWN
    expect(disksVerdict([disk('sda', null, 'naa.5000')], [disk('sda', null, 'naa.5000')])).toEqual([]);
  });

  test('TRACE-MEDIA: an unregistered stick in the logs is a violation with its time and what the agent saw; a registered one is not', () => {
    const trace = (serial: string, agentSaw: 'agent-stopped' | 'recorded') =>
      ({
        id: `usb-trace:0951:1666:${serial}:2026-11-20T01:02:03`, kind: 'usb-trace' as const, time: '2026-11-20T01:02:03.000Z', bootId: null,
        usb: usbIdentity({ serial }), agentSaw,
        sources: [{ file: '/var/log/kern.log', line: 41, seqnum: null, time: '2026-11-20T01:02:03.000Z', text: `usb 1-2: SerialNumber: ${serial}` }],
      });
    const withRegistry = policyWith((p) => { p.registry = { media: [entry()] }; }).policy;
    const violations = evaluate(withRegistry, [trace('S123', 'recorded'), trace('S999', 'agent-stopped')], host);
    expect(violations.map((v) => [v.rule, v.findingId, v.evidence.reason.zh, v.evidence.sources?.[0]?.line])).toEqual([
      ['TRACE-MEDIA', 'usb-trace:0951:1666:S999:2026-11-20T01:02:03', '2026-11-20 09:02 曾接入未登记的 USB 存储设备(当时代理未运行)', 41],
    ]);
  });

  test('TRACE-NETWORK counts a virtual bridge only when the policy counts virtual interfaces', () => {
    const lease = (iface: string, virtual: boolean) => ({
      id: `net-trace:lease:${iface}`, kind: 'network-trace' as const, trace: 'dhcp-lease' as const, medium: 'ethernet' as const, interface: iface, virtual,
      name: '10.0.2.2', address: '10.0.2.15', time: '2026-11-20T01:02:03.000Z',
      sources: [{ file: `/run/systemd/netif/leases/2`, line: null, seqnum: null, time: null, text: 'ADDRESS=10.0.2.15' }],
    });
    const findings = [lease('eth0', false), lease('docker0', true)];
    expect(evaluate(policy, findings, host).map((v) => v.findingId)).toEqual(['net-trace:lease:eth0']);
    const counting = policyWith((p) => { p.detection = { virtualInterfaces: true, onboardAudio: true }; }).policy;
    expect(evaluate(counting, findings, host).map((v) => v.findingId)).toEqual(['net-trace:lease:docker0', 'net-trace:lease:eth0']);
  });
});
