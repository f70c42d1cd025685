import type { FindingOf, UsbIdentity } from '../../findings/schema.js';
import { usbKey } from '../sysfs-device.js';

/**
 * A USB mass-storage device that has no disk: not yet (a stick's disk comes a second after it),
 * an empty card reader, or one no driver took. It is on the machine all the same.
 */
export function mediumWithoutDisk(usb: UsbIdentity): FindingOf<'removable-storage'> {
  return {
    id: `storage:usb:${usbKey(usb)}`,
    kind: 'removable-storage',
    device: null,
    bus: 'usb',
    vendor: null,
    model: usb.product,
    capacityBytes: 0,
    mediaPresent: false,
    readOnly: null,
    partitions: [],
    mountpoints: [],
    usb,
    serial: usb.serial,
    noSerial: !usb.serial,
  };
}
