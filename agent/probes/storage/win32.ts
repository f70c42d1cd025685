import { mediumWithoutDisk } from './medium-without-disk.js';
import type { Bus, FindingOf, UsbIdentity } from '../../findings/schema.js';
import { usbKey } from '../sysfs-device.js';
import { usbDevicesOf, usbIdentityOf, usbSerialOf, type UsbEntry } from '../windows/pnp-id.js';
import { windowsProbe } from '../windows/windows-probe.js';
import type { SiBlockDevice, SiDiskLayout, WindowsFacts } from '../windows/windows-facts.js';

/** Buses of media a user brings and takes away (Get-PhysicalDisk BusType / Win32 InterfaceType). */
const REMOVABLE_BUSES = new Set(['USB', 'SD', 'MMC', '1394']);
const DISK_BUSES: Record<string, Bus> = {
  USB: 'usb', SD: 'mmc', MMC: 'mmc',
  SATA: 'pci', NVME: 'pci', ATA: 'pci', ATAPI: 'pci', IDE: 'pci', SCSI: 'pci', SAS: 'pci', RAID: 'pci',
  VIRTUAL: 'virtual', 'FILE BACKED VIRTUAL': 'virtual', SPACES: 'virtual',
};

/**
 * Removable media: every disk on a removable bus (USB, SD) or holding a removable volume, every
 * removable or optical drive letter on no listed disk (an empty optical drive), and every USB
 * mass-storage device with no disk (an empty card reader: a stick is on the machine before its
 * disk appears). A USB disk is tied to its USB device by serial: Windows uses the serial a USB
 * device reports as its instance id (USB\VID_0951&PID_1666\S123), and Win32_DiskDrive reports
 * the same serial. Capacities are Win32_DiskDrive's, rounded down to whole cylinders.
 */
export const storageProbe = windowsProbe('storage', ['removable-storage'], (facts) => {
  const disks = facts.diskLayout.filter((disk) => isRemovableDisk(disk, facts));
  const storage = usbDevicesOf(facts).filter((device) => device.entry.type === 'Storage');
  const owners = usbOwners(disks, storage);
  const lunOf = new Map<SiDiskLayout, number>();
  const perDevice = new Map<UsbEntry, number>();
  for (const disk of disks) {
    const owner = owners.get(disk);
    if (owner === undefined) continue;
    lunOf.set(disk, perDevice.get(owner) ?? 0);
    perDevice.set(owner, (perDevice.get(owner) ?? 0) + 1);
  }
  const diskFindings = disks.map((disk) => diskFinding(disk, owners.get(disk) ?? null, lunOf.get(disk) ?? 0, facts));
  const listed = new Set(facts.diskLayout.map((disk) => disk.device));
  const driveFindings = facts.blockDevices
    .filter((volume) => (volume.removable || volume.physical === 'CD/DVD') && !listed.has(volume.device ?? ''))
    .map(driveFinding);
  const owned = new Set(owners.values());
  const emptyFindings = storage.filter((device) => !owned.has(device)).map(emptyDeviceFinding);
  return [...diskFindings, ...driveFindings, ...emptyFindings];
});

export function isRemovableDisk(disk: SiDiskLayout, facts: Pick<WindowsFacts, 'blockDevices'>): boolean {
  return REMOVABLE_BUSES.has(disk.interfaceType.toUpperCase()) || volumesOf(disk, facts).some((volume) => volume.removable);
}

export function diskBus(interfaceType: string): Bus {
  return DISK_BUSES[interfaceType.toUpperCase()] ?? 'other';
}

function volumesOf(disk: SiDiskLayout, facts: Pick<WindowsFacts, 'blockDevices'>): SiBlockDevice[] {
  return facts.blockDevices.filter((volume) => volume.device !== undefined && volume.device !== '' && volume.device === disk.device);
}

/**
 * The USB mass-storage device of each USB disk: the one whose instance id is the disk's serial
 * (case-insensitive: Windows ids are), and then, for a disk without a serial, the one USB
 * storage device left when exactly one disk and one device are left. Several disks of one
 * device (the slots of a card reader) share its serial.
 */
