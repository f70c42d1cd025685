import type { Finding, FindingKind, FindingOf } from '../../findings/schema.js';
import type { SoftwareToFind } from '../software/linux.js';
import type { Probe } from '../probe.js';
import type { WindowsFacts } from './windows-facts.js';

/**
 * A Windows probe: a pure mapping from the facts collected before the scan to findings. Without
 * facts (a scan that did not collect them, or not on Windows) it cannot look, and says so.
 * A snapshot whose PowerShell queries all came back empty is not read as "nothing found":
 * systeminformation turns a PowerShell that does not run (blocked by policy, missing) into
 * empty answers, and Win32_OperatingSystem's caption is never empty on a Windows that answers.
 */
export function windowsProbe<K extends FindingKind>(
  name: string,
  kinds: readonly K[],
  map: (facts: WindowsFacts, requiredSoftware: readonly SoftwareToFind[]) => FindingOf<K>[],
): Probe {
  return {
    name,
    kinds,
    run: ({ windowsFacts, requiredSoftware }) => {
      if (windowsFacts === undefined) {
        return [unavailable(name, 'unsupported-platform', 'no Windows facts were collected for this scan (Windows probes read a systeminformation snapshot)')];
      }
      if (!answered(windowsFacts)) {
        return [unavailable(name, 'error', 'PowerShell gave no answer (Win32_OperatingSystem is empty): systeminformation could not look at this host')];
      }
      return map(windowsFacts, requiredSoftware);
    },
  };
}

export function answered(facts: WindowsFacts): boolean {
  const distro = facts.osInfo.distro.trim();
  return distro !== '' && distro !== 'unknown';
}

export function unavailable(probe: string, reason: FindingOf<'probe-unavailable'>['reason'], detail: string): Finding {
  return { id: `probe:${probe}`, kind: 'probe-unavailable', probe, reason, detail };
}
