import { parseArgs } from 'node:util';
import { HostRoot } from '../host-root.js';
import { scan } from '../scan/scan.js';
import { renderScan } from '../scan/render-scan.js';
import { detectLang } from '../text/i18n.js';
import { BUILTIN_POLICY_FILE, loadPolicyFile } from '../../policies/load.js';

export const usage = `baomi-agent scan [--root DIR] [--policy FILE] [--json] [--lang zh|en]
  扫描本机设备并按策略检查 / scan this machine against the policy
  --root DIR      read /sys, /proc, /etc, /run from DIR instead of / (a captured tree)
  --policy FILE   evaluate against FILE instead of the policy in force
  --json          print one JSON document (schema baomi.scan/1)
  --lang zh|en    language of the table (default: from LANG)
  --dry-run       do not record the scan in the violation log
exit: 0 compliant, 1 violations found, 2 error`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      root: { type: 'string', default: '/' },
      policy: { type: 'string' },
      json: { type: 'boolean', default: false },
      lang: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  const policy = loadPolicyFile(values.policy ?? BUILTIN_POLICY_FILE);
  const report = scan({ host: new HostRoot(values.root), policy });
  if (values.json) process.stdout.write(JSON.stringify(report) + '\n');
  else process.stdout.write(renderScan(report, detectLang(values.lang), process.stdout.columns || 120));
  return report.violations.length === 0 ? 0 : 1;
}
