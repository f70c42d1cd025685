/**
 * Every rule of the default policy that has a device, on a real kernel with emulated hardware:
 * one scenario where it fires and one where it stays quiet (the device registered, or absent).
 * Each guest is scanned by the real agent under several policies; assertions name the exact rule
 * ids and the identity (VID, PID, serial or MAC) of the device each violation names.
 */
import fs from 'node:fs';
import { afterAll, describe, expect, test } from 'vitest';
import type { Finding, FindingOf } from '../../agent/findings/schema.js';
import type { ScanReport } from '../../agent/scan/scan-report.js';
import { e2eSkipped, policy, scansInGuest, violations } from './guest-scans.js';
import { vmAvailable } from './vm.js';

const available = vmAvailable();
const timings: Record<string, unknown> = {};

function requireVm(): void {
  // A machine that cannot run QEMU fails the suite loudly (BAOMI_SKIP_E2E=1 skips it).
  expect(available.ok, `the VM suite cannot run here: ${available.reason}`).toBe(true);
}

function identity(report: ScanReport, findingId: string): string {
  const f = report.findings.find((x) => x.id === findingId) as Finding | undefined;
  if (!f) return 'missing';
  const usb = 'usb' in f && f.usb ? `${f.usb.vendorId}:${f.usb.productId}:${f.usb.serial}` : null;
  if (f.kind === 'network-interface') return usb ? `${f.mac} ${usb}` : `${f.mac}`;
  return usb ?? f.id;
}

/** rule → identities of the devices it names */
function byRule(report: ScanReport | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const v of report?.violations ?? []) (out[v.rule] ??= []).push(identity(report!, v.findingId));
  return out;
}

const STICK = { vid: 0x0951, pid: 0x1666, manufacturer: 'Kingston', product: 'DataTraveler 3.0', sizeMB: 32 };
const s123 = { id: 'BM-E2E-1', label: 'e2e', vendorId: '0951', productId: '1666', serial: 'S123', capacityBytes: null, class: '秘密' as const, boundHost: 'baomi-vm', owner: '张三', status: 'active' as const, registeredBy: '李四', registeredAt: '2026-11-01', role: 'storage' as const };

