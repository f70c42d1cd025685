import type { LogRecord } from './log-record.js';

/** What a reader of one log file is given: where the records go, and which ones are wanted. */
export interface LogReadOptions {
  /** The file as on the host (/var/log/syslog.2.gz): written into every record. */
  file: string;
  onRecord(record: LogRecord): void;
  /**
   * A cheap pre-filter: a record for which it returns false is counted but never built nor
   * passed to onRecord. Called with the identifier and the decoded message.
   */
  wanted?(identifier: string | null, message: string): boolean;
}

export type LogProblem = 'truncated' | 'corrupt' | 'unreadable' | 'unsupported';

/** What a reader tells of one file once it is done: the fields of its log-source finding. */
export interface LogReadSummary {
  /** Every record read, wanted or not. */
  records: number;
  /** Earliest and latest record time (ISO 8601 UTC), null when no record had one. */
  from: string | null;
  to: string | null;
  problem: LogProblem | null;
  detail: string | null;
}

/** Tracks the earliest and latest time of the records of one file (ISO strings compare as times). */
export class TimeSpan {
  from: string | null = null;
  to: string | null = null;

  add(time: string | null): void {
    if (time === null) return;
    if (this.from === null || time < this.from) this.from = time;
    if (this.to === null || time > this.to) this.to = time;
  }
}

let lastSecond = -1;
let lastPrefix = '';

/** Microseconds since the epoch as ISO 8601 UTC keeping the microseconds; null when out of range. */
export function isoFromMicros(micros: number): string | null {
  if (!Number.isSafeInteger(micros) || micros <= 0 || micros >= 253402300800000000) return null;
  const second = Math.floor(micros / 1_000_000);
  if (second !== lastSecond) {
    // records come in runs of the same second: format the date once per second
    lastPrefix = new Date(second * 1000).toISOString().slice(0, 19);
    lastSecond = second;
  }
  return `${lastPrefix}.${String(micros % 1_000_000).padStart(6, '0')}Z`;
}
