import type { Probe } from '../probe.js';
import { isRemovableMedium, listBlockDevices } from '../storage/block-devices.js';

/** The fixed-disk inventory (model, serial, size), compared by the policy with the enrolled baseline. */
export const disksProbe: Probe = {
  name: 'disks',
  kinds: ['fixed-disk'],
  run: ({ host }) =>
    listBlockDevices(host)
      .filter((disk) => !isRemovableMedium(disk))
      .map((disk) => ({
        id: `disk:${disk.serial ?? disk.device.path}`,
        kind: 'fixed-disk' as const,
        device: disk.name,
        bus: disk.device.bus,
        model: disk.model,
        serial: disk.serial,
        wwn: disk.wwn,
        capacityBytes: disk.sizeBytes,
      })),
};