describe.skipIf(e2eSkipped)('rules on emulated devices', () => {
  test('media: unregistered sticks, a registered one and its twin told apart by serial, a card reader without a card, a storage+keyboard device; class, host and status', async () => {
    requireVm();
    const { vm, reports, context } = await scansInGuest(
      [
        { type: 'gadget-stick', id: 's1', serial: 'S123', ...STICK },
        { type: 'gadget-stick', id: 's2', serial: 'S999', ...STICK },
        { type: 'card-reader', id: 'cr', vid: 0x058f, pid: 0x6366, serial: '058F63666485', manufacturer: 'Generic', product: 'Mass Storage Device' },
        { type: 'composite', id: 'kb', vid: 0x1234, pid: 0x5678, serial: 'COMBO1', manufacturer: 'Acme', product: 'Storage Keyboard', sizeMB: 16 },
      ],
      {
        none: policy(),
        registered: policy((p) => (p.registry = { media: [s123] })),
        wrongClass: policy((p) => (p.registry = { media: [{ ...s123, class: '非涉密' }] })),
        wrongHost: policy((p) => (p.registry = { media: [{ ...s123, boundHost: 'pc-099' }] })),
        lost: policy((p) => (p.registry = { media: [{ ...s123, status: 'lost' }] })),
      },
    );
    timings.media = vm.timings;
    expect(Object.keys(reports), context).toHaveLength(5);
    expect(byRule(reports.none), context).toEqual({ 'MEDIA-UNREGISTERED': ['058f:6366:058F63666485', '0951:1666:S123', '0951:1666:S999', '1234:5678:COMBO1'] });
    expect(byRule(reports.registered), context).toEqual({ 'MEDIA-UNREGISTERED': ['058f:6366:058F63666485', '0951:1666:S999', '1234:5678:COMBO1'] });
    expect(byRule(reports.wrongClass)['MEDIA-WRONG-CLASS'], context).toEqual(['0951:1666:S123']);
    expect(byRule(reports.wrongHost)['MEDIA-WRONG-HOST'], context).toEqual(['0951:1666:S123']);
    expect(byRule(reports.lost)['MEDIA-RETIRED'], context).toEqual(['0951:1666:S123']);
    for (const name of ['none', 'wrongClass', 'wrongHost', 'lost']) expect(byRule(reports[name])['MEDIA-UNREGISTERED'], name).toHaveLength(name === 'none' ? 4 : 3);
    const media = reports.none!.findings.filter((f): f is FindingOf<'removable-storage'> => f.kind === 'removable-storage');
    expect(media.find((m) => m.serial === '058F63666485'), context).toMatchObject({ mediaPresent: false, capacityBytes: 0 });
    expect(media.find((m) => m.serial === 'S123'), context).toMatchObject({ mediaPresent: true, capacityBytes: 33554432, bus: 'usb' });
    const composite = reports.none!.findings.find((f) => f.id === 'usb:1234:5678:COMBO1') as FindingOf<'usb-device'>;
    expect(composite.classes, context).toEqual(['storage', 'hid']);
  });

  test('network: a plugged cable fires and an unplugged one does not; Wi-Fi down still fires; a USB adapter, Bluetooth; an approved interface is quiet', async () => {
    requireVm();
    const { vm, reports, context } = await scansInGuest(
      [
        { type: 'nic', id: 'nic0', model: 'e1000', link: 'up', mac: '52:54:00:ba:00:01', ip: '192.0.2.15/24' },
        { type: 'nic', id: 'nic1', model: 'virtio', link: 'down', mac: '52:54:00:ba:00:02' },
        { type: 'gadget-nic', id: 'usbnic', vid: 0x0b95, pid: 0x1790, serial: 'ASIX1', manufacturer: 'ASIX', product: 'AX88179', mac: '52:54:00:ba:00:03' },
        { type: 'wifi' },
        { type: 'bluetooth' },
      ],
      {
        none: policy(),
        approved: policy((p) => (p.registry = { networkInterfaces: [{ id: 'NIC-1', label: '涉密内网', mac: '52:54:00:ba:00:03', boundHost: 'baomi-vm' }] })),
      },
    );
    timings.network = vm.timings;
    const usbNic = '52:54:00:ba:00:03 0b95:1790:ASIX1';
    const rules = byRule(reports.none);
    expect(rules['NET-CABLE'], context).toEqual(['52:54:00:ba:00:01', usbNic]);
    expect(rules['NET-INTERNET'], context).toEqual(['52:54:00:ba:00:01']);
    expect(rules['NET-USB-ADAPTER'], context).toEqual([usbNic]);
    expect(rules['NET-WIRELESS'], context).toHaveLength(1);
    expect(rules['NET-BLUETOOTH'], context).toEqual(['bluetooth:hci0']);
    const wlan = reports.none!.findings.find((f) => f.kind === 'network-interface' && f.wireless) as FindingOf<'network-interface'>;
    expect(wlan, context).toMatchObject({ adminUp: false, wireless: true });
    const unplugged = reports.none!.findings.find((f) => f.kind === 'network-interface' && f.mac === '52:54:00:ba:00:02');
    expect(unplugged, context).toMatchObject({ carrier: false });
    expect(byRule(reports.approved)['NET-USB-ADAPTER'], context).toBeUndefined();
    expect(byRule(reports.approved)['NET-CABLE'], context).toEqual(['52:54:00:ba:00:01']);
  });

  test('audio and video: a UVC camera is one finding, an on-board codec is told from a USB microphone', async () => {
    requireVm();
    const { vm, reports, context } = await scansInGuest(
      [
        { type: 'onboard-mic' },
        { type: 'usb-mic', id: 'mic', vid: 0x046d, pid: 0x0a44, serial: 'MIC1', manufacturer: 'Logitech', product: 'USB Microphone' },
        { type: 'camera' },
        { type: 'usb-webcam', id: 'cam', vid: 0x046d, pid: 0x0825, serial: 'CAM1', manufacturer: 'Logitech', product: 'HD Webcam C270' },
      ],
      { none: policy(), externalOnly: policy((p) => (p.detection = { onboardAudio: false })) },
    );
    timings.av = vm.timings;
    const rules = byRule(reports.none);
    expect(rules['AV-CAMERA'], context).toEqual(['video:/sys/devices/platform/vivid.0', '046d:0825:CAM1']);
    expect(rules['AV-MICROPHONE'], context).toEqual([expect.stringMatching(/^audio:\/sys\/devices\/pci/), '046d:0a44:MIC1']);
    const cameras = reports.none!.findings.filter((f): f is FindingOf<'video-capture'> => f.kind === 'video-capture');
    expect(cameras.find((c) => c.usb?.serial === 'CAM1')!.nodes.length, context).toBeGreaterThanOrEqual(2); // capture + metadata: one camera
    const mics = reports.none!.findings.filter((f): f is FindingOf<'audio-capture'> => f.kind === 'audio-capture');
    expect(mics.map((m) => [m.bus, m.external]), context).toEqual([['pci', false], ['usb', true]]);
    expect(byRule(reports.externalOnly)['AV-MICROPHONE'], context).toEqual(['046d:0a44:MIC1']);
  });

  test('printers: a shared USB queue and a network queue fire PRINTER-SHARED, a fax queue PRINTER-FAX', async () => {
    requireVm();
    // A PPD that says fax, as a fax-capable driver's does; CUPS copies it to /etc/cups/ppd.
    const ppd = '/var/tmp/baomi-e2e/fax.ppd';
    fs.mkdirSync('/var/tmp/baomi-e2e', { recursive: true });
    fs.writeFileSync(ppd, fs.readFileSync('/var/tmp/baomi-vm/ppd/generic.ppd', 'utf8') + '*cupsFax: True\n');
    const { vm, reports, context } = await scansInGuest(
      [
        { type: 'printer', id: 'prn', vid: 0x03f0, pid: 0x0517, serial: 'CN123', manufacturer: 'HP', product: 'LaserJet 1020', queue: 'Office_Laser', shared: true },
        { type: 'network-printer', queue: 'Net_Printer', uri: 'ipp://192.0.2.10/ipp/print' },
        { type: 'network-printer', queue: 'Office_Fax', uri: 'ipp://192.0.2.11/ipp/fax', model: ppd },
      ],
      { none: policy() },
    );
    timings.printers = vm.timings;
    const rules = byRule(reports.none);
    expect(rules['PRINTER-SHARED'], context).toEqual(['printer:Net_Printer', 'printer:Office_Fax', '03f0:0517:CN123']);
    expect(rules['PRINTER-FAX'], context).toEqual(['printer:Office_Fax']);
  });

  test('a computer without any of these devices is compliant; required software and enrolled disks checked', async () => {
    requireVm();
    const software = (processes: string[]) => policy((p) => (p.requiredSoftware = [{ id: 'guard', name: { zh: '防护', en: 'guard' }, processes }]));
    const { vm, reports, context } = await scansInGuest([], {
      none: policy(),
      softwareRunning: software(['systemd-udevd']),
      softwareMissing: software(['qaxsafed']),
      diskEnrolled: policy((p) => (p.registry = { disks: [{ host: 'baomi-vm', model: 'Samsung SSD 870', serial: 'S5Y1NX0R123456' }] })),
    });
    timings.baseline = vm.timings;
    expect(violations(reports.none), context).toEqual([]);
    expect(violations(reports.softwareRunning), context).toEqual([]);
    expect(violations(reports.softwareMissing), context).toEqual(['SEC-SOFTWARE software:guard']);
    expect(violations(reports.diskEnrolled), context).toEqual(['HW-DISK-CHANGE disk:S5Y1NX0R123456']); // enrolled, and gone
    expect(vm.stdout, context).toContain('@@@ exit 0');
  });

  afterAll(() => {
    process.stdout.write(`e2e rule scenarios, VM timings (s): ${JSON.stringify(timings)}\n`);
  });
});
