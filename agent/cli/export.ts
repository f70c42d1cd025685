import { parseArgs } from 'node:util';
import { exportBundle } from '../export/export-bundle.js';
import { inspectionMediumOf, MediumRefused, type InspectionMedium } from '../export/inspection-medium.js';
import { LinkRefused } from '../export/no-follow.js';
import { HostRoot } from '../host-root.js';
import { readHostIdentity } from '../host-identity.js';
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

const FAILURES: Record<string, [string, string]> = {
  ENOSPC: ['介质空间已满', 'the medium is full'],
  EROFS: ['介质为只读(写保护)', 'the medium is read-only (write-protected)'],
  EACCES: ['没有写入权限', 'permission denied'],
  EPERM: ['不允许写入', 'writing is not permitted'],
  EIO: ['介质读写错误(是否已拔出?)', 'input/output error (was the medium pulled out?)'],
  ENOENT: ['目标已不存在(是否已拔出?)', 'the destination is gone (was the medium pulled out?)'],
};

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
  let medium: InspectionMedium | undefined;
  try {
    medium = inspectionMediumOf(host, values.to, inForce.policy);
    const { dir, manifest } = exportBundle({ ledger, identity: readHostIdentity(host), policy: inForce, medium, sinceSeq: since });
    ledger.append({
      type: 'export.performed',
      payload: {
        destination: dir,
        medium: manifest.medium,
        firstSeq: manifest.ledger.firstSeq,
        lastSeq: manifest.ledger.lastSeq,
        headHash: manifest.ledger.headHash,
      },
    });
    process.stdout.write(
      `已导出 / exported: ${dir}\n日志第 ${manifest.ledger.firstSeq}–${manifest.ledger.lastSeq} 条 / events ${manifest.ledger.firstSeq}–${manifest.ledger.lastSeq}, ` +
        `未解决违规 ${manifest.counts.violationsOpen} / open violations ${manifest.counts.violationsOpen}\n`,
    );
    return 0;
  } catch (error) {
    const [zh, en] = describe(error);
    const identity = medium?.medium ?? (error instanceof MediumRefused ? error.medium : null);
    ledger.append({
      type: 'export.failed',
      payload: {
        destination: values.to,
        reason: en,
        ...(identity ? { medium: { vendorId: identity.usb?.vendorId ?? null, productId: identity.usb?.productId ?? null, serial: identity.serial } } : {}),
      },
    });
    process.stderr.write(`baomi-agent: 导出失败 / export failed: ${zh} / ${en}\n未写入完整的检查包,已记入违规日志 / no bundle was written; this was recorded in the log\n`);
    return 1;
  } finally {
    ledger.close();
  }
}

function describe(error: unknown): [string, string] {
  if (error instanceof MediumRefused) return [error.zh, error.en];
  if (error instanceof LinkRefused) return [`介质上的路径是符号链接,拒绝写入:${error.target}`, `a path on the medium is a symbolic link, refused: ${error.target}`];
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code && FAILURES[code]) return FAILURES[code]!;
  if (code === 'ELOOP' || code === 'EEXIST') return ['介质上已有同名文件或符号链接', `a file or symbolic link is in the way on the medium (${code})`];
  throw error;
}
