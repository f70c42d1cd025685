import { Finding, type FindingOf, type UsbIdentity } from '../agent/findings/schema.js';

/** Findings for evaluator tests, complete and validated by the finding schema. */
export const usbIdentity = (over: Partial<UsbIdentity> = {}): UsbIdentity => ({
  vendorId: '0951',
  productId: '1666',
  serial: 'S123',
  manufacturer: 'Kingston',
  product: 'DataTraveler 3.0',
  port: '1-2',
  ...over,
});

export function stick(over: Partial<FindingOf<'removable-storage'>> = {}): FindingOf<'removable-storage'> {
  const usb = over.usb === undefined ? usbIdentity() : over.usb;
  const serial = over.serial !== undefined ? over.serial : (usb?.serial ?? null);
  return Finding.parse({
    id: `storage:usb:${usb?.vendorId}:${usb?.productId}:${serial ?? '@1-2'}`,
    kind: 'removable-storage',
    device: 'sdb',
    bus: 'usb',
    vendor: 'Kingston',
    model: 'DataTraveler 3.0',
    capacityBytes: 15_502_147_584,
    mediaPresent: true,
    readOnly: false,
    partitions: [],
    mountpoints: [],
    usb,
    serial,
    noSerial: !serial,
    ...over,
  }) as FindingOf<'removable-storage'>;
}

export function nic(over: Partial<FindingOf<'network-interface'>> = {}): FindingOf<'network-interface'> {
  return Finding.parse({
    id: `net:${over.name ?? 'eth0'}`,
    kind: 'network-interface',
    name: 'eth0',
    mac: '52:54:00:12:34:01',
    bus: 'pci',
    driver: 'e1000',
    loopback: false,
    virtual: false,
    wireless: false,
    wwan: false,
    operstate: 'up',
    carrier: true,
    adminUp: true,
    ipv4: [],
    ipv6: [],
    defaultRoute: false,
    usb: null,
    ...over,
  }) as FindingOf<'network-interface'>;
}
