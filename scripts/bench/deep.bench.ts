import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HostRoot } from '../../agent/host-root.js';
import { PACKAGE_ROOT } from '../../agent/package-root.js';
import { deepScan } from '../../agent/scan/deep-scan.js';
import { scan } from '../../agent/scan/scan.js';
import { BUILTIN_POLICY_FILE, loadPolicyFile } from '../../policies/load.js';
import { formatMs, measure } from './measure.js';

/**
 * The deep scan against the plain scan of the same tree: the logs a real guest's journald and
 * rsyslog wrote (test/fixtures/vm-traces: 3 journal files, 9 text logs with their rotations).
 * The log reader's and the watched folders' own throughput: `bench logs`, `bench fim`.
 */
export async function run(): Promise<void> {
  const host = new HostRoot(path.join(PACKAGE_ROOT, 'test', 'fixtures', 'vm-traces'));
  const policy = loadPolicyFile(BUILTIN_POLICY_FILE);
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'baomi-bench-deep-'));
  try {
    const plain = await measure('plain scan of vm-traces', () => scan({ host, policy }), 50, 5);
    const deep = await measure('deep scan of vm-traces (dry run)', () => deepScan({ host, policy, ledger: null, stateDir, fileMode: 'read-only' }), 50, 5);
    for (const m of [plain, deep]) {
      process.stdout.write(`${m.name.padEnd(34)} median ${formatMs(m.medianMs).padStart(9)}  p90 ${formatMs(m.p90Ms).padStart(9)}  (${m.runs} runs)\n`);
    }
    process.stdout.write(`ratio deep / plain: ${(deep.medianMs / plain.medianMs).toFixed(1)}×\n`);
  } finally {
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
}
