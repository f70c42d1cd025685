import { describe, expect, test } from 'vitest';
import type { FindingOf } from '../../../agent/findings/schema.js';
import { audioProbe } from '../../../agent/probes/audio/win32.js';
import { bluetoothProbe } from '../../../agent/probes/bluetooth/win32.js';
import { disksProbe } from '../../../agent/probes/disks/win32.js';
import { networkProbe } from '../../../agent/probes/network/win32.js';
import { printersProbe } from '../../../agent/probes/printers/win32.js';
import { softwareProbe } from '../../../agent/probes/software/win32.js';
import { storageProbe } from '../../../agent/probes/storage/win32.js';
import { usbProbe } from '../../../agent/probes/usb/win32.js';
import { videoProbe } from '../../../agent/probes/video/win32.js';
import { findingsOf, HOSTILE_HEADSET_NAME, ids, loadFacts } from './win32-helpers.js';

const clean = loadFacts('office-pc-clean');
const devices = loadFacts('office-pc-devices');

const nic = (over: Partial<FindingOf<'network-interface'>>): FindingOf<'network-interface'> => ({
  id: '', kind: 'network-interface', name: '', mac: null, bus: 'other', driver: null, loopback: false, virtual: false,
  wireless: false, wwan: false, operstate: 'down', carrier: null, adminUp: false, ipv4: [], ipv6: [], defaultRoute: false, usb: null,
  ...over,
});
const LOOPBACK = nic({
  id: 'net:Loopback Pseudo-Interface 1', name: 'Loopback Pseudo-Interface 1', bus: 'virtual', loopback: true, virtual: true,
  ipv4: ['127.0.0.1'], ipv6: ['::1'],
});

describe('network (Win32_NetworkAdapter joined with os.networkInterfaces)', () => {
  test('office PC with devices: the plugged Ethernet with its default route, the disabled Wi-Fi, the Bluetooth PAN adapter', () => {
    expect(findingsOf(networkProbe, devices)).toEqual([
      nic({
        id: 'net:Ethernet@b0:7b:25:4e:91:a3', name: 'Ethernet', mac: 'b0:7b:25:4e:91:a3', operstate: 'up', carrier: true, adminUp: true,
        ipv4: ['192.168.10.57'], ipv6: ['fe80::5d1c:4b2e:9a3f:7c21'], defaultRoute: true,
      }),
      LOOPBACK,
      nic({ id: 'net:Wi-Fi', name: 'Wi-Fi', wireless: true }),
      nic({ id: 'net:Bluetooth Network Connection@5c:87:9c:1a:2b:40', name: 'Bluetooth Network Connection', mac: '5c:87:9c:1a:2b:40' }),
    ]);
  });

  test('clean office PC: the unplugged Ethernet has no carrier, no address and no route', () => {
    expect(findingsOf(networkProbe, clean)).toEqual([
      LOOPBACK,
      nic({ id: 'net:Ethernet@b0:7b:25:4e:77:10', name: 'Ethernet', mac: 'b0:7b:25:4e:77:10' }),
    ]);
  });

  test('the interface systeminformation marks default without a 0.0.0.0 route and with only link-local addresses carries no route', () => {
    const apipa = { ...devices.networkInterfaces[0]!, ip4: '169.254.12.7', ip6: 'fe80::1', default: true };
    const [finding] = findingsOf<'network-interface'>(networkProbe, { ...devices, networkInterfaces: [apipa], defaultInterface: 'Ethernet' });
    expect(finding).toMatchObject({ carrier: true, defaultRoute: false, ipv4: ['169.254.12.7'] });
  });

  test('USB adapters and phone tethering by adapter name, mobile broadband as wwan, virtual adapters as virtual', () => {
    const base = devices.networkInterfaces[0]!;
    const adapters = [
      { ...base, iface: 'Ethernet 2', ifaceName: 'Realtek USB GbE Family Controller', mac: '00:e0:4c:68:00:01', default: false },
      { ...base, iface: 'Ethernet 3', ifaceName: 'Remote NDIS based Internet Sharing Device', mac: '02:2a:3b:4c:5d:6e', default: false },
      { ...base, iface: 'Cellular', ifaceName: 'Generic Mobile Broadband Adapter', type: 'wireless', mac: '', default: false, operstate: 'down' },
      { ...base, iface: 'vEthernet (Default Switch)', ifaceName: 'Hyper-V Virtual Ethernet Adapter', virtual: true, mac: '00:15:5d:01:02:03', default: false },
    ];
    const found = findingsOf<'network-interface'>(networkProbe, { ...devices, networkInterfaces: adapters });
    expect(found.map((f) => [f.id, f.bus, f.wireless, f.wwan, f.virtual])).toEqual([
      ['net:Ethernet 2@00:e0:4c:68:00:01', 'usb', false, false, false],
      ['net:Ethernet 3@02:2a:3b:4c:5d:6e', 'usb', false, false, false],
      ['net:Cellular', 'other', false, true, false],
      ['net:vEthernet (Default Switch)@00:15:5d:01:02:03', 'virtual', false, false, true],
    ]);
  });
});

