/**
 * When the agent was not watching (SEC-AGENT-GAP, T3 第十四条(四)), read from the log alone:
 *
 *   unclean-stop  the agent started again without having recorded agent.stopped: it was killed,
 *                 crashed or the power was cut — from its last event to the new start (events
 *                 before the first start, such as one-off scans, are not a running agent);
 *   silence       the agent was running but wrote nothing for more than twice the heartbeat
 *                 period (frozen, suspended, its clock stopped);
 *   clean-stop    an orderly stop (shutdown) and the next start: downtime, reported, not a fault.
 */

export type GapKind = 'unclean-stop' | 'silence' | 'clean-stop';

export interface Gap {
  kind: GapKind;
  fromSeq: number;
  toSeq: number;
  from: string;
  to: string;
  minutes: number;
}

export interface TimedEvent {
  seq: number;
  type: string;
  time: string;
}

export function findGaps(events: Iterable<TimedEvent>, heartbeatMinutes: number): Gap[] {
  const gaps: Gap[] = [];
  const silenceMs = 2 * heartbeatMinutes * 60_000;
  let previous: TimedEvent | undefined;
  /** The service is running (a one-off `baomi-agent scan` is not the service). */
  let running = false;
  let stoppedCleanly = false;
  for (const event of events) {
    if (previous !== undefined) {
      const ms = Date.parse(event.time) - Date.parse(previous.time);
      const gap = (kind: GapKind): Gap => ({
        kind,
        fromSeq: previous!.seq,
        toSeq: event.seq,
        from: previous!.time,
        to: event.time,
        minutes: Math.round(ms / 60_000),
      });
      if (event.type === 'agent.started') {
        if (running) gaps.push(gap('unclean-stop'));
        else if (stoppedCleanly) gaps.push(gap('clean-stop'));
      } else if (running && ms > silenceMs) {
        gaps.push(gap('silence'));
      }
    }
    if (event.type === 'agent.started') running = true;
    else if (event.type === 'agent.stopped') {
      running = false;
      stoppedCleanly = true;
    }
    previous = event;
  }
  return gaps;
}
