import type { FindingKind } from '../findings/schema.js';
import type { ScanReport } from '../scan/scan-report.js';
import { CHECKS } from '../../policies/checks/index.js';
import type { RuleId } from '../../policies/schema.js';
import type { Violation } from '../../policies/violation.js';
import type { PayloadOf, ScanScope, ScanTrigger, StoredEvent } from './events.js';
import type { Ledger } from './ledger.js';
import { readIncidents, type Incident } from './read.js';
import type { Db } from './store.js';

/**
 * Change-only recording: a violation that persists from scan to scan is one open incident
 * (first seen, last seen), not one event per scan. Key: (rule, findingId).
 *
 *   new        → violation.opened, incident inserted
 *   persisting → the incident's lastSeen is updated, no event
 *   gone       → violation.resolved, incident removed — but only if the scan covered the
 *                incident's kind of finding (a hot-plug rescan of USB must not resolve a printer)
 *
 * then scan.completed; all in one transaction.
 */

export interface RecordScanOptions {
  scope: ScanScope;
  trigger?: ScanTrigger;
  inspection?: PayloadOf<'scan.completed'>['inspection'];
  /** The finding kinds the scan looked at; undefined: all. */
  kinds?: readonly FindingKind[];
}

export interface RecordedScan {
  opened: StoredEvent[];
  resolved: StoredEvent[];
  persisting: number;
  completed: StoredEvent;
}

export function recordScan(ledger: Ledger, report: ScanReport, options: RecordScanOptions): RecordedScan {
  const kindOf = new Map<string, FindingKind>(report.findings.map((finding) => [finding.id, finding.kind]));
  const current = new Map<string, { violation: Violation; kind: FindingKind | null }>();
  for (const violation of report.violations) {
    const key = keyOf(violation.rule, violation.findingId);
    if (!current.has(key)) current.set(key, { violation, kind: kindOf.get(violation.findingId) ?? kindOfRule(violation.rule) });
  }
  const covered = options.kinds === undefined ? undefined : new Set<string>(options.kinds);
  const seen = report.startedAt;

  return ledger.write((writer) => {
    const db = writer.db;
    const open = new Map(readIncidents(db).map((incident) => [keyOf(incident.rule, incident.findingId), incident]));
    const resolved: StoredEvent[] = [];
    for (const [key, incident] of open) {
      if (current.has(key)) continue;
      if (covered !== undefined && (incident.findingKind === null || !covered.has(incident.findingKind))) continue;
      const payload: PayloadOf<'violation.resolved'> = { rule: incident.rule as RuleId, findingId: incident.findingId, openedSeq: incident.openedSeq };
      resolved.push(writer.append({ type: 'violation.resolved', payload }));
      db.prepare(`DELETE FROM incidents WHERE rule = ? AND finding_id = ?`).run(incident.rule, incident.findingId);
    }
    const opened: StoredEvent[] = [];
    let persisting = 0;
    for (const [key, { violation, kind }] of current) {
      if (open.has(key)) {
        db.prepare(`UPDATE incidents SET last_seen = ? WHERE rule = ? AND finding_id = ?`).run(seen, violation.rule, violation.findingId);
        persisting++;
        continue;
      }
      const event = writer.append({ type: 'violation.opened', payload: { ...violation, findingKind: kind } });
      insertIncident(db, { rule: violation.rule, findingId: violation.findingId, findingKind: kind, openedSeq: event.seq, firstSeen: seen, lastSeen: seen });
      opened.push(event);
    }
    const violationsOpen = db.prepare(`SELECT count(*) FROM incidents`).pluck().get() as number;
    const completed = writer.append({
      type: 'scan.completed',
      payload: {
        scope: options.scope,
        trigger: options.trigger,
        inspection: options.inspection,
        kinds: options.kinds === undefined ? undefined : [...options.kinds],
        startedAt: report.startedAt,
        probes: report.probes,
        durationMs: report.durationMs,
        findings: report.findings.length,
        violationsOpen,
        policy: report.policy,
      },
    });
    return { opened, resolved, persisting, completed };
  });
}

/**
 * The incidents table is derived state and not hash-chained, so it is checked against the chain
 * on every open: an incident inserted by hand (to make a new violation look like a persisting
 * one, and so never logged) is removed; one deleted by hand is restored.
 */
export function reconcileIncidents(db: Db): { removed: number; restored: number } {
  const derived = deriveIncidents(db);
  const stored = new Map(readIncidents(db).map((incident) => [keyOf(incident.rule, incident.findingId), incident]));
  let removed = 0;
  let restored = 0;
  db.transaction(() => {
    for (const [key, incident] of stored) {
      const truth = derived.get(key);
      if (truth && truth.openedSeq === incident.openedSeq && truth.findingKind === incident.findingKind) continue;
      db.prepare(`DELETE FROM incidents WHERE rule = ? AND finding_id = ?`).run(incident.rule, incident.findingId);
      stored.delete(key);
      removed++;
    }
    for (const [key, incident] of derived) {
      if (stored.has(key)) continue;
      insertIncident(db, incident);
      restored++;
    }
  }).immediate();
  return { removed, restored };
}

/** The open incidents as the events tell them (first and last seen: the time of violation.opened). */
export function deriveIncidents(db: Db): Map<string, Incident> {
  const open = new Map<string, Incident>();
  const rows = db.prepare(`SELECT body FROM events WHERE type IN ('violation.opened', 'violation.resolved') ORDER BY seq`).pluck().iterate() as IterableIterator<string>;
  for (const body of rows) {
    const event = JSON.parse(body) as { seq: number; type: string; time: string; payload: { rule: string; findingId: string; findingKind?: string | null } };
    const key = keyOf(event.payload.rule, event.payload.findingId);
    if (event.type === 'violation.resolved') {
      open.delete(key);
      continue;
    }
    if (event.type !== 'violation.opened') continue; // (a damaged index)
    const { rule, findingId, findingKind } = event.payload;
    open.set(key, { rule, findingId, findingKind: findingKind ?? null, openedSeq: event.seq, firstSeen: event.time, lastSeen: event.time });
  }
  return open;
}

function insertIncident(db: Db, incident: Incident): void {
  db.prepare(
    `INSERT INTO incidents (rule, finding_id, finding_kind, opened_seq, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?)`,
  ).run(incident.rule, incident.findingId, incident.findingKind, incident.openedSeq, incident.firstSeen, incident.lastSeen);
}

function keyOf(rule: string, findingId: string): string {
  return `${rule}\u0000${findingId}`;
}

/** For a violation about something absent (an enrolled disk that is gone): the one kind its rule looks at, if one. */
function kindOfRule(rule: RuleId): FindingKind | null {
  const kinds = Object.keys(CHECKS[rule] ?? {}).filter((key) => key !== 'inventory');
  return kinds.length === 1 ? (kinds[0] as FindingKind) : null;
}
