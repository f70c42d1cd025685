import { parseArgs } from 'node:util';
import { HostRoot } from '../host-root.js';
import { scan } from '../scan/scan.js';
import { renderScan } from '../scan/render-scan.js';
import { detectLang } from '../text/i18n.js';
import { Ledger } from '../ledger/ledger.js';
import { recordScan } from '../ledger/incidents.js';
import { resolveStateDir } from '../state/state-dir.js';
import type { ScanReport } from '../scan/scan-report.js';
import { BUILTIN_POLICY_FILE, loadPolicyFile } from '../../policies/load.js';

export const usage = `baomi-agent scan [--root DIR] [--policy FILE] [--json] [--lang zh|en] [--dry-run] [--state-dir DIR]
  扫描本机设备并按策略检查 / scan this machine against the policy
  --root DIR      read /sys, /proc, /etc, /run from DIR instead of / (a captured tree)
  --policy FILE   evaluate against FILE instead of the policy in force
  --json          print one JSON document (schema baomi.scan/1)
  --lang zh|en    language of the table (default: from LANG)
  --dry-run       do not record the scan in the violation log
  --state-dir DIR record into the violation log of DIR (default: /var/lib/baomi for root,
                  else ~/.local/state/baomi); a scan of a captured tree (--root) is recorded
                  only with --state-dir
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
    },
    strict: true,
    allowPositionals: false,
  });
  const policy = loadPolicyFile(values.policy ?? BUILTIN_POLICY_FILE);
  const report = scan({ host: new HostRoot(values.root), policy });
  if (values.json) process.stdout.write(JSON.stringify(report) + '\n');
  else process.stdout.write(renderScan(report, detectLang(values.lang), process.stdout.columns || 120));
  if (!values['dry-run'] && !(await record(report, values.root !== '/', values['state-dir']))) return 2;
  return report.violations.length === 0 ? 0 : 1;
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
    recordScan(ledger, report, { scope: 'full' });
    return true;
  } catch (error) {
    process.stderr.write(`baomi-agent: 未能记入违规日志 / could not record into the violation log: ${(error as Error).message}\n`);
    return false;
  } finally {
    ledger.close();
  }
}
