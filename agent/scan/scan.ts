import { performance } from 'node:perf_hooks';
import type { HostRoot } from '../host-root.js';
import { readHostIdentity, windowsHostIdentity } from '../host-identity.js';
import { runProbes, platformProbes, WINDOWS_PROBES } from '../probes/run-probes.js';
import type { Probe } from '../probes/probe.js';
import { collectWindowsFacts, type WindowsFacts } from '../probes/windows/windows-facts.js';
import type { EnrolledDisk, Finding } from '../findings/schema.js';
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
  /** Windows: the systeminformation snapshot the probes read (see scanWindows); the host identity comes from it too. */
  windowsFacts?: WindowsFacts;
  /** The fixed disks enrolled at the agent's first run (from its log), for HW-DISK-CHANGE. */
  enrolledDisks?: readonly EnrolledDisk[] | null;
}

/** Look at the machine, evaluate what was seen against the policy: probe → finding → rule → violation. */
export function scan({ host, policy: loaded, probes, extraFindings = [], now = () => new Date(), windowsFacts, enrolledDisks }: ScanOptions): ScanReport {
  const startedAt = now();
  const started = performance.now();
  const identity = windowsFacts ? windowsHostIdentity(windowsFacts) : readHostIdentity(host);
  const chosen = probes ?? (windowsFacts ? WINDOWS_PROBES : platformProbes());
  const run = runProbes({ host, requiredSoftware: loaded.policy.requiredSoftware, windowsFacts }, chosen);
  const findings = [...run.findings, ...extraFindings];
  const counts = run.counts;
  const kinds = new Set([...chosen.flatMap((probe) => probe.kinds), ...extraFindings.map((finding) => finding.kind)]);
  const violations = evaluate(loaded.policy, findings, identity, { enrolledDisks, kinds });
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

export interface WindowsScanOptions extends Omit<ScanOptions, 'windowsFacts'> {
  /** How the facts are collected (systeminformation by default; tests pass recorded facts). */
  collect?: typeof collectWindowsFacts;
}

/**
 * A scan on Windows: collect the systeminformation snapshot (asynchronous: PowerShell), then
 * the same synchronous scan on it. The report's time and duration include the collection.
 */
export async function scanWindows({ collect = collectWindowsFacts, now = () => new Date(), ...options }: WindowsScanOptions): Promise<ScanReport> {
  const startedAt = now();
  const started = performance.now();
  const windowsFacts = await collect(options.policy.policy.requiredSoftware);
  const report = scan({ ...options, now: () => startedAt, windowsFacts });
  return { ...report, durationMs: Math.round((performance.now() - started) * 1000) / 1000 };
}
