import type { HostRoot } from '../host-root.js';
import type { Finding, FindingKind } from '../findings/schema.js';
import type { SoftwareToFind } from './software/linux.js';
import type { WindowsFacts } from './windows/windows-facts.js';

/** What a probe may look at: the host, and what the policy asks it to look for. */
export interface ProbeContext {
  host: HostRoot;
  requiredSoftware: readonly SoftwareToFind[];
  /** On Windows: the systeminformation snapshot taken before the scan (the Windows probes read it, not `host`). */
  windowsFacts?: WindowsFacts;
}

/**
 * A probe looks at one area of the machine and returns findings. It may throw for host
 * conditions (permission denied …): the runner turns that into a `probe-unavailable` finding,
 * so that the policy, not the probe, decides what an unreadable area means.
 */
export interface Probe {
  name: string;
  /** The kinds of finding it returns (besides probe-unavailable when it cannot look). */
  kinds: readonly FindingKind[];
  run(context: ProbeContext): Finding[];
}
