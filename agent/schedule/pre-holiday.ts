import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PACKAGE_ROOT } from '../package-root.js';
import type { HolidayYear } from '../../policies/schema.js';
import { addDays, weekday, type CalendarDate } from './calendar-date.js';

/**
 * "每年应在五一节、国庆节和春节前夕,进行一次保密检查" (T1 九.3): an inspection on the last
 * working day before the May Day, National Day and Spring Festival breaks. The policy's holiday
 * table (the State Council's yearly schedule) gives the breaks and the weekend days that are
 * working days; for a year it does not cover, the break starts on the holiday itself — on New
 * Year's Eve (除夕) for Spring Festival, computed from the lunar calendar — and weekends are off.
 */

export type HolidayTable = Readonly<Record<string, HolidayYear>>;

export const INSPECTED_HOLIDAYS = [
  { id: 'spring-festival', name: { zh: '春节', en: 'Spring Festival' } },
  { id: 'may-day', name: { zh: '劳动节', en: 'May Day' } },
  { id: 'national-day', name: { zh: '国庆节', en: 'National Day' } },
] as const;
export type InspectedHoliday = (typeof INSPECTED_HOLIDAYS)[number]['id'];

export interface PreHolidayInspection {
  holiday: InspectedHoliday;
  name: { zh: string; en: string };
  /** The holiday itself (05-01, 10-01, 农历正月初一). */
  holidayDate: CalendarDate;
  /** First day off of the break around it. */
  breakStart: CalendarDate;
  /** The last working day before the break: the day to inspect. */
  inspectionDate: CalendarDate;
  /** Whether the year was in the policy's holiday table (else computed). */
  fromTable: boolean;
}

/**
 * 农历正月初一 of a Gregorian year: from the table generated with lunar-javascript
 * (scripts/gen-spring-festival.ts), or from lunar-javascript itself outside 2000–2100.
 */
export function springFestival(year: number): CalendarDate {
  springFestivalTable ??= JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'agent', 'schedule', 'spring-festival.json'), 'utf8')) as Record<string, string>;
  const known = springFestivalTable[year];
  if (known !== undefined) return known;
  const { Lunar } = createRequire(import.meta.url)('lunar-javascript') as typeof import('lunar-javascript');
  return Lunar.fromYmd(year, 1, 1).getSolar().toYmd();
}

let springFestivalTable: Record<string, string> | undefined;

export function holidayDate(holiday: InspectedHoliday, year: number): CalendarDate {
  if (holiday === 'may-day') return `${year}-05-01`;
  if (holiday === 'national-day') return `${year}-10-01`;
  return springFestival(year);
}

/** A working day: a make-up workday of the table, or a weekday not inside a break. */
export function isWorkday(date: CalendarDate, table: HolidayTable): boolean {
  const year = table[date.slice(0, 4)];
  if (year?.workdays.includes(date)) return true;
  if (year?.breaks.some((b) => b.from <= date && date <= b.to)) return false;
  const day = weekday(date);
  return day !== 0 && day !== 6;
}

export function preHolidayInspection(holiday: InspectedHoliday, year: number, table: HolidayTable): PreHolidayInspection {
  const date = holidayDate(holiday, year);
  const tableBreak = table[String(year)]?.breaks.find((b) => b.from <= date && date <= b.to);
  const breakStart = tableBreak?.from ?? (holiday === 'spring-festival' ? addDays(date, -1) : date);
  let inspectionDate = addDays(breakStart, -1);
  while (!isWorkday(inspectionDate, table)) inspectionDate = addDays(inspectionDate, -1);
  const { name } = INSPECTED_HOLIDAYS.find((h) => h.id === holiday)!;
  return { holiday, name, holidayDate: date, breakStart, inspectionDate, fromTable: tableBreak !== undefined };
}

/** The year's three inspections, in date order. */
export function preHolidayInspections(year: number, table: HolidayTable): PreHolidayInspection[] {
  return INSPECTED_HOLIDAYS.map((h) => preHolidayInspection(h.id, year, table)).sort((a, b) =>
    a.inspectionDate < b.inspectionDate ? -1 : 1,
  );
}

/** The first inspection on or after `today`. */
export function nextPreHolidayInspection(today: CalendarDate, table: HolidayTable): PreHolidayInspection {
  const year = Number(today.slice(0, 4));
  return [...preHolidayInspections(year, table), ...preHolidayInspections(year + 1, table)].find(
    (inspection) => inspection.inspectionDate >= today,
  )!;
}

/** The latest inspection strictly before `today` (to tell whether one was missed). */
export function previousPreHolidayInspection(today: CalendarDate, table: HolidayTable): PreHolidayInspection {
  const year = Number(today.slice(0, 4));
  return [...preHolidayInspections(year - 1, table), ...preHolidayInspections(year, table)]
    .filter((inspection) => inspection.inspectionDate < today)
    .at(-1)!;
}
