import { performance } from 'node:perf_hooks';
import type { HostRoot } from '../host-root.js';
import { readHostIdentity } from '../host-identity.js';
import { runProbes, LINUX_PROBES } from '../probes/run-probes.js';
import type { Probe } from '../probes/probe.js';
import type { Finding } from '../findings/schema.js';
import { evaluate } from '../../policies/evaluate.js';
import type { LoadedPolicy } from '../../policies/load.js';
import { SCAN_SCHEMA_ID, type ScanReport } from './scan-report.js';

export interface ScanOptions {
  host: HostRoot;
  policy: LoadedPolicy;
  probes?: readonly Probe[];
  /** Findings that come from elsewhere than a probe (the agent's own gaps, from its log). */
  extraFindings?: readonly Finding[];
  now?: () => Date;
}

/** Look at the machine, evaluate what was seen against the policy: probe → finding → rule → violation. */
export function scan({ host, policy: loaded, probes = LINUX_PROBES, extraFindings = [], now = () => new Date() }: ScanOptions): ScanReport {
  const startedAt = now();
  const started = performance.now();
  const identity = readHostIdentity(host);
  const run = runProbes({ host, requiredSoftware: loaded.policy.requiredSoftware }, probes);
  const findings = [...run.findings, ...extraFindings];
  const counts = run.counts;
  const violations = evaluate(loaded.policy, findings, identity);
  return {
    schema: SCAN_SCHEMA_ID,
    host: { hostname: identity.hostname, machineId: identity.machineId, os: identity.os },
    policy: { id: loaded.policy.id, version: loaded.policy.version, sha256: loaded.sha256 },
    startedAt: startedAt.toISOString(),
    durationMs: Math.round((performance.now() - started) * 1000) / 1000,
    probes: counts,
    findings,
    violations,
  };
}