describe('bluetooth', () => {
  test('the radio is seen through its Personal Area Network adapter (MAC = the radio address); the paired phone is not an adapter', () => {
    expect(findingsOf(bluetoothProbe, devices)).toEqual([
      {
        id: 'bluetooth:5c:87:9c:1a:2b:40', kind: 'bluetooth-adapter', name: 'Bluetooth Device (Personal Area Network)', bus: 'other',
        driver: null, softBlocked: null, hardBlocked: null, usb: null,
      },
    ]);
    expect(findingsOf(bluetoothProbe, clean)).toEqual([]);
  });

  test('paired devices without a visible adapter still mean a radio; a USB entry named Bluetooth is a radio with its identity', () => {
    const noPan = { ...devices, networkInterfaces: devices.networkInterfaces.filter((n) => !/bluetooth/i.test(n.ifaceName)) };
    expect(ids(findingsOf(bluetoothProbe, noPan))).toEqual(['bluetooth:paired-devices']);
    const dongle = { ...noPan, usb: [...noPan.usb, { deviceId: 'USB\\VID_0A12&PID_0001\\6&2F1A3B4C&0&1', name: 'Generic Bluetooth Radio', type: 'Bluetooth', manufacturer: 'Microsoft' }] };
    expect(findingsOf(bluetoothProbe, dongle)).toEqual([
      {
        id: 'bluetooth:usb:0a12:0001@6&2F1A3B4C&0&1', kind: 'bluetooth-adapter', name: 'Generic Bluetooth Radio', bus: 'usb', driver: null,
        softBlocked: null, hardBlocked: null,
        usb: { vendorId: '0a12', productId: '0001', serial: null, manufacturer: null, product: 'Generic Bluetooth Radio', port: '6&2F1A3B4C&0&1' },
      },
    ]);
  });
});

const WEBCAM_USB = { vendorId: '046d', productId: '082d', serial: '8B5A9E3F', manufacturer: null, product: 'HD Pro Webcam C920', port: '8B5A9E3F' };

describe('audio (Win32_SoundDevice: capture is not visible, every device but graphics audio counts)', () => {
  test('office PC with devices: on-board codec, the USB headset (hostile name kept as is), the webcam microphone', () => {
    expect(findingsOf(audioProbe, devices)).toEqual([
      {
        id: 'audio:HDAUDIO\\FUNC_01&VEN_10EC&DEV_0255&SUBSYS_10280A6B&REV_1000\\4&2C5A1B3D&0&0001', kind: 'audio-capture', card: null, cardId: null,
        name: 'Realtek High Definition Audio', bus: 'pci', driver: null, external: false, capturePcms: [], usb: null,
      },
      {
        id: 'audio:usb:046d:0a44@5&1E6F2B7A&0&3', kind: 'audio-capture', card: null, cardId: null, name: HOSTILE_HEADSET_NAME, bus: 'usb',
        driver: null, external: true, capturePcms: [],
        usb: { vendorId: '046d', productId: '0a44', serial: null, manufacturer: null, product: HOSTILE_HEADSET_NAME, port: '5&1E6F2B7A&0&3' },
      },
      {
        id: 'audio:usb:046d:082d:8B5A9E3F', kind: 'audio-capture', card: null, cardId: null, name: 'HD Pro Webcam C920', bus: 'usb',
        driver: null, external: true, capturePcms: [], usb: WEBCAM_USB,
      },
    ]);
  });

  test('clean office PC: only Intel Display Audio (HDMI), which plays and cannot record', () => {
    expect(findingsOf(audioProbe, clean)).toEqual([]);
  });

  test('NVIDIA and AMD HDMI codecs only play; a device that says it captures does, one that says it does not does not', () => {
    const sound = (id: string, name: string, input: boolean | null = null) => ({ id, name, manufacturer: null, in: input, out: null, type: '' });
    const facts = {
      ...clean,
      audio: [
        sound('HDAUDIO\\FUNC_01&VEN_10DE&DEV_0083&SUBSYS_10DE0000&REV_1001\\5&1A2B3C4D&0&0001', 'NVIDIA High Definition Audio'),
        sound('HDAUDIO\\FUNC_01&VEN_1002&DEV_AA01&SUBSYS_00AA0100&REV_1008\\5&2B3C4D5E&0&0001', 'AMD High Definition Audio Device'),
        sound('ROOT\\MEDIA\\0000', 'Virtual Audio Cable', false),
        sound('USB\\VID_0D8C&PID_0014&MI_00\\6&1&0&0000', 'USB Audio Device', true),
      ],
    };
    expect(ids(findingsOf(audioProbe, facts))).toEqual(['audio:usb:0d8c:0014@6&1&0&0000']);
  });
});

