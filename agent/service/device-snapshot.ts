import type { HostRoot } from '../host-root.js';

/** The cheap facts whose change means "look again": which USB devices, disks and links exist. */
export interface DeviceSnapshot {
  usb: string;
  block: string;
  net: string;
  /** Mounted file systems (a stick is mounted a moment after its disk appears). */
  mounts: string;
}

export type DeviceArea = keyof DeviceSnapshot;

/** A few readdirs and two small reads per network interface: microseconds, no process spawned. */
export function takeSnapshot(host: HostRoot): DeviceSnapshot {
  return {
    usb: host.list('/sys/bus/usb/devices').join(' '),
    block: host
      .list('/sys/block')
      .map((name) => `${name}:${host.readAttr(`/sys/block/${name}/size`) ?? ''}`)
      .join(' '),
    net: host
      .list('/sys/class/net')
      .map((name) => `${name}:${host.readAttr(`/sys/class/net/${name}/carrier`) ?? '-'}:${host.readAttr(`/sys/class/net/${name}/operstate`) ?? ''}`)
      .join(' '),
    mounts: host.readText('/proc/self/mountinfo') ?? '',
  };
}

export function changedAreas(before: DeviceSnapshot, after: DeviceSnapshot): DeviceArea[] {
  return (Object.keys(before) as DeviceArea[]).filter((area) => before[area] !== after[area]);
}
