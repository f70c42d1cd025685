import path from 'node:path';
import type { HostRoot } from '../../host-root.js';
import { driverOf } from '../sysfs-device.js';

export interface UsbInterfaceEntry {
  /** Canonical sysfs path of the interface, e.g. /sys/devices/…/1-2/1-2:1.0 */
  path: string;
  /** Canonical sysfs path of the device it belongs to. */
  devicePath: string;
  number: string;
  class: string;
  subclass: string;
  protocol: string;
  driver: string | null;
}

const USB_DEVICES = '/sys/bus/usb/devices';

/** Every interface of every plugged USB device (root hubs excluded), in kernel name order. */
export function listUsbInterfaces(host: HostRoot): UsbInterfaceEntry[] {
  const interfaces: UsbInterfaceEntry[] = [];
  for (const name of host.list(USB_DEVICES)) {
    if (!name.includes(':') || /^\d+-0:/.test(name)) continue;
    const interfacePath = host.resolve(`${USB_DEVICES}/${name}`);
    if (interfacePath === undefined) continue;
    interfaces.push({
      path: interfacePath,
      devicePath: path.posix.dirname(interfacePath),
      number: host.readAttr(`${interfacePath}/bInterfaceNumber`) ?? '',
      class: host.readAttr(`${interfacePath}/bInterfaceClass`) ?? '',
      subclass: host.readAttr(`${interfacePath}/bInterfaceSubClass`) ?? '',
      protocol: host.readAttr(`${interfacePath}/bInterfaceProtocol`) ?? '',
      driver: driverOf(host, interfacePath),
    });
  }
  return interfaces;
}

/** Every plugged USB device (root hubs excluded), as canonical sysfs paths. */
export function listUsbDevices(host: HostRoot): string[] {
  const devices: string[] = [];
  for (const name of host.list(USB_DEVICES)) {
    if (name.includes(':') || /^usb\d+$/.test(name)) continue;
    const devicePath = host.resolve(`${USB_DEVICES}/${name}`);
    if (devicePath !== undefined) devices.push(devicePath);
  }
  return devices;
}

/**
 * One interface per USB device of the given class (two hex digits) whose device no kernel object
 * of that class has claimed: a camera, microphone or Bluetooth radio that no driver took is still
 * hardware on the machine.
 */
export function unclaimedInterfaces(
  interfaces: UsbInterfaceEntry[],
  usbClass: string,
  subclass: string | null,
  claimedDevicePaths: ReadonlySet<string>,
): UsbInterfaceEntry[] {
  const seen = new Set<string>();
  return interfaces.filter((itf) => {
    if (itf.class !== usbClass || (subclass !== null && itf.subclass !== subclass)) return false;
    if (claimedDevicePaths.has(itf.devicePath) || seen.has(itf.devicePath)) return false;
    seen.add(itf.devicePath);
    return true;
  });
}
