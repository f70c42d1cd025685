import type { Bus, UsbIdentity } from '../../findings/schema.js';
import type { SiUsb, WindowsFacts } from './windows-facts.js';

/**
 * A Windows PnP device instance id, as systeminformation passes it through (`usb().deviceId`,
 * `audio().id`): `<enumerator>\<device id>\<instance id>`, e.g. `USB\VID_0951&PID_1666\S123`
 * (a USB device), `USB\VID_046D&PID_0A44&MI_00\6&2A1B3C4D&0&0000` (function 0 of a composite
 * device), `HDAUDIO\FUNC_01&VEN_10EC&DEV_0255&…\4&2C5A1B3D&0&0001` (an on-board codec).
 */
export interface PnpId {
  /** Upper case: USB, HID, USBSTOR, HDAUDIO, PCI, ROOT … */
  enumerator: string;
  deviceId: string;
  instanceId: string;
  /** 4-digit lowercase hex, as sysfs writes them; null when the id names none. */
  vendorId: string | null;
  productId: string | null;
  /** The interface number of one function of a composite device (MI_00), null for the device itself. */
  usbInterface: string | null;
}

export function parsePnpId(text: string | number): PnpId | null {
  const parts = String(text).trim().split('\\');
  if (parts.length < 3 || parts[0] === '' || parts[1] === '') return null;
  const deviceId = parts[1]!;
  const field = (name: string, digits: number) =>
    new RegExp(`(?:^|&)${name}_([0-9A-F]{${digits}})(?=&|$)`, 'i').exec(deviceId)?.[1]?.toLowerCase() ?? null;
  return {
    enumerator: parts[0]!.toUpperCase(),
    deviceId,
    instanceId: parts.slice(2).join('\\'),
    vendorId: field('VID', 4),
    productId: field('PID', 4),
    usbInterface: field('MI', 2),
  };
}

/** A USB device (not one of its functions) with vendor and product id. */
export function isUsbDevice(id: PnpId | null): id is PnpId & { vendorId: string; productId: string } {
  return id !== null && id.enumerator === 'USB' && id.vendorId !== null && id.productId !== null && id.usbInterface === null;
}

/**
 * The serial a USB device reported, which Windows uses as the instance id of the device. A
 * device without a usable serial gets an id that Windows makes from its port
 * (`5&1E6F2B7A&0&3`), recognisable by its '&'.
 */
export function usbSerialOf(id: PnpId): string | null {
  return id.enumerator === 'USB' && id.usbInterface === null && id.instanceId !== '' && !id.instanceId.includes('&') ? id.instanceId : null;
}

const ENUMERATOR_BUS: Record<string, Bus> = {
  USB: 'usb', USBSTOR: 'usb', USBPRINT: 'usb', HID: 'usb',
  PCI: 'pci', HDAUDIO: 'pci', INTELAUDIO: 'pci',
  ACPI: 'platform', ROOT: 'virtual', SWD: 'virtual', SW: 'virtual',
};

/** The bus of a device from its enumerator; HID counts as USB only when it names a USB VID/PID. */
export function busOf(id: PnpId | null): Bus {
  if (id === null) return 'other';
  if (id.enumerator === 'HID' && id.vendorId === null) return 'other';
  return ENUMERATOR_BUS[id.enumerator] ?? 'other';
}

/** Names Windows gives any device of a class; they say nothing about the device itself. */
const GENERIC_NAMES = /^(USB (Composite|Mass Storage|Input|Audio|Video) Device|Generic USB Hub|USB Root Hub.*|HID[- ].*)$/i;

/**
 * The USB identity of a device, as the Linux probes write it. Windows shows neither the
 * device's manufacturer string (WMI's Manufacturer is the driver's provider) nor its port path;
 * `port` holds the instance id instead (the serial, or the id Windows derived from the port),
 * which is what tells two serial-less devices apart. `product` is the best name Windows has.
 */
export function usbIdentityOf(
  id: PnpId & { vendorId: string; productId: string },
  product: string | null,
  serial: string | null = usbSerialOf(id),
): UsbIdentity {
  const name = product?.trim() || null;
  return {
    vendorId: id.vendorId,
    productId: id.productId,
    serial,
    manufacturer: null,
    product: name === null || GENERIC_NAMES.test(name) ? null : name,
    port: id.instanceId,
  };
}

export interface UsbEntry {
  entry: SiUsb;
  id: PnpId & { vendorId: string; productId: string };
}

/** The USB devices (not functions, not controllers or root hubs) systeminformation listed. */
export function usbDevicesOf(facts: WindowsFacts): UsbEntry[] {
  const seen = new Set<string>();
  const devices: UsbEntry[] = [];
  for (const entry of facts.usb) {
    const id = parsePnpId(entry.deviceId);
    if (!isUsbDevice(id) || seen.has(entry.deviceId.toUpperCase())) continue;
    seen.add(entry.deviceId.toUpperCase());
    devices.push({ entry, id });
  }
  return devices;
}

/**
 * The USB device a function belongs to (a microphone MI_02 of a webcam): the one listed device
 * with the same vendor and product id. Null when there is none, or several (two identical
 * headsets: which one is unknown).
 */
export function parentUsbDevice(facts: WindowsFacts, fn: PnpId): UsbEntry | null {
  if (fn.vendorId === null || fn.productId === null) return null;
  const candidates = usbDevicesOf(facts).filter((d) => d.id.vendorId === fn.vendorId && d.id.productId === fn.productId);
  return candidates.length === 1 ? candidates[0]! : null;
}

/**
 * The USB identity of any device id: the listed device it belongs to, else one made from the
 * id itself (vendor and product id, its own instance id as port). Null when not on USB.
 */
export function usbIdentityFor(facts: WindowsFacts, id: PnpId | null, product: string | null): UsbIdentity | null {
  if (id === null || busOf(id) !== 'usb' || id.vendorId === null || id.productId === null) return null;
  if (isUsbDevice(id)) return usbIdentityOf(id, product);
  const parent = parentUsbDevice(facts, id);
  if (parent !== null) return usbIdentityOf(parent.id, product);
  return usbIdentityOf({ ...id, vendorId: id.vendorId, productId: id.productId }, product, null);
}