describe('video', () => {
  test('the webcam is seen through its microphone, on the same USB device as the camera', () => {
    expect(findingsOf(videoProbe, devices)).toEqual([
      { id: 'video:usb:046d:082d:8B5A9E3F', kind: 'video-capture', name: 'HD Pro Webcam C920', bus: 'usb', driver: null, external: true, nodes: [], usb: WEBCAM_USB },
    ]);
    expect(findingsOf(videoProbe, clean)).toEqual([]);
  });

  test('a USB entry whose type or name says camera is a camera', () => {
    const facts = { ...clean, usb: [...clean.usb, { deviceId: 'USB\\VID_04F2&PID_B6DD\\0001', name: 'Integrated Camera', type: 'Camera', manufacturer: 'Microsoft' }] };
    expect(findingsOf(videoProbe, facts)).toEqual([
      {
        id: 'video:usb:04f2:b6dd:0001', kind: 'video-capture', name: 'Integrated Camera', bus: 'usb', driver: null, external: true, nodes: [],
        usb: { vendorId: '04f2', productId: 'b6dd', serial: '0001', manufacturer: null, product: 'Integrated Camera', port: '0001' },
      },
    ]);
  });
});

const KINGSTON_USB = { vendorId: '0951', productId: '1666', serial: 'S123', manufacturer: null, product: 'Kingston DataTraveler 3.0', port: 'S123' };

