import { isoFromMicros } from './log-read.js';
import { zonedToEpochMs, zonedYearMonth } from './zoned-time.js';

/**
 * One line of kern.log / syslog / messages, in either of rsyslog's time formats:
 *
 *   Nov 28 09:31:19 pc-017 kernel: [   12.345678] usb 1-1: …          (traditional: no year, no zone)
 *   2026-11-28T09:31:19.123456+08:00 pc-017 NetworkManager[612]: …    (RFC 3339, Debian 13's default)
 *
 * A traditional time is read in the host's zone; its year is the file's last-write year, or the
 * year before for a month later than the last-write month (a file written up to January 3
 * holds December's lines of the year before). The kernel's `[   12.345678] ` stamp is removed
 * from kernel messages. A line in neither format (a continuation, a line cut short) is kept
 * whole as the message, with time and identifier null: nothing is dropped.
 */
export interface SyslogLine {
  time: string | null;
  identifier: string | null;
  message: string;
}

const MONTHS: Record<string, number> = { Jan: 1, Feb: 2, Mar: 3, Apr: 4, May: 5, Jun: 6, Jul: 7, Aug: 8, Sep: 9, Oct: 10, Nov: 11, Dec: 12 };
const TRADITIONAL = /^([A-Z][a-z]{2}) ([ \d]\d) (\d\d):(\d\d):(\d\d) (\S+) ?(.*)$/s;
const RFC3339 = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d) (\S+) ?(.*)$/s;
const TAG = /^([^\s[:]+)(?:\[\d+\])?: ?(.*)$/s;
const KERNEL_STAMP = /^\[\s*\d+\.\d+\] ?/;

export class SyslogLineParser {
  private readonly lastWrite: { year: number; month: number };
  /** UTC offsets by local date and hour: lines come in runs of the same hour. */
  private readonly offsets = new Map<string, number>();

  /** zone: the host's IANA zone; lastWrite: the file's mtime (for the year of traditional times). */
  constructor(private readonly zone: string, lastWrite: Date) {
    this.lastWrite = zonedYearMonth(zone, lastWrite.getTime());
  }

  parse(line: string): SyslogLine {
    let time: string | null;
    let rest: string;
    const traditional = TRADITIONAL.exec(line);
    if (traditional !== null && MONTHS[traditional[1]!] !== undefined) {
      time = this.traditionalTime(traditional);
      rest = traditional[7]!;
    } else {
      const rfc = RFC3339.exec(line);
      if (rfc === null) return { time: null, identifier: null, message: line };
      time = rfc3339Time(rfc);
      rest = rfc[10]!;
    }
    const tag = TAG.exec(rest);
    if (tag === null) return { time, identifier: null, message: rest };
    const identifier = tag[1]!;
    const message = identifier === 'kernel' ? tag[2]!.replace(KERNEL_STAMP, '') : tag[2]!;
    return { time, identifier, message };
  }

  private traditionalTime(m: RegExpExecArray): string | null {
    const month = MONTHS[m[1]!]!;
    const day = Number(m[2]!.trim());
    const [hour, minute, second] = [Number(m[3]), Number(m[4]), Number(m[5])];
    if (day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return null;
    const year = month > this.lastWrite.month ? this.lastWrite.year - 1 : this.lastWrite.year;
    const wall = Date.UTC(year, month - 1, day, hour, minute, second);
    const key = `${year}-${month}-${day}-${hour}`;
    let offset = this.offsets.get(key);
    if (offset === undefined) {
      // the offset for the whole hour (a DST change happens on the hour in every zone we meet)
      offset = Date.UTC(year, month - 1, day, hour) - zonedToEpochMs(this.zone, year, month, day, hour, 0, 0);
      if (this.offsets.size > 10000) this.offsets.clear();
      this.offsets.set(key, offset);
    }
    return isoFromMicros((wall - offset) * 1000);
  }
}

function rfc3339Time(m: RegExpExecArray): string | null {
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i]));
  if (month! < 1 || month! > 12 || day! < 1 || day! > 31 || hour! > 23 || minute! > 59 || second! > 60) return null;
  const zone = m[8]!;
  const offsetMin = zone === 'Z' ? 0 : (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  const seconds = Date.UTC(year!, month! - 1, day!, hour!, minute!, second!) / 1000 - offsetMin * 60;
  const micros = Number((m[7] ?? '').padEnd(6, '0').slice(0, 6));
  return isoFromMicros(seconds * 1_000_000 + micros);
}
