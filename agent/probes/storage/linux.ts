import type { HostRoot } from '../../host-root.js';
import type { FindingOf } from '../../findings/schema.js';
import type { Probe } from '../probe.js';
import { describeDevice, usbKey } from '../sysfs-device.js';
import { listUsbInterfaces, unclaimedInterfaces } from '../usb/interfaces.js';
import { isRemovableMedium, listBlockDevices, type BlockDevice } from './block-devices.js';
import { mediumWithoutDisk } from './medium-without-disk.js';

/** USB class 08: mass storage. */
const USB_MASS_STORAGE = '08';

/**
 * Removable media: every removable block device (USB disks and sticks, card readers, optical
 * drives, SD cards), and every USB mass-storage interface that has no disk (yet, or because no
 * driver took it) — a stick is on the machine before its disk appears.
 */
export const storageProbe: Probe = {
  name: 'storage',
  kinds: ['removable-storage'],
  run: ({ host }) => {
    const media = listBlockDevices(host).filter(isRemovableMedium);
    const withDisk = new Set(media.flatMap((disk) => (disk.device.usbPath ? [disk.device.usbPath] : [])));
    return [...media.map(toFinding), ...storageWithoutDisk(host, withDisk)];
  },
};

function toFinding(disk: BlockDevice): FindingOf<'removable-storage'> {
  const usb = disk.device.usb;
  const serial = usb ? usb.serial : disk.serial;
  const lun = disk.device.path?.match(/\/\d+:\d+:\d+:(\d+)$/)?.[1];
  return {
    id: usb ? `storage:usb:${usbKey(usb)}${lun && lun !== '0' ? `:lun${lun}` : ''}` : `storage:${disk.device.path}`,
    kind: 'removable-storage',
    device: disk.name,
    bus: disk.device.bus,
    vendor: disk.vendor,
    model: disk.model,
    capacityBytes: disk.sizeBytes,
    mediaPresent: disk.sizeBytes > 0,
    readOnly: disk.readOnly,
    partitions: disk.partitions,
    mountpoints: [...disk.mountpoints, ...disk.partitions.flatMap((p) => p.mountpoints)],
    usb,
    serial,
    noSerial: serial === null || serial === '',
  };
}

function storageWithoutDisk(host: HostRoot, withDisk: Set<string>): FindingOf<'removable-storage'>[] {
  return unclaimedInterfaces(listUsbInterfaces(host), USB_MASS_STORAGE, null, withDisk).map((itf) => mediumWithoutDisk(describeDevice(host, itf.path).usb!));
}
