import type { FindingKind } from '../findings/schema.js';
import type { DeepScan } from '../scan/deep-scan.js';
import { ensureDisksEnrolled } from './baselines.js';
import { recordScan, type RecordedScan, type RecordScanOptions } from './incidents.js';
import type { Ledger } from './ledger.js';

/**
 * Record a deep scan: the watched folders' new baselines (their digests, so that an edit of the
 * baseline store is evident), the scan's violations, and — at the first look — the fixed disks.
 */
export function recordDeepScan(ledger: Ledger, deep: DeepScan, options: Omit<RecordScanOptions, 'scope'> & { kinds: readonly FindingKind[] }): RecordedScan {
  for (const baseline of deep.baselined) ledger.append({ type: 'files.baselined', payload: baseline });
  const recorded = recordScan(ledger, deep.report, { ...options, scope: 'deep' });
  ensureDisksEnrolled(ledger, deep.report.findings);
  return recorded;
}
