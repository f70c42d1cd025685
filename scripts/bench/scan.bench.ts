import si from 'systeminformation';
import { HostRoot } from '../../agent/host-root.js';
import { runProbes } from '../../agent/probes/run-probes.js';
import { scan } from '../../agent/scan/scan.js';
import { BUILTIN_POLICY_FILE, loadPolicyFile } from '../../policies/load.js';
import { formatMs, measure } from './measure.js';

/**
 * The full scan of this machine (probes + evaluation) against the same facts gathered through
 * systeminformation (which shells out to ip, lsblk, lsusb …), in the same run.
 */
export async function run(): Promise<void> {
  const host = new HostRoot('/');
  const policy = loadPolicyFile(BUILTIN_POLICY_FILE);
  const full = await measure('baomi full scan (sysfs/procfs)', () => scan({ host, policy }), 200, 20);
  const probesOnly = await measure('baomi probes only', () => runProbes({ host, requiredSoftware: [] }), 200, 20);
  const viaSi = await measure(
    'systeminformation, same facts',
    () =>
      Promise.all([
        si.networkInterfaces(),
        si.usb(),
        si.blockDevices(),
        si.audio(),
        si.bluetoothDevices(),
        si.printer(),
        si.diskLayout(),
        si.osInfo(),
      ]),
    20,
    2,
  );
  for (const m of [full, probesOnly, viaSi]) {
    process.stdout.write(`${m.name.padEnd(34)} median ${formatMs(m.medianMs).padStart(9)}  p90 ${formatMs(m.p90Ms).padStart(9)}  (${m.runs} runs)\n`);
  }
  process.stdout.write(`ratio systeminformation / baomi full scan: ${(viaSi.medianMs / full.medianMs).toFixed(0)}×\n`);
}
