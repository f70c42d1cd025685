import type { FindingOf } from '../../findings/schema.js';
import { diskBus, isRemovableDisk } from '../storage/win32.js';
import { windowsProbe } from '../windows/windows-probe.js';

/**
 * The fixed-disk inventory from Win32_DiskDrive (with Get-PhysicalDisk's bus), compared by the
 * policy with the enrolled baseline. The serial is Windows': for an NVMe disk that can be the
 * EUI-64 ("0025_3881_91B0_1234.") rather than the serial Linux reads, so a baseline is enrolled
 * on the system the computer runs.
 */
export const disksProbe = windowsProbe('disks', ['fixed-disk'], (facts) =>
  facts.diskLayout
    .filter((disk) => !isRemovableDisk(disk, facts))
    .map((disk): FindingOf<'fixed-disk'> => {
      const serial = disk.serialNum.trim() || null;
      return {
        id: `disk:${serial ?? disk.device}`,
        kind: 'fixed-disk',
        device: disk.device,
        bus: diskBus(disk.interfaceType),
        model: disk.name.trim() || null,
        serial,
        wwn: null,
        capacityBytes: disk.size,
      };
    }),
);
