import type { HolidayTable, PreHolidayInspection } from '../schedule/pre-holiday.js';
import { nextPreHolidayInspection, previousPreHolidayInspection } from '../schedule/pre-holiday.js';
import type { CalendarDate } from '../schedule/calendar-date.js';

/** The daily full scan is missed when none ran in the last 24 hours (the computer was off). */
export function dailyScanMissed(lastFullScan: Date | null, now: Date): boolean {
  return lastFullScan === null || now.getTime() - lastFullScan.getTime() > 24 * 3600 * 1000;
}

export interface InspectionDue {
  inspection: PreHolidayInspection;
  catchUp: boolean;
}

/**
 * The pre-holiday inspection to run now, if any: today's once its time has come, or the latest
 * one that was due before today, after the agent began watching (`since`), and never ran — the
 * computer was off that day — as a catch-up.
 */
export function inspectionDue(
  today: CalendarDate,
  timeOfDay: string,
  scheduledAt: string,
  table: HolidayTable,
  done: ReadonlySet<CalendarDate>,
  since: CalendarDate,
): InspectionDue | null {
  const next = nextPreHolidayInspection(today, table);
  if (next.inspectionDate === today && timeOfDay >= scheduledAt && !done.has(today)) return { inspection: next, catchUp: false };
  const previous = previousPreHolidayInspection(today, table);
  if (previous.inspectionDate >= since && !done.has(previous.inspectionDate)) return { inspection: previous, catchUp: true };
  return null;
}
