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

export interface ProbeRun {
  findings: Finding[];
  /** Findings per probe, for the scan record. */
  counts: Record<string, number>;
}

/**
 * Run probes and collect their findings. Never throws: a probe that fails, or returns something
 * outside the finding vocabulary, is reported as a `probe-unavailable` finding with the reason.
 */
export function runProbes(context: ProbeContext, probes: readonly Probe[] = LINUX_PROBES): ProbeRun {
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
