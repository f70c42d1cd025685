import type { HostRoot } from '../host-root.js';
import { readHostIdentity } from '../host-identity.js';
import type { Ledger } from '../ledger/ledger.js';
import type { PolicyInForce } from '../../policies/in-force.js';
import { exportBundle, type ExportResult } from './export-bundle.js';
import { inspectionMediumOf, MediumRefused, type InspectionMedium } from './inspection-medium.js';
import { LinkRefused } from './no-follow.js';

export type ExportOutcome = { ok: true; result: ExportResult } | { ok: false; reason: { zh: string; en: string } };

const FAILURES: Record<string, [string, string]> = {
  ENOSPC: ['介质空间已满', 'the medium is full'],
  EROFS: ['介质为只读(写保护)', 'the medium is read-only (write-protected)'],
  EACCES: ['没有写入权限', 'permission denied'],
  EPERM: ['不允许写入', 'writing is not permitted'],
  EIO: ['介质读写错误(是否已拔出?)', 'input/output error (was the medium pulled out?)'],
  ENOENT: ['目标已不存在(是否已拔出?)', 'the destination is gone (was the medium pulled out?)'],
  ELOOP: ['介质上的路径是符号链接', 'a path on the medium is a symbolic link'],
  EEXIST: ['介质上已有同名文件', 'a file is in the way on the medium'],
};

/**
 * Export the log to a directory on the inspection medium and record the outcome in the log:
 * export.performed with the medium's identity, or export.failed with the reason (a refused
 * medium is itself evidence). Used by `baomi-agent export` and by the service's auto-export.
 */
export function performExport(ledger: Ledger, host: HostRoot, policy: PolicyInForce, to: string, sinceSeq?: number): ExportOutcome {
  let medium: InspectionMedium | undefined;
  try {
    medium = inspectionMediumOf(host, to, policy.policy);
    const result = exportBundle({ ledger, identity: readHostIdentity(host), policy, medium, sinceSeq });
    const { ledger: range, medium: identity } = result.manifest;
    ledger.append({
      type: 'export.performed',
      payload: { destination: result.dir, medium: identity, firstSeq: range.firstSeq, lastSeq: range.lastSeq, headHash: range.headHash },
    });
    return { ok: true, result };
  } catch (error) {
    const [zh, en] = describeFailure(error);
    const identity = medium?.medium ?? (error instanceof MediumRefused ? error.medium : null);
    ledger.append({
      type: 'export.failed',
      payload: {
        destination: to,
        reason: en,
        ...(identity ? { medium: { vendorId: identity.usb?.vendorId ?? null, productId: identity.usb?.productId ?? null, serial: identity.serial } } : {}),
      },
    });
    return { ok: false, reason: { zh, en } };
  }
}

function describeFailure(error: unknown): [string, string] {
  if (error instanceof MediumRefused) return [error.zh, error.en];
  if (error instanceof LinkRefused) return [`介质上的路径是符号链接,拒绝写入:${error.target}`, `a path on the medium is a symbolic link, refused: ${error.target}`];
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code && FAILURES[code]) return FAILURES[code]!;
  throw error;
}