describe('storage (Win32_DiskDrive + Win32_LogicalDisk, tied to the USB device by serial)', () => {
  test('the Kingston stick: one finding with its drive letter and the Linux id', () => {
    expect(findingsOf(storageProbe, devices)).toEqual([
      {
        id: 'storage:usb:0951:1666:S123', kind: 'removable-storage', device: '\\\\.\\PHYSICALDRIVE1', bus: 'usb', vendor: 'Kingston Technology',
        model: 'Kingston DataTraveler 3.0 USB Device', capacityBytes: 15_496_427_520, mediaPresent: true, readOnly: null,
        partitions: [{ name: 'E:', sizeBytes: 15_487_590_400, mountpoints: ['E:'] }], mountpoints: ['E:'], usb: KINGSTON_USB,
        serial: 'S123', noSerial: false,
      },
    ]);
    expect(findingsOf(storageProbe, clean)).toEqual([]);
  });

  test('a USB mass-storage device with no disk yet, an empty optical drive', () => {
    const facts = {
      ...devices,
      diskLayout: devices.diskLayout.filter((d) => d.interfaceType !== 'USB'),
      blockDevices: [...devices.blockDevices.filter((v) => !v.removable), { name: 'D:', fsType: '', mount: 'D:', size: '', physical: 'CD/DVD', removable: false, label: '', device: '' }],
    };
    expect(findingsOf(storageProbe, facts)).toEqual([
      {
        id: 'storage:D:', kind: 'removable-storage', device: 'D:', bus: 'other', vendor: null, model: null, capacityBytes: 0, mediaPresent: false,
        readOnly: null, partitions: [], mountpoints: ['D:'], usb: null, serial: null, noSerial: true,
      },
      {
        id: 'storage:usb:0951:1666:S123', kind: 'removable-storage', device: null, bus: 'usb', vendor: null, model: null, capacityBytes: 0,
        mediaPresent: false, readOnly: null, partitions: [], mountpoints: [], usb: { ...KINGSTON_USB, product: null }, serial: 'S123', noSerial: false,
      },
    ]);
  });

  test('a stick without a serial is paired with the one USB storage device left; two slots of a card reader get LUN ids', () => {
    const stick = devices.diskLayout.find((d) => d.interfaceType === 'USB')!;
    const noSerial = {
      ...devices,
      diskLayout: [devices.diskLayout[0]!, { ...stick, serialNum: '' }],
      usb: devices.usb.map((u) => (u.deviceId === 'USB\\VID_0951&PID_1666\\S123' ? { ...u, deviceId: 'USB\\VID_0951&PID_1666\\5&1E6F2B7A&0&1' } : u)),
    };
    const [medium] = findingsOf<'removable-storage'>(storageProbe, noSerial);
    expect(medium).toMatchObject({ id: 'storage:usb:0951:1666@5&1E6F2B7A&0&1', serial: null, noSerial: true });

    const reader = {
      ...devices,
      diskLayout: [
        devices.diskLayout[0]!,
        { ...stick, device: '\\\\.\\PHYSICALDRIVE1', name: 'Generic- SD/MMC USB Device', serialNum: '000000000819' },
        { ...stick, device: '\\\\.\\PHYSICALDRIVE2', name: 'Generic- MS/MS-Pro USB Device', serialNum: '000000000819', size: 0 },
      ],
      usb: [...devices.usb.filter((u) => u.type !== 'Storage'), { deviceId: 'USB\\VID_0BDA&PID_0158\\000000000819', name: 'USB Mass Storage Device', type: 'Storage', manufacturer: 'Compatible USB storage device' }],
    };
    expect(findingsOf<'removable-storage'>(storageProbe, reader).map((f) => [f.id, f.mediaPresent])).toEqual([
      ['storage:usb:0bda:0158:000000000819', true],
      ['storage:usb:0bda:0158:000000000819:lun1', false],
    ]);
  });
});

describe('printers (Win32_Printer)', () => {
  const printer = (over: Partial<FindingOf<'printer'>>): FindingOf<'printer'> => ({
    id: '', kind: 'printer', queue: '', deviceUri: null, network: false, shared: false, makeModel: null, info: null, location: null,
    fax: false, multifunction: false, usb: null, ...over,
  });

  test('office PC with devices: a print-server queue (network), the virtual writers, a shared USB printer, the fax queue', () => {
    expect(findingsOf(printersProbe, devices)).toEqual([
      printer({ id: 'printer:\\\\PRINTSRV01\\HP LaserJet M507 2F', queue: '\\\\PRINTSRV01\\HP LaserJet M507 2F', network: true, makeModel: 'HP Universal Printing PCL 6' }),
      printer({ id: 'printer:Microsoft XPS Document Writer', queue: 'Microsoft XPS Document Writer', makeModel: 'Microsoft XPS Document Writer v4' }),
      printer({ id: 'printer:Microsoft Print to PDF', queue: 'Microsoft Print to PDF', makeModel: 'Microsoft Print To PDF' }),
      printer({ id: 'printer:HP LaserJet Pro M402dne', queue: 'HP LaserJet Pro M402dne', shared: true, makeModel: 'HP LaserJet Pro M402-M403 n-dne PCL 6' }),
      printer({ id: 'printer:Fax', queue: 'Fax', fax: true, makeModel: 'Microsoft Shared Fax Driver' }),
    ]);
  });

  test('clean office PC: a local USB printer, not shared', () => {
    expect(findingsOf<'printer'>(printersProbe, clean).map((p) => [p.id, p.network, p.shared, p.fax])).toEqual([
      ['printer:Microsoft XPS Document Writer', false, false, false],
      ['printer:Microsoft Print to PDF', false, false, false],
      ['printer:HP LaserJet Pro M402n', false, false, false],
    ]);
  });

  test.each([
    ['IP_192.168.1.50', true],
    ['192.168.1.50', true],
    ['WSD-7f3a2c1e-5b4d-4e6f-8a9b-0c1d2e3f4a5b', true],
    ['http://printsrv01:631/printers/m507', true],
    ['ipp://192.0.2.9/ipp/print', true],
    ['\\\\PRINTSRV01\\M507', true],
    ['USB001', false],
    ['LPT1:', false],
    ['PORTPROMPT:', false],
    ['nul:', false],
  ])('a queue on port %s is a network printer: %s', (port, network) => {
    const [found] = findingsOf<'printer'>(printersProbe, { ...clean, printer: [{ name: 'Q', model: 'M', uri: port, local: true, shared: false }] });
    expect(found!.network).toBe(network);
  });
});

