import type { FindingOf } from '../findings/schema.js';
import { findGaps, type TimedEvent } from './heartbeat-gaps.js';
import type { Ledger } from './ledger.js';

/**
 * The agent's own gaps since the last export, as findings for SEC-AGENT-GAP: each stays a
 * violation until an inspector has exported the log that shows it, then it resolves.
 */
export function gapFindings(ledger: Ledger, heartbeatMinutes: number): FindingOf<'agent-gap'>[] {
  const lastExport = ledger.db.prepare(`SELECT max(seq) FROM events WHERE type = 'export.performed'`).pluck().get() as number | null;
  const events = ledger.db
    .prepare(`SELECT seq, type, time FROM events WHERE seq > ? AND (type LIKE 'agent.%' OR type = 'scan.completed') ORDER BY seq`)
    .all(lastExport ?? 0) as TimedEvent[];
  return findGaps(events, heartbeatMinutes)
    .filter((gap) => gap.kind !== 'clean-stop')
    .map((gap) => ({
      id: `gap:${gap.fromSeq}-${gap.toSeq}`,
      kind: 'agent-gap',
      gap: gap.kind as 'unclean-stop' | 'silence',
      from: gap.from,
      to: gap.to,
      minutes: gap.minutes,
      fromSeq: gap.fromSeq,
      toSeq: gap.toSeq,
    }));
}
