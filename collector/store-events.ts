import { ViolationOpened, ViolationResolved } from '../agent/ledger/events.js';
import { findGaps, type TimedEvent } from '../agent/ledger/heartbeat-gaps.js';
import type { ArchiveStore } from './archive-store.js';
import { check, type Check } from './problems.js';
import type { BundleEvent } from './verify-events.js';

const OpenedPayload = ViolationOpened.shape.payload;
const ResolvedPayload = ViolationResolved.shape.payload;

/**
 * Archive one verified event, and keep the violations table in step with it. A violation event
 * whose payload this collector cannot read is archived all the same (it is signed evidence) and
 * named, so the report does not silently miss it.
 */
export function storeEvent(s: ArchiveStore, hostId: string, epoch: number, e: BundleEvent, bundleId: number): Check | undefined {
  s.insertEvent(hostId, epoch, e, bundleId);
  if (e.type === 'violation.opened') {
    const p = OpenedPayload.safeParse(e.payload);
    if (!p.success) return invalid(e, p.error.issues[0]!.path.join('.'));
    s.insertViolation(hostId, epoch, e.seq, e.time, p.data);
  } else if (e.type === 'violation.resolved') {
    const p = ResolvedPayload.safeParse(e.payload);
    if (!p.success) return invalid(e, p.error.issues[0]!.path.join('.'));
    s.resolveViolation(hostId, epoch, p.data.openedSeq, e.seq, e.time);
  }
  return undefined;
}

function invalid(e: BundleEvent, where: string): Check {
  return check('event-invalid', `第 ${e.seq} 条(${e.type})的内容不符合格式:${where}`, `seq ${e.seq} (${e.type}) has an unexpected payload: ${where}`, `seq ${e.seq}`);
}

/** The events that tell when the agent ran (as agent/export/export-bundle.ts picks them). */
export function isTimed(type: string): boolean {
  return type.startsWith('agent.') || type === 'scan.completed';
}

/**
 * The gaps in the agent's watch that end after `archivedSeq` (what the archive held of this epoch
 * before this bundle), across the boundary between bundles too (never between epochs: a new chain
 * starts its own watch): unclean stops and silences are problems,
 * clean stops are downtime (kept for the report, not a fault). `added` are the new timed events
 * after archivedSeq, in order (collected while they were stored, not read back).
 */
export function watchGaps(s: ArchiveStore, hostId: string, epoch: number, archivedSeq: number, added: TimedEvent[], heartbeatMinutes: number): Check[] {
  const timed = s.timedEventsUpTo(hostId, epoch, archivedSeq).concat(added);
  const gaps = findGaps(timed, heartbeatMinutes).filter((g) => g.toSeq > archivedSeq);
  const checks: Check[] = [];
  for (const g of gaps) {
    s.insertGap(hostId, epoch, g);
    const evidence = `seqs ${g.fromSeq}–${g.toSeq}, ${g.from} → ${g.to}, ${g.minutes} min`;
    if (g.kind === 'unclean-stop') {
      checks.push(check('unclean-stop', `代理未正常关闭即重新启动:${g.from} 至 ${g.to},${g.minutes} 分钟无人值守`, `the agent started again without a clean stop: ${g.from} to ${g.to}, ${g.minutes} minutes unwatched`, evidence));
    } else if (g.kind === 'silence') {
      checks.push(check('silence', `代理运行中 ${g.minutes} 分钟无记录(心跳周期 ${heartbeatMinutes} 分钟)`, `no record for ${g.minutes} minutes while running (heartbeat every ${heartbeatMinutes} minutes)`, evidence));
    }
  }
  return checks;
}
