import fs from 'node:fs';
import path from 'node:path';
import { ScanReport } from '../../agent/scan/scan-report.js';
import type { PolicyInput } from '../../policies/schema.js';
import { REPO_ROOT, runInVm, type Device, type GuestFile, type TimedEvent, type VmResult } from './vm.js';

/** The shipped policy, changed: each scenario evaluates the same devices under several policies. */
export function policy(change: (p: PolicyInput) => void = () => {}): PolicyInput {
  const json = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'policies', 'cn-office-standalone.policy.json'), 'utf8')) as PolicyInput;
  change(json);
  return json;
}

export interface GuestScans {
  vm: VmResult;
  /** One scan report per named policy, from `baomi-agent scan --json` in the guest. */
  reports: Record<string, ScanReport>;
  context: string;
}

/**
 * Boot a guest with `devices`, then run `baomi-agent scan --json` in it once per policy (the
 * real agent, reading the guest's real sysfs, procfs, udev database and CUPS files).
 */
export async function scansInGuest(devices: Device[], policies: Record<string, PolicyInput>, extra: { events?: TimedEvent[]; before?: string } = {}): Promise<GuestScans> {
  const files: GuestFile[] = Object.entries(policies).map(([name, p]) => ({ path: `/tmp/policy-${name}.json`, content: JSON.stringify(p) }));
  const script = [
    'set -u',
    extra.before ?? '',
    ...Object.keys(policies).map(
      (name) => `echo "@@@ ${name}"; node dist/agent/cli/main.js scan --json --dry-run --policy /tmp/policy-${name}.json; echo "@@@ exit $?"`,
    ),
  ].join('\n');
  const vm = await runInVm({ devices, events: extra.events, files, command: ['bash', '-c', script], timeoutSec: 280 });
  const context = `status=${vm.status} exit=${vm.exitCode} timings=${JSON.stringify(vm.timings)}\n--- stdout\n${vm.stdout.slice(0, 20000)}\n--- stderr\n${vm.stderr.slice(-4000)}`;
  const reports: Record<string, ScanReport> = {};
  for (const block of vm.stdout.split('@@@ ').slice(1)) {
    const [name, ...lines] = block.split('\n');
    const json = lines.find((line) => line.startsWith('{"schema":"baomi.scan/1"'));
    if (name && json) reports[name.trim()] = ScanReport.parse(JSON.parse(json));
  }
  return { vm, reports, context };
}

/** "RULE findingId" for every violation, sorted as the evaluator sorts them. */
export function violations(report: ScanReport | undefined): string[] {
  return (report?.violations ?? []).map((v) => `${v.rule} ${v.findingId}`);
}

export const e2eSkipped = process.env['BAOMI_SKIP_E2E'] === '1';
