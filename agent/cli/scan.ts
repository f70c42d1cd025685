import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { HostRoot } from '../host-root.js';
import { scan, scanWindows } from '../scan/scan.js';
import { renderScan } from '../scan/render-scan.js';
import { detectLang } from '../text/i18n.js';
import { recordScan } from '../ledger/incidents.js';
import { recordDeepScan } from '../ledger/record-deep-scan.js';
import { DEEP_KINDS, deepScan } from '../scan/deep-scan.js';
import { openForRecording } from './open-ledger.js';
import { TerminalProgress } from './terminal-progress.js';
import { FULL_PROBES, kindsCovered } from '../service/scan-plans.js';
import { resolveStateDir } from '../state/state-dir.js';
import type { ScanReport } from '../scan/scan-report.js';
import { loadPolicyInForce, openSignedPolicy } from '../../policies/in-force.js';
import { parsePolicy, PolicyError, type LoadedPolicy } from '../../policies/load.js';
import { isSignedPolicy } from '../../policies/signed-policy.js';
import { DEFAULT_TRUST_DIR } from '../../policies/trust-store.js';

export const usage = `baomi-agent scan [--deep] [--root DIR] [--policy FILE] [--json] [--lang zh|en] [--dry-run] [--state-dir DIR] [--trust-dir DIR]
  扫描本机设备并按生效策略检查 / scan this machine against the policy in force
  --deep          深度检查:另查系统日志中的 U 盘和联网痕迹、硬盘更换和受监控目录的文件改动
                  also look for traces of past USB storage and network use in the system's logs,
                  disks swapped since enrolment, and changes to the policy's watched folders
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
      deep: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  const policy = values.policy ? policyFromFile(values.policy, values['trust-dir']) : policyInForce(values['state-dir'], values['trust-dir']);
  const host = new HostRoot(values.root);
  const recorded = !values['dry-run'] && values.policy === undefined;
  if (values.deep) return runDeep(host, policy, { ...values, recorded });
  const input = { host, policy };
  const report = process.platform === 'win32' ? await scanWindows(input) : scan(input);
  print(report, values);
  if (recorded && !(await record(report, values.root !== '/', values['state-dir']))) return 2;
  return report.violations.length === 0 ? 0 : 1;
}

function print(report: ScanReport, values: { json: boolean; lang?: string }): void {
  if (values.json) process.stdout.write(JSON.stringify(report) + '\n');
  else process.stdout.write(renderScan(report, detectLang(values.lang), process.stdout.columns || 120));
}

/**
 * `scan --deep`: with the violation log (what the agent saw live, the enrolled disks, the
 * folders' baseline digests) unless it is a dry run; recorded like any scan.
 */
async function runDeep(host: HostRoot, policy: LoadedPolicy, values: { root: string; 'state-dir'?: string; json: boolean; lang?: string; recorded: boolean }): Promise<number> {
  const stateDir = resolveStateDir(values['state-dir']);
  const capturedWithoutLog = values.root !== '/' && values['state-dir'] === undefined;
  if (values.recorded && capturedWithoutLog) noteCapturedTree();
  const ledger = values.recorded && !capturedWithoutLog ? await openForRecording(stateDir) : null;
  if (ledger === undefined) return 2;
  const progress = process.stderr.isTTY ? new TerminalProgress(process.stderr, detectLang(values.lang)) : undefined;
  try {
    const deep = await deepScan({ host, policy, ledger, stateDir, fileMode: 'compare', progress: progress && ((step) => progress.show(step)) });
    progress?.clear();
    if (deep.fileStoreSetAside) {
      process.stderr.write(
        `警告:受监控目录的基线库无法使用(${deep.fileStoreSetAside.reason}),已移至 ${deep.fileStoreSetAside.movedTo ?? '(未移动)'}\n` +
          `warning: the watched folders' baseline store could not be used (${deep.fileStoreSetAside.reason}); moved to ${deep.fileStoreSetAside.movedTo ?? '(not moved)'}\n`,
      );
    }
    print(deep.report, values);
    if (ledger) recordDeepScan(ledger, deep, { trigger: 'manual', kinds: kindsCovered(FULL_PROBES, DEEP_KINDS) });
    return deep.report.violations.length === 0 ? 0 : 1;
  } finally {
    progress?.clear();
    ledger?.close();
  }
}

function noteCapturedTree(): true {
  // A captured tree is another machine's: it does not belong in this machine's log.
  process.stderr.write('注意:--root 扫描的是采集的目录树,未记入本机违规日志(用 --state-dir 指定日志)\n' + 'note: a scan of a captured tree (--root) is not recorded in this machine\'s violation log (give --state-dir to record it)\n');
  return true;
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
  if (capturedTree && stateDir === undefined) return noteCapturedTree();
  const ledger = await openForRecording(resolveStateDir(stateDir));
  if (ledger === undefined) return false;
  try {
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
