import type { BundleManifest } from '../agent/export/bundle.js';
import { GENESIS_HASH } from '../agent/ledger/chain.js';
import { LedgerRecovered } from '../agent/ledger/events.js';
import type { ArchivedHost, ArchiveStore } from './archive-store.js';
import { check, type Check } from './problems.js';
import type { BundleEvent } from './verify-events.js';

/**
 * A log that starts over. When the agent's log fails verification it is moved aside and a new
 * chain begins whose seq 1 is ledger.recovered: the old file, the last seq and hash of the old
 * chain that still verified, the reason. For the archive that new chain is a new **epoch** of the
 * host — accepted, never silently: its claim about the old chain is checked against what the
 * archive holds of the current epoch, and the recovery is recorded as a problem with its evidence.
 *
 * The rule, on lastVerifiedSeq L and lastVerifiedHash H:
 *   - L = 0: H must be the genesis (32 zero bytes) — nothing of the old chain is claimed;
 *   - the archive holds seq L of the current epoch: H must be its hash;
 *   - the archive does not hold seq L (beyond its head, or before its first seq): the claim cannot
 *     be checked, and nothing contradicts it — accepted, "unverifiable" in the evidence;
 *   - but (L, H) naming an event of an older, already superseded epoch is a copy of that old log
 *     posing as a recovery.
 * A claim that contradicts the archive is a fork: the bundle is refused, as any other fork.
 * The archived events of the current epoch after L are what the agent no longer has: they stay in
 * the archive, under their epoch, and their count is the recovery's evidence.
 */

const RecoveredPayload = LedgerRecovered.shape.payload;
export type RecoveryClaim = ReturnType<typeof RecoveredPayload.parse>;

/**
 * The claim of a bundle's first event when that is seq 1 `ledger.recovered`: undefined when it is
 * not one, null when its payload cannot be read.
 */
export function recoveryClaim(first: BundleEvent): RecoveryClaim | null | undefined {
  if (first.seq !== 1 || first.type !== 'ledger.recovered') return undefined;
  let payload: unknown;
  try {
    payload = (JSON.parse(first.body) as { payload?: unknown }).payload; // the importer's events carry only violation payloads
  } catch {
    return null;
  }
  const parsed = RecoveredPayload.safeParse(payload);
  return parsed.success ? parsed.data : null;
}

/** How the claim was checked: it matched the archive, named no event, could not be checked, or met an empty archive. */
export type ClaimCheck = 'match' | 'genesis' | 'unverifiable' | 'enrolment';

export type RecoveryVerdict =
  | {
      accepted: true;
      /** The new epoch: the host's next, or 1 when this bundle enrols it. */
      epoch: number;
      /** The log-recovered problem, with its evidence. */
      check: Check;
      claim: ClaimCheck;
      /** The ledger.recovered payload, as JSON (for the epochs table). */
      payload: string;
      previousLastSeq: number | null;
      /** Archived events of the previous epoch after lastVerifiedSeq. */
      kept: number;
    }
  | { accepted: false; check: Check };

