import type { FindingKind } from '../findings/schema.js';
import { audioProbe } from '../probes/audio/linux.js';
import { bluetoothProbe } from '../probes/bluetooth/linux.js';
import { disksProbe } from '../probes/disks/linux.js';
import { networkProbe } from '../probes/network/linux.js';
import { printersProbe } from '../probes/printers/linux.js';
import type { Probe } from '../probes/probe.js';
import { LINUX_PROBES, platformProbes } from '../probes/run-probes.js';
import { storageProbe } from '../probes/storage/linux.js';
import { usbProbe } from '../probes/usb/linux.js';
import { videoProbe } from '../probes/video/linux.js';
import type { DeviceArea } from './device-snapshot.js';

/**
 * Which probes each kind of scan runs. A full scan runs them all. On Windows every scan is a
 * full one: the probes share one systeminformation snapshot, whose collection is the cost.
 */
export const FULL_PROBES: readonly Probe[] = platformProbes();
const WINDOWS = FULL_PROBES !== LINUX_PROBES;
export const QUICK_PROBES: readonly Probe[] = WINDOWS ? FULL_PROBES : [networkProbe, bluetoothProbe, audioProbe, videoProbe, storageProbe, usbProbe];

/** What may have changed when a device area changes: a USB device can be a disk, a NIC, a camera … */
const AREA_PROBES: Record<DeviceArea, readonly Probe[]> = {
  usb: [usbProbe, storageProbe, audioProbe, videoProbe, bluetoothProbe, networkProbe, printersProbe],
  block: [storageProbe, disksProbe],
  net: [networkProbe],
  mounts: [storageProbe],
};

export function probesForAreas(areas: readonly DeviceArea[]): readonly Probe[] {
  if (WINDOWS) return FULL_PROBES;
  const wanted = new Set(areas.flatMap((area) => AREA_PROBES[area]));
  return LINUX_PROBES.filter((probe) => wanted.has(probe));
}

/**
 * The finding kinds a scan covers, so that only what it looked at can be resolved: the kinds of
 * its probes, `probe-unavailable` when every probe ran, and any kinds it added (agent gaps).
 */
export function kindsCovered(probes: readonly Probe[], extra: readonly FindingKind[] = []): FindingKind[] {
  const all = FULL_PROBES.every((probe) => probes.includes(probe));
  return [...new Set([...probes.flatMap((probe) => probe.kinds), ...(all ? (['probe-unavailable'] as const) : []), ...extra])];
}
