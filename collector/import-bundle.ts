import type { BundleManifest } from '../agent/export/bundle.js';
import type { TimedEvent } from '../agent/ledger/heartbeat-gaps.js';
import { storeOf, type ArchiveStore, type BundleStatus } from './archive-store.js';
import type { Db } from './archive.js';
import { keyChecks, seqChecks, type Continuity } from './continuity.js';
import { hostOfPath } from './find-bundles.js';
import { check, REFUSING, type Check, type Problem } from './problems.js';
import type { Progress } from './progress.js';
import { isTimed, storeEvent, watchGaps } from './store-events.js';
import { replay, type PreVerified } from './pre-verify.js';
import { verifyBundle, type VerifyHooks } from './verify-bundle.js';
import type { BundleEvent } from './verify-events.js';

export interface ImportOptions {
  expectFingerprint?: string;
  heartbeatMinutes: number;
  now?: () => Date;
  /** Progress over many bundles (the CLI's, on stderr). */
  progress?: (total: number) => Progress;
}

export interface ImportOutcome {
  dir: string;
  status: BundleStatus;
  host: string | null;
  manifest: BundleManifest | null;
  /** The host was enrolled by this bundle (its key fingerprint is to be compared by a person). */
  enrolled: boolean;
  newEvents: number;
  problems: Problem[];
}

/**
 * Verify one bundle and archive it in one transaction: its events go in as they are verified
 * (streaming here, or replayed from a worker's verification: `pre`), and any failed check — of
 * the bundle or of its continuity — rolls the whole of it back; then the bundle is recorded as
 * refused, with its problems. Never half-imported.
 */
export function importBundle(db: Db, dir: string, options: ImportOptions, pre?: PreVerified): ImportOutcome {
  const s = storeOf(db);
  const now = (options.now ?? (() => new Date()))().toISOString();
  let continuity: Continuity | undefined;
  let checks: Check[] = [];
  let duplicate = false;
  let bundleId = 0;
  let newEvents = 0;
  let fork: Check | undefined;
  const timed: TimedEvent[] = [];

  db.exec('BEGIN IMMEDIATE');
  try {
    const hooks: VerifyHooks = {
      onManifest({ manifest: m, sha256, trusted }) {
        const publicKey = Buffer.from(m.agent.publicKey, 'base64'); // the 32 bytes checkManifest made the key from
        const host = s.host(m.host.id);
        continuity = { host, publicKey, keyOwners: s.hostsWithKey(publicKey, m.host.id), placedUnder: hostOfPath(dir), newest: host && s.newestBundle(host.id), expectFingerprint: options.expectFingerprint };
        duplicate = host !== undefined && s.isImported(host.id, sha256);
        checks = keyChecks(m, continuity);
        if (!duplicate) checks.push(...seqChecks(m, continuity));
        const accept = trusted && !duplicate && !checks.some((c) => REFUSING.has(c.kind));
        if (accept && host === undefined) s.enrol(m, publicKey, now);
        bundleId = s.insertBundle(m.host.id, dir, 'imported', sha256, m, now);
        if (host !== undefined) checkPrevHash(s, m, host.id, host.lastSeq, (c) => (fork ??= c));
        return (event: BundleEvent) => {
          const archived = host === undefined ? undefined : s.eventHash(host.id, event.seq);
          if (archived !== undefined) {
            if (!archived.equals(event.hash)) fork ??= forkCheck(event.seq, archived, event.hash, m);
          } else if (accept) {
            const invalid = storeEvent(s, m.host.id, event, bundleId);
            if (invalid) checks.push(invalid);
            if (event.seq > (host?.lastSeq ?? 0) && isTimed(event.type)) timed.push({ seq: event.seq, type: event.type, time: event.time });
            newEvents++;
          }
        };
      },
    };
    // Verified in a worker thread already (import-run.ts), or here, streaming.
    const verification = pre ? replay(pre, hooks) : verifyBundle(dir, hooks);
    const m = verification.manifest;
    const all = [...verification.checks, ...checks, ...(fork ? [fork] : [])];
    const refused = m === null || continuity === undefined || all.some((c) => REFUSING.has(c.kind));
    // A bundle found in another host's place is that host's problem: someone put it there.
    const host = all.some((c) => c.kind === 'other-host') ? hostOfPath(dir) : (m?.host.id ?? hostOfPath(dir));
    if (refused) {
      db.exec('ROLLBACK');
      db.exec('BEGIN IMMEDIATE');
      return finish(s, { dir, status: 'refused', host, manifest: m, enrolled: false, newEvents: 0, problems: [] }, verification.manifestSha256, all, now);
    }
    const status: BundleStatus = duplicate ? 'duplicate' : 'imported';
    s.finishBundle(bundleId, status, newEvents);
    if (!duplicate) {
      s.advance(m);
      all.push(...watchGaps(s, m.host.id, continuity!.host?.lastSeq ?? 0, timed, options.heartbeatMinutes));
    }
    const problems = all.map((c) => ({ ...c, host, bundle: dir, time: now }));
    for (const p of problems) s.insertProblem(p, bundleId);
    db.exec('COMMIT');
    return { dir, status, host, manifest: m, enrolled: continuity!.host === undefined, newEvents, problems };
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw error;
  }
}

/** Record a refused bundle and its problems (inside the open transaction), and commit. */
function finish(s: ArchiveStore, outcome: ImportOutcome, sha256: string | null, checks: Check[], now: string): ImportOutcome {
  const id = s.insertBundle(outcome.host, outcome.dir, 'refused', sha256, outcome.manifest, now);
  outcome.problems = checks.map((c) => ({ ...c, host: outcome.host, bundle: outcome.dir, time: now }));
  for (const p of outcome.problems) s.insertProblem(p, id);
  s.db.exec('COMMIT');
  return outcome;
}

function checkPrevHash(s: ArchiveStore, m: BundleManifest, hostId: string, lastSeq: number, report: (c: Check) => void): void {
  const before = m.ledger.firstSeq - 1;
  if (before < 1 || before > lastSeq) return;
  const archived = s.eventHash(hostId, before);
  if (archived !== undefined && archived.toString('hex') !== m.ledger.prevHash) report(forkCheck(before, archived, Buffer.from(m.ledger.prevHash, 'hex'), m));
}

function forkCheck(seq: number, archived: Buffer, bundle: Buffer, m: BundleManifest): Check {
  return check(
    'fork',
    `日志分叉:第 ${seq} 条的哈希与已归档的不同(日志被改写或重建)`,
    `fork: the hash of seq ${seq} differs from the archived one (the log was rewritten or restarted)`,
    `seq ${seq}: archived ${archived.toString('hex')}; bundle ${bundle.toString('hex')} (bundle seqs ${m.ledger.firstSeq}–${m.ledger.lastSeq}, created ${m.createdAt})`,
  );
}