function usbOwners(disks: SiDiskLayout[], storage: UsbEntry[]): Map<SiDiskLayout, UsbEntry> {
  const usbDisks = disks.filter((disk) => disk.interfaceType.toUpperCase() === 'USB');
  const owners = new Map<SiDiskLayout, UsbEntry>();
  for (const disk of usbDisks) {
    const serial = disk.serialNum.trim().toUpperCase();
    const owner = serial === '' ? undefined : storage.find((device) => usbSerialOf(device.id)?.toUpperCase() === serial);
    if (owner !== undefined) owners.set(disk, owner);
  }
  const owned = new Set(owners.values());
  const leftDisks = usbDisks.filter((disk) => !owners.has(disk));
  const leftDevices = storage.filter((device) => !owned.has(device));
  if (leftDisks.length === 1 && leftDevices.length === 1) owners.set(leftDisks[0]!, leftDevices[0]!);
  return owners;
}

function diskFinding(disk: SiDiskLayout, owner: UsbEntry | null, lun: number, facts: WindowsFacts): FindingOf<'removable-storage'> {
  const volumes = volumesOf(disk, facts);
  const diskSerial = disk.serialNum.trim() || null;
  let usb: UsbIdentity | null = null;
  if (owner !== null) {
    // A device with a serial: the disk reports the same string, in the device's own case (the
    // instance id may differ in case); a device without one has none, whatever the disk says.
    const ownSerial = usbSerialOf(owner.id);
    usb = usbIdentityOf(owner.id, productOf(disk), ownSerial === null ? null : (diskSerial ?? ownSerial));
  }
  const serial = usb ? usb.serial : diskSerial;
  return {
    id: usb ? `storage:usb:${usbKey(usb)}${lun > 0 ? `:lun${lun}` : ''}` : `storage:${disk.device}`,
    kind: 'removable-storage',
    device: disk.device,
    bus: usb ? 'usb' : diskBus(disk.interfaceType),
    vendor: disk.vendor.trim() || null,
    model: disk.name.trim() || null,
    capacityBytes: disk.size,
    mediaPresent: disk.size > 0,
    // Not visible: systeminformation does not pass on write protection.
    readOnly: null,
    partitions: volumes.map(partitionOf),
    mountpoints: volumes.flatMap((volume) => (volume.mount ? [volume.mount] : [])),
    usb,
    serial,
    noSerial: serial === null || serial === '',
  };
}

/** "Kingston DataTraveler 3.0 USB Device": Windows adds the bus to the inquiry strings. */
function productOf(disk: SiDiskLayout): string | null {
  return disk.name.replace(/\s+USB Device$/i, '').trim() || null;
}

function partitionOf(volume: SiBlockDevice): FindingOf<'removable-storage'>['partitions'][number] {
  return { name: volume.name, sizeBytes: bytes(volume.size), mountpoints: volume.mount ? [volume.mount] : [] };
}

/** A removable or optical drive letter on no listed disk: an optical drive (not a Win32_DiskDrive), a drive with no medium. */
function driveFinding(volume: SiBlockDevice): FindingOf<'removable-storage'> {
  const size = bytes(volume.size);
  return {
    id: `storage:${volume.name}`,
    kind: 'removable-storage',
    device: volume.name,
    bus: 'other',
    vendor: null,
    model: volume.label || null,
    capacityBytes: size,
    mediaPresent: size > 0,
    readOnly: null,
    partitions: [],
    mountpoints: volume.mount ? [volume.mount] : [],
    usb: null,
    serial: null,
    noSerial: true,
  };
}

function emptyDeviceFinding({ entry, id }: UsbEntry): FindingOf<'removable-storage'> {
  return mediumWithoutDisk(usbIdentityOf(id, entry.name));
}

/** WMI prints sizes as text; an empty drive has none. */
function bytes(size: number | string): number {
  const n = typeof size === 'number' ? size : Number(size.trim() || '0');
  return Number.isSafeInteger(n) && n > 0 ? n : 0;
}
