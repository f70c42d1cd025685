import path from 'node:path';
import type { HostRoot } from '../host-root.js';
import type { Bus, UsbIdentity } from '../findings/schema.js';

/** Where a kernel object sits physically: its bus, the driver bound to it, and its USB device if any. */
export interface PhysicalDevice {
  /** Canonical sysfs path of the device, e.g. /sys/devices/pci0000:00/0000:00:14.0/usb1/1-2/1-2:1.0 */
  path: string | null;
  bus: Bus;
  driver: string | null;
  usb: UsbIdentity | null;
  /** Canonical sysfs path of the USB device (not interface), when on USB. */
  usbPath: string | null;
}

const BUS_SUBSYSTEMS: Record<string, Bus> = { usb: 'usb', pci: 'pci', platform: 'platform', sdio: 'sdio', mmc: 'mmc' };

/** Follow `<classEntry>/device` (e.g. /sys/class/net/eth0/device) to the physical device. */
export function physicalDeviceOf(host: HostRoot, classEntry: string): PhysicalDevice {
  const devicePath = host.resolve(`${classEntry}/device`);
  if (devicePath === undefined) return { path: null, bus: 'virtual', driver: null, usb: null, usbPath: null };
  return describeDevice(host, devicePath);
}

/** Describe a canonical /sys/devices path. */
export function describeDevice(host: HostRoot, devicePath: string): PhysicalDevice {
  const usbPath = nearestUsbDevice(host, devicePath);
  return {
    path: devicePath,
    bus: usbPath !== null ? 'usb' : busOf(host, devicePath),
    driver: driverOf(host, devicePath),
    usb: usbPath === null ? null : readUsbIdentity(host, usbPath),
    usbPath,
  };
}

export function driverOf(host: HostRoot, devicePath: string): string | null {
  const link = host.readLink(`${devicePath}/driver`);
  return link === undefined ? null : path.posix.basename(link);
}

function busOf(host: HostRoot, devicePath: string): Bus {
  if (devicePath.startsWith('/sys/devices/virtual/')) return 'virtual';
  for (let dir = devicePath; dir.startsWith('/sys/devices/'); dir = path.posix.dirname(dir)) {
    const subsystem = host.readLink(`${dir}/subsystem`);
    const bus = subsystem === undefined ? undefined : BUS_SUBSYSTEMS[path.posix.basename(subsystem)];
    if (bus !== undefined) return bus;
  }
  return 'other';
}

/** The nearest ancestor-or-self that is a USB device (has idVendor), or null. */
export function nearestUsbDevice(host: HostRoot, devicePath: string): string | null {
  for (let dir = devicePath; dir.startsWith('/sys/devices/'); dir = path.posix.dirname(dir)) {
    if (host.readAttr(`${dir}/idVendor`) !== undefined && !isRootHub(dir)) return dir;
  }
  return null;
}

/** Root hubs (usb1, usb2 …) stand for the host controller, not a plugged device. */
export function isRootHub(usbDevicePath: string): boolean {
  return /^usb\d+$/.test(path.posix.basename(usbDevicePath));
}

export function readUsbIdentity(host: HostRoot, usbDevicePath: string): UsbIdentity {
  return {
    vendorId: hexId(host.readAttr(`${usbDevicePath}/idVendor`)),
    productId: hexId(host.readAttr(`${usbDevicePath}/idProduct`)),
    serial: host.readAttr(`${usbDevicePath}/serial`) ?? null,
    manufacturer: host.readAttr(`${usbDevicePath}/manufacturer`) ?? null,
    product: host.readAttr(`${usbDevicePath}/product`) ?? null,
    port: path.posix.basename(usbDevicePath),
  };
}

function hexId(value: string | undefined): string {
  const id = (value ?? '').trim().toLowerCase();
  return /^[0-9a-f]{4}$/.test(id) ? id : '0000';
}

/** Parse a udev database record (/run/udev/data/<type><major>:<minor>) into its E: properties. */
export function readUdevProperties(host: HostRoot, id: string): Map<string, string> | null {
  const text = host.readText(`/run/udev/data/${id}`);
  if (text === undefined) return null;
  const properties = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('E:')) continue;
    const eq = line.indexOf('=');
    if (eq > 2) properties.set(line.slice(2, eq), line.slice(eq + 1));
  }
  return properties;
}

/** Key=value lines of a sysfs `uevent` file. */
export function readUevent(host: HostRoot, sysPath: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of (host.readText(`${sysPath}/uevent`) ?? '').split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) values.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return values;
}

/**
 * A stable key for a USB device in finding ids: VID:PID:serial, or VID:PID@port for a device
 * without a serial (then only the port it sits in tells two such devices apart).
 */
export function usbKey(usb: UsbIdentity): string {
  return `${usb.vendorId}:${usb.productId}${usb.serial ? `:${usb.serial}` : `@${usb.port}`}`;
}
