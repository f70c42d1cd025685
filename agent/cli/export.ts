import { parseArgs } from 'node:util';
import { performExport } from '../export/perform-export.js';
import { HostRoot } from '../host-root.js';
import { Ledger } from '../ledger/ledger.js';
import { resolveStateDir } from '../state/state-dir.js';
import { loadPolicyInForce } from '../../policies/in-force.js';
import { DEFAULT_TRUST_DIR } from '../../policies/trust-store.js';
import { UsageError } from './usage-error.js';

export const usage = `baomi-agent export --to DIR [--since SEQ] [--state-dir DIR] [--trust-dir DIR]
  把签名的检查包导出到登记为“检查专用”的移动介质上 / write a signed bundle onto a registered inspection medium
  --to DIR     a directory on the inspection stick (its mount point, for instance)
  --since SEQ  export the log from this seq (default: all of it)
exit: 0 exported, 1 refused or failed (recorded in the log), 2 usage error`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      to: { type: 'string' },
      since: { type: 'string' },
      root: { type: 'string', default: '/' },
      'state-dir': { type: 'string' },
      'trust-dir': { type: 'string', default: DEFAULT_TRUST_DIR },
    },
  });
  if (!values.to) throw new UsageError('export needs --to DIR');
  const since = values.since === undefined ? undefined : Number(values.since);
  if (since !== undefined && (!Number.isInteger(since) || since < 1)) throw new UsageError('--since takes a seq number (1 or more)');
  const stateDir = resolveStateDir(values['state-dir']);
  const host = new HostRoot(values.root);
  const { inForce } = loadPolicyInForce({ stateDir, trustDir: values['trust-dir'] });
  const ledger = await Ledger.open({ stateDir, host });
  try {
    const outcome = performExport(ledger, host, inForce, values.to, since);
    if (!outcome.ok) {
      process.stderr.write(
        `baomi-agent: 导出失败 / export failed: ${outcome.reason.zh} / ${outcome.reason.en}\n未写入完整的检查包,已记入违规日志 / no bundle was written; this was recorded in the log\n`,
      );
      return 1;
    }
    const { dir, manifest } = outcome.result;
    process.stdout.write(
      `已导出 / exported: ${dir}\n日志第 ${manifest.ledger.firstSeq}–${manifest.ledger.lastSeq} 条 / events ${manifest.ledger.firstSeq}–${manifest.ledger.lastSeq}, ` +
        `未解决违规 ${manifest.counts.violationsOpen} / open violations ${manifest.counts.violationsOpen}\n`,
    );
    return 0;
  } finally {
    ledger.close();
  }
}