/** Judge a bundle whose seq 1 is ledger.recovered and is not the current epoch's seq 1. */
export function judgeRecovery(s: ArchiveStore, host: ArchivedHost | undefined, claim: RecoveryClaim | null, first: BundleEvent, m: BundleManifest): RecoveryVerdict {
  const bundle = `bundle seqs ${m.ledger.firstSeq}–${m.ledger.lastSeq}, created ${m.createdAt}; new chain seq 1 hash ${first.hash.toString('hex')} at ${first.time}`;
  if (claim === null) {
    return refused(
      '第 1 条是 ledger.recovered,但其内容无法解读:无法核对所声称的日志恢复',
      'seq 1 is ledger.recovered, but its payload cannot be read: the claimed recovery cannot be checked',
      `${bundle}; payload ${first.body.slice(0, 300)}`,
    );
  }
  const L = claim.lastVerifiedSeq;
  const H = claim.lastVerifiedHash;
  const file = claim.file ?? '(旧文件已缺失 / the old file was missing)';
  const said = `reason ${claim.reason}: ${claim.detail}; old file ${claim.file ?? 'missing'}; lastVerifiedSeq ${L} lastVerifiedHash ${H}`;
  const payload = JSON.stringify(claim);

  if (host === undefined) {
    return {
      accepted: true,
      epoch: 1,
      claim: 'enrolment',
      payload,
      previousLastSeq: null,
      kept: 0,
      check: check(
        'log-recovered',
        `首次导入的日志是恢复后另起的新链:计算机上的违规日志曾未通过验证(${claim.reason}),旧数据库被移至 ${file};此前的日志从未导入本归档,无从核对`,
        `the first import is a log started over: the violation log on the computer failed verification (${claim.reason}) and the old database was moved to ${file}; the log before it was never imported here and cannot be checked`,
        `${said}; archive: nothing of this host before; ${bundle}`,
      ),
    };
  }

  const E = host.epoch;
  const M = host.lastSeq;
  const archived = L > 0 ? s.eventHash(host.id, E, L) : undefined;
  let claimCheck: ClaimCheck;
  if (L === 0) {
    if (H !== GENESIS_HASH.toString('hex')) {
      return refused(
        `声称的日志恢复与归档不符:恢复事件称第 0 条的哈希为 ${H},而第 0 条只能是创世哈希(全零)`,
        `the claimed recovery does not match: its ledger.recovered gives seq 0 the hash ${H}, but seq 0 can only be the genesis (all zeros)`,
        `${said}; ${bundle}`,
      );
    }
    claimCheck = 'genesis';
  } else if (archived !== undefined) {
    if (archived.toString('hex') !== H) {
      return refused(
        `声称的日志恢复与归档不符:恢复事件称旧日志验证至第 ${L} 条、哈希 ${H},而归档中第 ${E} 段第 ${L} 条的哈希是 ${archived.toString('hex')}(另一条链冒充恢复?)`,
        `the claimed recovery does not match the archive: its ledger.recovered says the old log verified up to seq ${L} with hash ${H}, but the archive holds hash ${archived.toString('hex')} at seq ${L} of epoch ${E} (another chain posing as a recovery?)`,
        `${said}; archive epoch ${E} seq ${L}: ${archived.toString('hex')}; ${bundle}`,
      );
    }
    claimCheck = 'match';
  } else {
    const older = s.epochs(host.id).find((e) => e < E && s.eventHash(host.id, e, L)?.toString('hex') === H);
    if (older !== undefined) {
      return refused(
        `声称的日志恢复延续的是第 ${older} 段日志(第 ${L} 条),而该段已被一次恢复结束、现为第 ${E} 段:旧日志的副本冒充恢复`,
        `the claimed recovery continues epoch ${older} of this host's log (seq ${L}), which an earlier recovery already ended (the current epoch is ${E}): an old copy of the log posing as a recovery`,
        `${said}; archive epoch ${older} seq ${L}: ${H}; current epoch ${E} up to seq ${M}; ${bundle}`,
      );
    }
    claimCheck = 'unverifiable';
  }

  const kept = s.eventsAfter(host.id, E, L);
  const keptRange = kept.count > 0 ? `(第 ${kept.first}–${kept.last} 条)` : '';
  const keptRangeEn = kept.count > 0 ? ` (seqs ${kept.first}–${kept.last})` : '';
  const [claimZh, claimEn] =
    claimCheck === 'match'
      ? [`旧日志最后通过验证的第 ${L} 条与归档一致`, `The last event of the old log that verified, seq ${L}, matches the archive`]
      : claimCheck === 'genesis'
        ? ['旧日志无一条通过验证', 'No event of the old log verified']
        : L > M
          ? [
              `旧日志声称验证至第 ${L} 条,超出归档(至第 ${M} 条),其哈希无从核对;第 ${M + 1}–${L} 条从未导入,只在被移走的旧文件中`,
              `The old log is said to verify up to seq ${L}, beyond the archive (up to seq ${M}), so its hash cannot be checked; seqs ${M + 1}–${L} were never imported and are only in the moved-aside file`,
            ]
          : [`归档中没有第 ${L} 条,所声称的哈希无从核对`, `The archive does not hold seq ${L}, so the claimed hash cannot be checked`];
  return {
    accepted: true,
    epoch: E + 1,
    claim: claimCheck,
    payload,
    previousLastSeq: M,
    kept: kept.count,
    check: check(
      'log-recovered',
      `计算机上的违规日志未通过验证(${claim.reason}),旧数据库被移至 ${file},代理另起新链:自此为该主机的第 ${E + 1} 段日志。${claimZh}。代理已不再拥有、仅本归档保存的旧日志事件 ${kept.count} 条${keptRange}`,
      `the violation log on the computer failed verification (${claim.reason}); the old database was moved to ${file} and the agent started a new log: epoch ${E + 1} of this host. ${claimEn}. Events of the old log the agent no longer has, kept only by this archive: ${kept.count}${keptRangeEn}`,
      `${said}; claim ${claimCheck}; archive epoch ${E} up to seq ${M}${archived ? ` (seq ${L}: ${archived.toString('hex')})` : ''}; kept only in the archive: ${kept.count} event(s)${keptRangeEn}; new epoch ${E + 1}; ${bundle}`,
    ),
  };
}

/** A bundle whose seq 1 is the first event of an older, superseded epoch of the host. */
export function olderEpochCheck(host: ArchivedHost, epoch: number, m: BundleManifest): Check {
  return check(
    'replay',
    `此检查包属于该主机第 ${epoch} 段日志,该段已因日志恢复而结束(现为第 ${host.epoch} 段):旧检查包,不再导入`,
    `this bundle belongs to epoch ${epoch} of this host's log, which a recovery ended (the current epoch is ${host.epoch}): an old bundle, not imported now`,
    `bundle seqs ${m.ledger.firstSeq}–${m.ledger.lastSeq}, created ${m.createdAt}; its seq 1 is that of epoch ${epoch}; current epoch ${host.epoch} up to seq ${host.lastSeq}`,
  );
}

function refused(zh: string, en: string, evidence: string): RecoveryVerdict {
  return { accepted: false, check: check('fork', zh, en, evidence) };
}
