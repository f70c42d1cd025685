import { describe, expect, test } from 'vitest';
import { dateIn } from '../../agent/schedule/calendar-date.js';
import {
  isWorkday,
  nextPreHolidayInspection,
  preHolidayInspections,
  previousPreHolidayInspection,
  springFestival,
  type HolidayTable,
} from '../../agent/schedule/pre-holiday.js';
import { builtinPolicy } from '../helpers.js';

const table: HolidayTable = builtinPolicy().policy.holidays;

describe('Spring Festival from the lunar calendar', () => {
  test.each([
    [2026, '2026-02-17'],
    [2027, '2027-02-06'],
    [2028, '2028-01-26'],
    [2029, '2029-02-13'],
    [2030, '2030-02-03'],
    [2031, '2031-01-23'],
    [2032, '2032-02-11'],
    [2033, '2033-01-31'],
    [2034, '2034-02-19'],
    [2035, '2035-02-08'],
  ])('%i: %s', (year, date) => {
    expect(springFestival(year)).toBe(date);
  });
});

describe('pre-holiday inspection dates (T1 九.3), 2026–2035', () => {
  test('2026 follows the State Council table, make-up workdays included', () => {
    // Spring Festival break 02-15 (Sun) … 02-23; Saturday 02-14 is a make-up workday.
    expect(preHolidayInspections(2026, table).map((i) => [i.holiday, i.breakStart, i.inspectionDate, i.fromTable])).toEqual([
      ['spring-festival', '2026-02-15', '2026-02-14', true],
      ['may-day', '2026-05-01', '2026-04-30', true],
      ['national-day', '2026-10-01', '2026-09-30', true],
    ]);
  });

  // Years without a table: the break starts on 除夕 for Spring Festival, weekends are off.
  test.each([
    [2027, '2027-02-04', '2027-04-30', '2027-09-30'],
    [2028, '2028-01-24', '2028-04-28', '2028-09-29'],
    [2029, '2029-02-09', '2029-04-30', '2029-09-28'],
    [2030, '2030-02-01', '2030-04-30', '2030-09-30'],
    [2031, '2031-01-21', '2031-04-30', '2031-09-30'],
    [2032, '2032-02-09', '2032-04-30', '2032-09-30'],
    [2033, '2033-01-28', '2033-04-29', '2033-09-30'],
    [2034, '2034-02-17', '2034-04-28', '2034-09-29'],
    [2035, '2035-02-06', '2035-04-30', '2035-09-28'],
  ])('%i: Spring Festival %s, May Day %s, National Day %s', (year, spring, may, october) => {
    const inspections = preHolidayInspections(year, table);
    expect(inspections.map((i) => i.inspectionDate)).toEqual([spring, may, october]);
    expect(inspections.every((i) => !i.fromTable)).toBe(true);
  });

  test('a table year with a Saturday make-up workday right before the break', () => {
    // The break starts on Sunday 04-28; Saturday 04-27 is a make-up workday.
    const custom: HolidayTable = {
      2030: { source: 'test', breaks: [{ name: '劳动节', from: '2030-04-28', to: '2030-05-05' }], workdays: ['2030-04-27'] },
    };
    expect(preHolidayInspections(2030, custom).find((i) => i.holiday === 'may-day')!.inspectionDate).toBe('2030-04-27');
  });

  test('workdays: a make-up Saturday is one, a weekday inside a break is not', () => {
    expect(isWorkday('2026-02-14', table)).toBe(true); // Saturday, 调休上班
    expect(isWorkday('2026-02-16', table)).toBe(false); // Monday, 春节
    expect(isWorkday('2026-02-21', table)).toBe(false); // Saturday inside the break
    expect(isWorkday('2027-03-01', table)).toBe(true); // an ordinary Monday
  });

  test('next and previous inspection from a given day', () => {
    expect(nextPreHolidayInspection('2026-11-28', table)).toMatchObject({ holiday: 'spring-festival', inspectionDate: '2027-02-04' });
    expect(nextPreHolidayInspection('2026-09-30', table)).toMatchObject({ holiday: 'national-day', inspectionDate: '2026-09-30' });
    expect(previousPreHolidayInspection('2026-11-28', table)).toMatchObject({ holiday: 'national-day', inspectionDate: '2026-09-30' });
    expect(previousPreHolidayInspection('2026-02-14', table)).toMatchObject({ holiday: 'national-day', inspectionDate: '2025-09-30' });
  });

  test('the calendar date is taken in the policy time zone', () => {
    expect(dateIn(new Date('2026-09-29T17:30:00Z'), 'Asia/Shanghai')).toBe('2026-09-30');
    expect(dateIn(new Date('2026-09-29T17:30:00Z'), 'UTC')).toBe('2026-09-29');
  });
});
