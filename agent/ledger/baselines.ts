import type { EnrolledDisk, Finding } from '../findings/schema.js';
import type { PayloadOf } from './events.js';
import type { Ledger } from './ledger.js';

/**
 * The baselines a deep scan compares with, kept in the violation log so that they are as
 * tamper-evident as the violations: the fixed disks enrolled at the agent's first run (or again
 * by the officer), and the digest of each watched folder's file baseline.
 */

/** The latest enrolled disks; null before enrolment. */
export function enrolledDisks(ledger: Ledger): EnrolledDisk[] | null {
  const body = ledger.db.prepare(`SELECT body FROM events WHERE type = 'disks.enrolled' ORDER BY seq DESC LIMIT 1`).pluck().get() as string | undefined;
  return body === undefined ? null : (JSON.parse(body) as { payload: PayloadOf<'disks.enrolled'> }).payload.disks;
}

/** Record the fixed disks a scan saw as the baseline. */
export function enrolDisks(ledger: Ledger, findings: readonly Finding[], reason: PayloadOf<'disks.enrolled'>['reason']): EnrolledDisk[] {
  const disks = findings.flatMap((f) =>
    f.kind === 'fixed-disk' ? [{ device: f.device, model: f.model, serial: f.serial, wwn: f.wwn, capacityBytes: f.capacityBytes }] : [],
  );
  ledger.append({ type: 'disks.enrolled', payload: { reason, disks } });
  return disks;
}

/** Enrolment at the first run: the disks of the first scan that saw any, unless already enrolled. True when it enrolled. */
export function ensureDisksEnrolled(ledger: Ledger, findings: readonly Finding[]): boolean {
  if (enrolledDisks(ledger) !== null || !findings.some((f) => f.kind === 'fixed-disk')) return false;
  enrolDisks(ledger, findings, 'first-run');
  return true;
}

/** The digest of each watched folder's latest baseline, as the log holds it. */
export function recordedFileDigests(ledger: Ledger): Map<string, string> {
  const digests = new Map<string, string>();
  const rows = ledger.db.prepare(`SELECT body FROM events WHERE type = 'files.baselined' ORDER BY seq`).pluck().iterate() as IterableIterator<string>;
  for (const body of rows) {
    const { folder, digest } = (JSON.parse(body) as { payload: PayloadOf<'files.baselined'> }).payload;
    digests.set(folder, digest);
  }
  return digests;
}
