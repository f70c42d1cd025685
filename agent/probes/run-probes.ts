import { HostAccessError } from '../host-root.js';
import { Finding } from '../findings/schema.js';
import type { Probe, ProbeContext } from './probe.js';
import { audioProbe } from './audio/linux.js';
import { bluetoothProbe } from './bluetooth/linux.js';
import { disksProbe } from './disks/linux.js';
import { networkProbe } from './network/linux.js';
import { printersProbe } from './printers/linux.js';
import { softwareProbe } from './software/linux.js';
import { storageProbe } from './storage/linux.js';
import { usbProbe } from './usb/linux.js';
import { videoProbe } from './video/linux.js';
import { audioProbe as windowsAudioProbe } from './audio/win32.js';
import { bluetoothProbe as windowsBluetoothProbe } from './bluetooth/win32.js';
import { disksProbe as windowsDisksProbe } from './disks/win32.js';
import { networkProbe as windowsNetworkProbe } from './network/win32.js';
import { printersProbe as windowsPrintersProbe } from './printers/win32.js';
import { softwareProbe as windowsSoftwareProbe } from './software/win32.js';
import { storageProbe as windowsStorageProbe } from './storage/win32.js';
import { usbProbe as windowsUsbProbe } from './usb/win32.js';
import { videoProbe as windowsVideoProbe } from './video/win32.js';

export const LINUX_PROBES: readonly Probe[] = [
  networkProbe,
  bluetoothProbe,
  audioProbe,
  videoProbe,
  storageProbe,
  printersProbe,
  softwareProbe,
  usbProbe,
  disksProbe,
];

/** The same areas on Windows, read from the systeminformation snapshot (`ProbeContext.windowsFacts`). */
export const WINDOWS_PROBES: readonly Probe[] = [
  windowsNetworkProbe,
  windowsBluetoothProbe,
  windowsAudioProbe,
  windowsVideoProbe,
  windowsStorageProbe,
  windowsPrintersProbe,
  windowsSoftwareProbe,
  windowsUsbProbe,
  windowsDisksProbe,
];

/** The probes of the platform the agent runs on. */
export function platformProbes(platform: NodeJS.Platform = process.platform): readonly Probe[] {
  return platform === 'win32' ? WINDOWS_PROBES : LINUX_PROBES;
}

export interface ProbeRun {
  findings: Finding[];
  /** Findings per probe, for the scan record. */
  counts: Record<string, number>;
}

/**
 * Run probes and collect their findings. Never throws: a probe that fails, or returns something
 * outside the finding vocabulary, is reported as a `probe-unavailable` finding with the reason.
 */
export function runProbes(context: ProbeContext, probes: readonly Probe[] = platformProbes()): ProbeRun {
  const findings: Finding[] = [];
  const counts: Record<string, number> = {};
  for (const probe of probes) {
    const result = runOne(probe, context);
    counts[probe.name] = result.length;
    findings.push(...result);
  }
  return { findings, counts };
}

function runOne(probe: Probe, context: ProbeContext): Finding[] {
  try {
    return probe.run(context).map((finding) => Finding.parse(finding));
  } catch (error) {
    const denied = error instanceof HostAccessError;
    return [
      {
        id: `probe:${probe.name}`,
        kind: 'probe-unavailable',
        probe: probe.name,
        reason: denied ? 'permission-denied' : 'error',
        detail: denied ? `${error.code} ${error.hostPath}` : String((error as Error)?.message ?? error),
      },
    ];
  }
}
