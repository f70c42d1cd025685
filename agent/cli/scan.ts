import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { HostRoot } from '../host-root.js';
import { scan, scanWindows } from '../scan/scan.js';
import { renderScan } from '../scan/render-scan.js';
import { detectLang } from '../text/i18n.js';
import { Ledger } from '../ledger/ledger.js';
import { recordScan } from '../ledger/incidents.js';
import { FULL_PROBES, kindsCovered } from '../service/scan-plans.js';
import { resolveStateDir } from '../state/state-dir.js';
import type { ScanReport } from '../scan/scan-report.js';
import { loadPolicyInForce, openSignedPolicy } from '../../policies/in-force.js';
import { parsePolicy, PolicyError, type LoadedPolicy } from '../../policies/load.js';
import { isSignedPolicy } from '../../policies/signed-policy.js';
import { DEFAULT_TRUST_DIR } from '../../policies/trust-store.js';

export const usage = `baomi-agent scan [--root DIR] [--policy FILE] [--json] [--lang zh|en] [--dry-run] [--state-dir DIR] [--trust-dir DIR]
  扫描本机设备并按生效策略检查 / scan this machine against the policy in force
  --root DIR      read /sys, /proc, /etc, /run from DIR instead of / (a captured tree)
  --policy FILE   evaluate against FILE (a draft, or a signed policy) instead of the policy in
                  force; such a scan is never recorded in the violation log
  --json          print one JSON document (schema baomi.scan/1)
  --lang zh|en    language of the table (default: from LANG)
  --dry-run       do not record the scan in the violation log
  --state-dir DIR record into the violation log of DIR (default: /var/lib/baomi for root,
                  else ~/.local/state/baomi); a scan of a captured tree (--root) is recorded
                  only with --state-dir
  --trust-dir DIR the trusted officers' keys (default ${DEFAULT_TRUST_DIR})
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
      'state-dir': { type: 'string' },
      'trust-dir': { type: 'string', default: DEFAULT_TRUST_DIR },
    },
    strict: true,
    allowPositionals: false,
  });
  const policy = values.policy ? policyFromFile(values.policy, values['trust-dir']) : policyInForce(values['state-dir'], values['trust-dir']);
  const input = { host: new HostRoot(values.root), policy };
  const report = process.platform === 'win32' ? await scanWindows(input) : scan(input);
  if (values.json) process.stdout.write(JSON.stringify(report) + '\n');
  else process.stdout.write(renderScan(report, detectLang(values.lang), process.stdout.columns || 120));
  const recorded = !values['dry-run'] && values.policy === undefined;
  if (recorded && !(await record(report, values.root !== '/', values['state-dir']))) return 2;
  return report.violations.length === 0 ? 0 : 1;
}

/** The officer's policy installed on this computer (or the built-in one until there is one). */
function policyInForce(stateDir: string | undefined, trustDir: string): LoadedPolicy {
  const { inForce, refused } = loadPolicyInForce({ stateDir: resolveStateDir(stateDir), trustDir });
  if (refused) {
    process.stderr.write(
      `警告:已安装的策略未通过验证,按内置策略检查 / warning: the installed policy does not verify, the built-in policy applies: ${refused.message}\n`,
    );
  }
  return inForce;
}

/** A policy named on the command line: a signed envelope is verified, a plain draft is taken as is. */
function policyFromFile(file: string, trustDir: string): LoadedPolicy {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (error) {
    throw new PolicyError(file, '', `cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  return isSignedPolicy(bytes) ? openSignedPolicy(bytes, file, trustDir) : parsePolicy(bytes, file);
}

/** Record the scan in the violation log: new violations opened, gone ones resolved (see ledger/incidents.ts). */
async function record(report: ScanReport, capturedTree: boolean, stateDir: string | undefined): Promise<boolean> {
  if (capturedTree && stateDir === undefined) {
    // A captured tree is another machine's: it does not belong in this machine's log.
    process.stderr.write('注意:--root 扫描的是采集的目录树,未记入本机违规日志(用 --state-dir 指定日志)\n' + 'note: a scan of a captured tree (--root) is not recorded in this machine\'s violation log (give --state-dir to record it)\n');
    return true;
  }
  let ledger: Ledger;
  try {
    ledger = await Ledger.open({ stateDir: resolveStateDir(stateDir) });
  } catch (error) {
    process.stderr.write(`baomi-agent: 未能记入违规日志 / could not record into the violation log: ${(error as Error).message}\n`);
    return false;
  }
  try {
    if (ledger.recovery) {
      const { failure, movedTo } = ledger.recovery;
      process.stderr.write(
        `警告:违规日志未通过验证(第 ${failure.seq} 条,${failure.reason}:${failure.detail.zh}),已移至 ${movedTo ?? '(不存在)'},新日志已开始\n` +
          `warning: the violation log did not verify (seq ${failure.seq}, ${failure.reason}: ${failure.detail.en}); it was moved to ${movedTo ?? '(missing)'} and a new one started\n`,
      );
    }
    // The agent's own gaps are the service's to judge: a one-off scan neither opens nor resolves them.
    recordScan(ledger, report, { scope: 'full', trigger: 'manual', kinds: kindsCovered(FULL_PROBES) });
    return true;
  } catch (error) {
    process.stderr.write(`baomi-agent: 未能记入违规日志 / could not record into the violation log: ${(error as Error).message}\n`);
    return false;
  } finally {
    ledger.close();
  }
}
