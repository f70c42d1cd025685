import type { FindingOf, UsbIdentity } from '../findings/schema.js';
import type { Db } from './store.js';

/**
 * What the agent's own log says it watched, to judge a trace of the past (TRACE-MEDIA): was the
 * agent running when the system logged that USB stick, and did it record the stick live?
 */

export type AgentSaw = FindingOf<'usb-trace'>['agentSaw'];

export interface WatchHistory {
  /** The time of the log's first event; null for an empty log. */
  logStart: string | null;
  /** When the service was running and writing: agent.started … agent.stopped, cut where it fell silent. */
  watching: { from: number; to: number }[];
  /** USB devices the agent recorded live (a violation opened on them), and while it stayed open. */
  liveDevices: { findingId: string; from: number; to: number }[];
}

/** A device attached shortly before the agent's scan opened its violation (start-up scan, hot-plug delay). */
const RECORDED_BEFORE_MS = 5 * 60_000;
const LIVE_KINDS = new Set(['removable-storage', 'usb-device']);

export function readWatchHistory(db: Db, heartbeatMinutes: number): WatchHistory {
  const silenceMs = 2 * heartbeatMinutes * 60_000;
  const rows = db
    .prepare(`SELECT seq, type, time, CASE WHEN type LIKE 'violation.%' THEN body END AS body FROM events ORDER BY seq`)
    .iterate() as IterableIterator<{ seq: number; type: string; time: string; body: string | null }>;
  let logStart: string | null = null;
  const watching: WatchHistory['watching'] = [];
  const opened = new Map<number, { findingId: string; from: number }>();
  const liveDevices: WatchHistory['liveDevices'] = [];
  let current: { from: number; to: number } | null = null;
  for (const row of rows) {
    logStart ??= row.time;
    const time = Date.parse(row.time);
    if (row.type === 'agent.started') {
      if (current) watching.push(current);
      current = { from: time, to: time };
    } else if (current) {
      if (time - current.to > silenceMs) {
        watching.push(current);
        current = { from: time, to: time };
      } else current.to = time;
      if (row.type === 'agent.stopped') {
        watching.push(current);
        current = null;
      }
    }
    if (row.body === null) continue;
    const payload = (JSON.parse(row.body) as { payload: { findingId: string; findingKind?: string | null; openedSeq?: number } }).payload;
    if (row.type === 'violation.opened' && LIVE_KINDS.has(payload.findingKind ?? '')) opened.set(row.seq, { findingId: payload.findingId, from: time });
    if (row.type === 'violation.resolved' && payload.openedSeq !== undefined) {
      const live = opened.get(payload.openedSeq);
      if (live) liveDevices.push({ ...live, to: time });
      opened.delete(payload.openedSeq);
    }
  }
  // Still running at the end of the log: watching until a heartbeat would have been due.
  if (current) watching.push({ from: current.from, to: current.to + silenceMs });
  for (const live of opened.values()) liveDevices.push({ ...live, to: Number.POSITIVE_INFINITY });
  return { logStart, watching, liveDevices };
}

/** How the agent saw a USB device the system logged at `time`. */
export function agentSawAt(history: WatchHistory, usb: UsbIdentity, time: string): AgentSaw {
  const at = Date.parse(time);
  const key = `${usb.vendorId}:${usb.productId}${usb.serial ? `:${usb.serial}` : `@${usb.port}`}`;
  const sameDevice = (findingId: string) => findingId.endsWith(`:usb:${key}`) || findingId.includes(`:usb:${key}:lun`) || findingId === `usb:${key}`;
  if (history.liveDevices.some((d) => sameDevice(d.findingId) && d.from - RECORDED_BEFORE_MS <= at && at <= d.to)) return 'recorded';
  if (history.logStart === null || at < Date.parse(history.logStart)) return 'before-agent';
  return history.watching.some((w) => w.from <= at && at <= w.to) ? 'not-recorded' : 'agent-stopped';
}

/** The trace findings with what the agent's log says of each. */
export function judgeUsbTraces(traces: readonly FindingOf<'usb-trace'>[], history: WatchHistory): FindingOf<'usb-trace'>[] {
  return traces.map((trace) => ({ ...trace, agentSaw: agentSawAt(history, trace.usb, trace.time) }));
}
