import { parseArgs } from 'node:util';
import { checkWatchedFolders } from '../file-integrity/check-watched-folders.js';
import { HostRoot } from '../host-root.js';
import { enrolDisks, recordedFileDigests } from '../ledger/baselines.js';
import { platformProbes, runProbes } from '../probes/run-probes.js';
import { resolveStateDir } from '../state/state-dir.js';
import { detectLang } from '../text/i18n.js';
import { printable } from '../text/terminal.js';
import { formatBytes } from '../findings/label.js';
import { loadPolicyInForce } from '../../policies/in-force.js';
import { DEFAULT_TRUST_DIR } from '../../policies/trust-store.js';
import { openForRecording } from './open-ledger.js';
import { UsageError } from './usage-error.js';

export const usage = `baomi-agent baseline (--disks | --files) [--root DIR] [--state-dir DIR] [--trust-dir DIR] [--lang zh|en]
  保密员在批准的变更后重新登记基线(记入违规日志)/ the secrecy officer renews a baseline after an approved change (recorded in the violation log)
  --disks         登记本机现有的硬盘(批准的维修或更换之后)/ enrol the fixed disks as they are now
  --files         按现状重建策略中受监控目录的文件基线 / make new baselines of the policy's watched folders
  --root DIR      read the machine from DIR instead of / (a captured tree)
  --state-dir DIR the agent's state directory (default: /var/lib/baomi for root, else ~/.local/state/baomi)
  --trust-dir DIR the trusted officers' keys (default ${DEFAULT_TRUST_DIR})
exit: 0 recorded, 2 error`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      disks: { type: 'boolean', default: false },
      files: { type: 'boolean', default: false },
      root: { type: 'string', default: '/' },
      'state-dir': { type: 'string' },
      'trust-dir': { type: 'string', default: DEFAULT_TRUST_DIR },
      lang: { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.disks === values.files) throw new UsageError('请指定 --disks 或 --files 之一 / give one of --disks or --files');
  const zh = detectLang(values.lang) === 'zh';
  const stateDir = resolveStateDir(values['state-dir']);
  const host = new HostRoot(values.root);
  const ledger = await openForRecording(stateDir);
  if (ledger === undefined) return 2;
  try {
    if (values.disks) {
      const disksProbe = platformProbes().find((probe) => probe.name === 'disks')!;
      const disks = enrolDisks(ledger, runProbes({ host, requiredSoftware: [] }, [disksProbe]).findings, 'officer');
      process.stdout.write(zh ? `已登记 ${disks.length} 块硬盘:\n` : `Enrolled ${disks.length} disk(s):\n`);
      for (const d of disks) process.stdout.write(`  ${printable([d.device, d.model, d.serial && `S/N ${d.serial}`, d.wwn && `WWN ${d.wwn}`, formatBytes(d.capacityBytes)].filter(Boolean).join(' '))}\n`);
      return 0;
    }
    const { policy } = loadPolicyInForce({ stateDir, trustDir: values['trust-dir'] }).inForce;
    if (policy.fileIntegrity.folders.length === 0) {
      process.stderr.write('生效策略没有受监控目录(fileIntegrity.folders)/ the policy in force names no watched folder (fileIntegrity.folders)\n');
      return 2;
    }
    const result = await checkWatchedFolders({
      host,
      stateDir,
      folders: policy.fileIntegrity.folders,
      workingHours: policy.fileIntegrity.workingHours,
      timezone: policy.timezone,
      holidays: policy.holidays,
      recordedDigests: recordedFileDigests(ledger),
      mode: 'renew',
    });
    for (const baseline of result.baselined) {
      ledger.append({ type: 'files.baselined', payload: baseline });
      process.stdout.write(printable(zh ? `${baseline.folder}:${baseline.files} 个文件,基线已更新` : `${baseline.folder}: ${baseline.files} file(s), baseline renewed`) + '\n');
    }
    for (const f of result.findings) {
      if (f.kind === 'watched-folder' && f.state === 'missing') process.stderr.write(printable(zh ? `目录不存在:${f.folder}` : `no such folder: ${f.folder}`) + '\n');
    }
    return result.baselined.length > 0 ? 0 : 2;
  } finally {
    ledger.close();
  }
}
