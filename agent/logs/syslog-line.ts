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
/** "Nov 28 09:31:19" (day space-padded), the whole stamp. */
const TRADITIONAL = /^([A-Z][a-z]{2}) ([ \d]\d) (\d\d):(\d\d):(\d\d)$/;
const RFC3339 = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/;
const TAG = /^([^\s[:]+)(?:\[\d+\])?: ?/;
const KERNEL_STAMP = /^\[\s*\d+\.\d+\] ?/;

export class SyslogLineParser {
  private readonly lastWrite: { year: number; month: number };
  /** The last stamp read and its time: lines come in runs of the same second. */
  private lastStamp = '';
  private lastTime: string | null = null;
  /** UTC offsets by local hour. */
  private readonly hourOffsets = new Map<number, number>();

  /** zone: the host's IANA zone; lastWrite: the file's mtime (for the year of traditional times). */
  constructor(private readonly zone: string, lastWrite: Date) {
    this.lastWrite = zonedYearMonth(zone, lastWrite.getTime());
  }

  parse(line: string): SyslogLine {
    // The stamp ends at the first space, or (traditional) 15 characters in; then the host, then the tag.
    const traditional = line.length > 16 && line.charCodeAt(3) === 32 && line.charCodeAt(15) === 32;
    const stampEnd = traditional ? 15 : line.indexOf(' ');
    if (stampEnd <= 0) return { time: null, identifier: null, message: line };
    const stamp = line.slice(0, stampEnd);
    let time: string | null;
    if (stamp === this.lastStamp) time = this.lastTime;
    else {
      const parsed = traditional ? this.traditionalTime(stamp) : rfc3339Time(stamp);
      if (parsed === undefined) return { time: null, identifier: null, message: line };
      time = parsed;
      this.lastStamp = stamp;
      this.lastTime = time;
    }
    const hostEnd = line.indexOf(' ', stampEnd + 1);
    if (hostEnd < 0) return { time, identifier: null, message: line.slice(stampEnd + 1) };
    const rest = line.slice(hostEnd + 1);
    const tag = TAG.exec(rest);
    if (tag === null) return { time, identifier: null, message: rest };
    const identifier = tag[1]!;
    const message = rest.slice(tag[0].length);
    return { time, identifier, message: identifier === 'kernel' ? message.replace(KERNEL_STAMP, '') : message };
  }

  /** undefined when the stamp is not a traditional one; null when it is but names no real time. */
  private traditionalTime(stamp: string): string | null | undefined {
    const m = TRADITIONAL.exec(stamp);
    const month = m === null ? undefined : MONTHS[m[1]!];
    if (m === null || month === undefined) return undefined;
    const day = Number(m[2]!.trim());
    const [hour, minute, second] = [Number(m[3]), Number(m[4]), Number(m[5])];
    if (day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return null;
    const year = month > this.lastWrite.month ? this.lastWrite.year - 1 : this.lastWrite.year;
    const key = ((year * 100 + month) * 100 + day) * 100 + hour;
    let offset = this.hourOffsets.get(key);
    if (offset === undefined) {
      // one offset per local hour (zones change their offset on the hour)
      offset = Date.UTC(year, month - 1, day, hour) - zonedToEpochMs(this.zone, year, month, day, hour, 0, 0);
      if (this.hourOffsets.size > 100_000) this.hourOffsets.clear();
      this.hourOffsets.set(key, offset);
    }
    return isoFromMicros((Date.UTC(year, month - 1, day, hour, minute, second) - offset) * 1000);
  }
}

/** undefined when the stamp is not RFC 3339; null when it is but names no real time. */
function rfc3339Time(stamp: string): string | null | undefined {
  const m = RFC3339.exec(stamp);
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i]));
  if (month! < 1 || month! > 12 || day! < 1 || day! > 31 || hour! > 23 || minute! > 59 || second! > 60) return null;
  const zone = m[8]!;
  const offsetMin = zone === 'Z' ? 0 : (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  const seconds = Date.UTC(year!, month! - 1, day!, hour!, minute!, second!) / 1000 - offsetMin * 60;
  const micros = Number((m[7] ?? '').padEnd(6, '0').slice(0, 6));
  return isoFromMicros(seconds * 1_000_000 + micros);
}