describe('security software (Win32_Process, Win32_Service)', () => {
  test('office PC with devices: the host audit service is stopped (its tray program does not count), Defender runs', () => {
    expect(findingsOf(softwareProbe, devices)).toEqual([
      { id: 'software:host-audit', kind: 'security-software', software: 'host-audit', installed: true, running: false, processes: [], units: [{ unit: 'HostAuditSvc', active: false }] },
      {
        id: 'software:antivirus', kind: 'security-software', software: 'antivirus', installed: true, running: true,
        processes: [{ pid: 3012, name: 'MsMpEng.exe' }], units: [{ unit: 'WinDefend', active: true }],
      },
    ]);
  });

  test('clean office PC: both run', () => {
    expect(findingsOf<'security-software'>(softwareProbe, clean).map((s) => [s.id, s.installed, s.running, s.processes])).toEqual([
      ['software:host-audit', true, true, [{ pid: 2988, name: 'HostAuditAgent.exe' }]],
      ['software:antivirus', true, true, [{ pid: 3012, name: 'MsMpEng.exe' }]],
    ]);
  });

  test('a service systeminformation did not find (empty start mode) is not installed; names match without case and ".exe"', () => {
    const facts = {
      ...clean,
      processes: { list: [{ pid: 7, name: 'HOSTAUDITAGENT.EXE' }] },
      services: [{ name: 'hostauditsvc', running: false, startmode: '' }, { name: 'windefend', running: false, startmode: '' }],
    };
    const found = findingsOf<'security-software'>(softwareProbe, facts);
    expect(found.map((s) => [s.id, s.installed, s.running])).toEqual([
      ['software:host-audit', true, true],
      ['software:antivirus', false, false],
    ]);
  });
});

describe('usb inventory', () => {
  test('office PC with devices: USB devices among what systeminformation classes, the mouse by its HID function', () => {
    expect(findingsOf<'usb-device'>(usbProbe, devices).map((d) => [d.id, d.usb.product, d.classes])).toEqual([
      ['usb:413c:2113@5&1E6F2B7A&0&4', null, ['hid']],
      ['usb:0951:1666:S123', null, ['storage']],
      ['usb:046d:082d:8B5A9E3F', null, ['audio', 'video']],
      ['usb:046d:0a44@5&1E6F2B7A&0&3', null, ['audio']],
      ['usb:046d:c077@7&3A4B5C6D&0&0000', null, ['hid']],
    ]);
    expect(findingsOf<'usb-device'>(usbProbe, devices)[1]).toEqual({
      id: 'usb:0951:1666:S123', kind: 'usb-device', usb: { ...KINGSTON_USB, product: null }, deviceClass: '', speedMbps: null, interfaces: [],
      classes: ['storage'], modem: false,
    });
    expect(ids(findingsOf(usbProbe, clean))).toEqual(['usb:413c:2113@5&1E6F2B7A&0&4', 'usb:046d:c077@7&3A4B5C6D&0&0000']);
  });
});

describe('fixed disks (Win32_DiskDrive, bus from Get-PhysicalDisk)', () => {
  test('the SATA SSD, and not the USB stick', () => {
    const ssd = {
      id: 'disk:S3Z2NB0K512345A', kind: 'fixed-disk', device: '\\\\.\\PHYSICALDRIVE0', bus: 'pci', model: 'Samsung SSD 860 EVO 500GB',
      serial: 'S3Z2NB0K512345A', wwn: null, capacityBytes: 500_105_249_280,
    };
    expect(findingsOf(disksProbe, devices)).toEqual([ssd]);
    expect(findingsOf(disksProbe, clean)).toEqual([ssd]);
  });
});
