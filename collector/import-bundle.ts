import type { BundleManifest } from '../agent/export/bundle.js';
import type { TimedEvent } from '../agent/ledger/heartbeat-gaps.js';
import { storeOf, type ArchivedHost, type ArchiveStore, type BundleStatus } from './archive-store.js';
import type { Db } from './archive.js';
import { keyChecks, seqChecks, type Continuity } from './continuity.js';
import { hostOfPath } from './find-bundles.js';
import { check, REFUSING, type Check, type Problem } from './problems.js';
import type { Progress } from './progress.js';
import { isTimed, storeEvent, watchGaps } from './store-events.js';
import { replay, type PreVerified } from './pre-verify.js';
import { judgeRecovery, olderEpochCheck, recoveryClaim, type RecoveryVerdict } from './recovery.js';
import { verifyBundle, type ManifestHead, type VerifyHooks } from './verify-bundle.js';
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
  /** The epoch of the host's log the bundle went into (null when refused). */
  epoch: number | null;
  /** The bundle began a new epoch: the agent's log was recovered (a log-recovered problem says how). */
  newEpoch: boolean;
  newEvents: number;
  problems: Problem[];
}

/** Where a bundle's events go, decided at its first good event (or at its end when it has none). */
interface Plan {
  epoch: number;
  /** What the archive held of that epoch before: events after it are new, for the heartbeat gaps. */
  base: number;
  accept: boolean;
  /** The agent started over and the archive accepts it: a new epoch begins with this bundle. */
  recovery?: Extract<RecoveryVerdict, { accepted: true }>;
}

/**
 * Verify one bundle and archive it in one transaction: its events go in as they are verified
 * (streaming here, or replayed from a worker's verification: `pre`), and any failed check — of
 * the bundle or of its continuity — rolls the whole of it back; then the bundle is recorded as
 * refused, with its problems. Never half-imported.
 *
 * Continuity is per epoch (recovery.ts): a bundle whose seq 1 is not the current epoch's is a new
 * chain; when that seq 1 is a ledger.recovered whose claim agrees with the archive, the bundle
 * begins the host's next epoch; otherwise it is held against the current epoch as before.
 */
