/**
 * Wall-clock times of a named zone (Asia/Shanghai) to UTC, with Node's own time zone data (Intl):
 * traditional syslog lines carry neither year nor zone.
 */
const formatters = new Map<string, Intl.DateTimeFormat>();

/** Whether Intl knows the zone (an IANA name such as Asia/Shanghai, or UTC). */
export function isKnownZone(zone: string): boolean {
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

/** Milliseconds since the epoch of a wall-clock time in `zone` (month 1–12). */
export function zonedToEpochMs(zone: string, year: number, month: number, day: number, hour: number, minute: number, second: number): number {
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  // The offset at the wall time read as UTC, then once more at the corrected instant (DST edges).
  let utc = wall - offsetMs(zone, wall);
  utc = wall - offsetMs(zone, utc);
  return utc;
}

/** The zone's offset from UTC at an instant, in milliseconds (+8 h for Asia/Shanghai). */
export function offsetMs(zone: string, epochMs: number): number {
  const parts = formatter(zone).formatToParts(new Date(epochMs));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour') % 24, get('minute'), get('second'));
  return asUtc - Math.floor(epochMs / 1000) * 1000;
}

/** Year and month (1–12) of an instant as seen in `zone`. */
export function zonedYearMonth(zone: string, epochMs: number): { year: number; month: number } {
  const local = new Date(epochMs + offsetMs(zone, epochMs));
  return { year: local.getUTCFullYear(), month: local.getUTCMonth() + 1 };
}

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
      hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}
