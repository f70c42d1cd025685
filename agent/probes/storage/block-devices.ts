import type { HostRoot } from '../../host-root.js';
import { physicalDeviceOf, readUdevProperties, type PhysicalDevice } from '../sysfs-device.js';
import { parseMountinfo } from './mountinfo.js';

const SYS_BLOCK = '/sys/block';
const SECTOR = 512;

export interface Partition {
  name: string;
  sizeBytes: number;
  mountpoints: string[];
}

/** A whole disk from /sys/block with what the probes need to tell removable media from fixed disks. */
export interface BlockDevice {
  name: string;
  device: PhysicalDevice;
  removableFlag: boolean;
  /** An SD/MMC card (mmc `type` SD), as opposed to soldered eMMC. */
  sdCard: boolean;
  sizeBytes: number;
  readOnly: boolean | null;
  vendor: string | null;
  model: string | null;
  serial: string | null;
  /** World Wide Name: udev's ID_WWN_WITH_EXTENSION / ID_WWN, else sysfs wwid (NVMe, SCSI). */
  wwn: string | null;
  mountpoints: string[];
  partitions: Partition[];
}

/** Every block device backed by hardware (loop, ram, zram, dm and other virtual devices are left out). */
export function listBlockDevices(host: HostRoot): BlockDevice[] {
  const mounts = parseMountinfo(host.readText('/proc/self/mountinfo') ?? '');
  const devices: BlockDevice[] = [];
  for (const name of host.list(SYS_BLOCK)) {
    const dir = `${SYS_BLOCK}/${name}`;
    const device = physicalDeviceOf(host, dir);
    if (device.path === null) continue;
    const dev = host.readAttr(`${dir}/dev`);
    const udev = dev === undefined ? null : readUdevProperties(host, `b${dev}`);
    const ro = host.readAttr(`${dir}/ro`);
    devices.push({
      name,
      device,
      removableFlag: host.readAttr(`${dir}/removable`) === '1',
      sdCard: host.readAttr(`${dir}/device/type`) === 'SD',
      sizeBytes: sectors(host.readAttr(`${dir}/size`)),
      readOnly: ro === undefined ? null : ro === '1',
      vendor: trimmed(host.readAttr(`${dir}/device/vendor`)),
      model: trimmed(host.readAttr(`${dir}/device/model`) ?? udev?.get('ID_MODEL')),
      serial:
        trimmed(udev?.get('ID_SERIAL_SHORT')) ??
        trimmed(host.readAttr(`${dir}/device/serial`)) ??
        trimmed(host.readAttr(`${dir}/serial`)),
      wwn:
        trimmed(udev?.get('ID_WWN_WITH_EXTENSION')) ??
        trimmed(udev?.get('ID_WWN')) ??
        trimmed(host.readAttr(`${dir}/wwid`)) ??
        trimmed(host.readAttr(`${dir}/device/wwid`)),
      mountpoints: dev === undefined ? [] : (mounts.get(dev) ?? []),
      partitions: host
        .list(dir)
        .filter((entry) => host.exists(`${dir}/${entry}/partition`))
        .map((part) => {
          const partDev = host.readAttr(`${dir}/${part}/dev`);
          return {
            name: part,
            sizeBytes: sectors(host.readAttr(`${dir}/${part}/size`)),
            mountpoints: partDev === undefined ? [] : (mounts.get(partDev) ?? []),
          };
        }),
    });
  }
  return devices;
}

/** Media a user can bring and take away: USB disks, removable-flagged drives (optical, card slots), SD cards. */
export function isRemovableMedium(disk: BlockDevice): boolean {
  return disk.device.bus === 'usb' || disk.removableFlag || disk.sdCard;
}

function sectors(value: string | undefined): number {
  const n = Number(value ?? '0');
  return Number.isSafeInteger(n) && n > 0 ? n * SECTOR : 0;
}

function trimmed(value: string | undefined): string | null {
  const text = value?.trim();
  return text ? text : null;
}