export function importBundle(db: Db, dir: string, options: ImportOptions, pre?: PreVerified): ImportOutcome {
  const s = storeOf(db);
  const now = (options.now ?? (() => new Date()))().toISOString();
  let continuity: Continuity | undefined;
  let head: ManifestHead | undefined;
  let checks: Check[] = [];
  /** The epoch an identical bundle was imported into. */
  let duplicateOf: number | undefined;
  let bundleId = 0;
  let newEvents = 0;
  let fork: Check | undefined;
  let plan: Plan | undefined;
  const timed: TimedEvent[] = [];

  const decide = (first: BundleEvent | undefined): Plan => {
    const { manifest: m, trusted } = head!;
    const c = continuity!;
    const host = c.host;
    if (duplicateOf !== undefined) return { epoch: duplicateOf, base: host!.lastSeq, accept: false };
    const current: Plan = { epoch: host?.epoch ?? 1, base: host?.lastSeq ?? 0, accept: false };
    const acceptable = () => trusted && !checks.some((k) => REFUSING.has(k.kind));
    if (first?.seq === 1 && !(host && s.eventHash(host.id, host.epoch, 1)?.equals(first.hash))) {
      // A chain other than the current epoch's: an older epoch's, or a new one.
      const older = host && s.epochs(host.id).find((e) => e < host.epoch && s.eventHash(host.id, e, 1)?.equals(first.hash));
      if (older !== undefined) {
        checks.push(olderEpochCheck(host!, older, m));
        return { epoch: older, base: 0, accept: false }; // its events are held against their own epoch
      }
      const claim = recoveryClaim(first);
      if (claim !== undefined) {
        const verdict = judgeRecovery(s, host, claim, first, m);
        if (!verdict.accepted) {
          fork = verdict.check; // the one fork to report: not also seq 1's hash
          return current;
        }
        const accept = acceptable();
        if (accept && host === undefined) s.enrol(m, c.publicKey, now);
        return { epoch: verdict.epoch, base: 0, accept, recovery: verdict };
      }
    }
    checks.push(...seqChecks(m, c));
    const accept = acceptable();
    if (accept && host === undefined) s.enrol(m, c.publicKey, now);
    if (host !== undefined) checkPrevHash(s, m, host, (k) => (fork ??= k));
    return { ...current, accept };
  };

  db.exec('BEGIN IMMEDIATE');
  try {
    const hooks: VerifyHooks = {
      onManifest(h) {
        const { manifest: m, sha256 } = h;
        head = h;
        const publicKey = Buffer.from(m.agent.publicKey, 'base64'); // the 32 bytes checkManifest made the key from
        const host = s.host(m.host.id);
        continuity = { host, publicKey, keyOwners: s.hostsWithKey(publicKey, m.host.id), placedUnder: hostOfPath(dir), newest: host && s.newestBundle(host.id, host.epoch), expectFingerprint: options.expectFingerprint };
        duplicateOf = host === undefined ? undefined : s.importedInto(host.id, sha256);
        checks = keyChecks(m, continuity);
        bundleId = s.insertBundle(m.host.id, dir, 'imported', sha256, m, now);
        return (event: BundleEvent) => {
          plan ??= decide(event);
          const archived = host === undefined ? undefined : s.eventHash(host.id, plan.epoch, event.seq);
          if (archived !== undefined) {
            if (!archived.equals(event.hash)) fork ??= forkCheck(event.seq, archived, event.hash, m);
          } else if (plan.accept) {
            const invalid = storeEvent(s, m.host.id, plan.epoch, event, bundleId);
            if (invalid) checks.push(invalid);
            if (event.seq > plan.base && isTimed(event.type)) timed.push({ seq: event.seq, type: event.type, time: event.time });
            newEvents++;
          }
        };
      },
    };
    // Verified in a worker thread already (import-run.ts), or here, streaming.
    const verification = pre ? replay(pre, hooks) : verifyBundle(dir, hooks);
    if (head !== undefined) plan ??= decide(undefined); // a bundle without a good event
    const m = verification.manifest;
    const all = [...verification.checks, ...checks, ...(fork ? [fork] : [])];
    const refused = m === null || continuity === undefined || plan === undefined || all.some((c) => REFUSING.has(c.kind));
    // A bundle found in another host's place is that host's problem: someone put it there.
    const host = all.some((c) => c.kind === 'other-host') ? hostOfPath(dir) : (m?.host.id ?? hostOfPath(dir));
    if (refused) {
      db.exec('ROLLBACK');
      db.exec('BEGIN IMMEDIATE');
      return finish(s, { dir, status: 'refused', host, manifest: m, enrolled: false, epoch: null, newEpoch: false, newEvents: 0, problems: [] }, verification.manifestSha256, all, now);
    }
    const archived = continuity!.host;
    const duplicate = duplicateOf !== undefined;
    const status: BundleStatus = duplicate ? 'duplicate' : 'imported';
    s.finishBundle(bundleId, status, newEvents, plan!.epoch);
    if (!duplicate) {
      const { epoch, base, recovery } = plan!;
      if (recovery || archived === undefined) {
        s.beginEpoch(
          m,
          { hostId: m.host.id, epoch, bundleId, beganAt: now, recovery: recovery?.payload ?? null, claim: recovery?.claim ?? null, previousLastSeq: recovery?.previousLastSeq ?? null, kept: recovery?.kept ?? 0 },
          archived === undefined ? null : archived.epoch,
        );
      } else {
        s.advance(m, epoch);
      }
      if (recovery) all.unshift(recovery.check);
      all.push(...watchGaps(s, m.host.id, epoch, base, timed, options.heartbeatMinutes));
    }
    const problems = all.map((c) => ({ ...c, host, bundle: dir, time: now }));
    for (const p of problems) s.insertProblem(p, bundleId);
    db.exec('COMMIT');
    return { dir, status, host, manifest: m, enrolled: archived === undefined, epoch: plan!.epoch, newEpoch: !duplicate && plan!.recovery !== undefined && archived !== undefined, newEvents, problems };
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

function checkPrevHash(s: ArchiveStore, m: BundleManifest, host: ArchivedHost, report: (c: Check) => void): void {
  const before = m.ledger.firstSeq - 1;
  if (before < 1 || before > host.lastSeq) return;
  const archived = s.eventHash(host.id, host.epoch, before);
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
