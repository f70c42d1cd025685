/**
 * Record what systeminformation reports on this Windows PC, as the Windows probes read it, into
 * a JSON file that tests replay (test/fixtures/win32/<name>.facts.json):
 *
 *   node dist/scripts/capture-windows-facts.js out.json [--service NAME]... [--policy FILE]
 *
 * Run it in an elevated prompt (some WMI classes answer administrators only). Services are asked
 * for by name: the policy's required software (--policy) and any --service. Processes keep pid
 * and name only — no command lines, which can hold passwords. The snapshot is validated against
 * the facts schema before it is written; read it before committing it (computer name, MachineGuid
 * and serial numbers are in it).
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import type { SoftwareToFind } from '../agent/probes/software/linux.js';
import { parseWindowsFacts, readWindowsSnapshot } from '../agent/probes/windows/windows-facts.js';
import { loadPolicyFile } from '../policies/load.js';

const USAGE = 'usage: capture-windows-facts <out.json> [--service NAME]... [--policy FILE]\n';

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { service: { type: 'string', multiple: true, default: [] }, policy: { type: 'string' } },
  });
  if (positionals.length !== 1) {
    process.stderr.write(USAGE);
    return 2;
  }
  if (process.platform !== 'win32') {
    process.stderr.write('capture-windows-facts: run this on Windows (systeminformation answers in another shape elsewhere)\n');
    return 2;
  }
  const required: SoftwareToFind[] = values.policy ? [...loadPolicyFile(values.policy).policy.requiredSoftware] : [];
  if (values.service.length > 0) required.push({ id: 'capture', processes: [], units: values.service, paths: [] });
  const snapshot = await readWindowsSnapshot(required);
  const facts = parseWindowsFacts(snapshot, 'systeminformation');
  const out = positionals[0]!;
  fs.writeFileSync(out, `${JSON.stringify(snapshot, null, 2)}\n`);
  process.stdout.write(
    `${out}: ${facts.networkInterfaces.length} interfaces, ${facts.usb.length} USB entries, ${facts.diskLayout.length} disks, ` +
      `${facts.audio.length} sound devices, ${facts.printer.length} printers, ${facts.services.length} services\n`,
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`capture-windows-facts: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
