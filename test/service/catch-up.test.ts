import { describe, expect, test } from 'vitest';
import { dailyScanMissed, inspectionDue } from '../../agent/service/catch-up.js';
import { builtinPolicy } from '../helpers.js';

const table = builtinPolicy().policy.holidays;

describe('catch-up', () => {
  test('the daily full scan is missed after 24 hours without one', () => {
    const now = new Date('2026-12-01T09:00:00+08:00');
    expect(dailyScanMissed(new Date('2026-11-30T12:00:00+08:00'), now)).toBe(false);
    expect(dailyScanMissed(new Date('2026-11-29T12:00:00+08:00'), now)).toBe(true);
    expect(dailyScanMissed(null, now)).toBe(true);
  });

  test("today's inspection is due once its time has come, not before, and only once", () => {
    // 2026-09-30 is the last working day before National Day.
    const mayDayDone = new Set(['2026-04-30']);
    expect(inspectionDue('2026-09-30', '09:59', '10:00', table, mayDayDone, '2026-01-01')).toBeNull();
    expect(inspectionDue('2026-09-30', '10:00', '10:00', table, mayDayDone, '2026-01-01')).toMatchObject({
      inspection: { holiday: 'national-day', inspectionDate: '2026-09-30' },
      catchUp: false,
    });
    expect(inspectionDue('2026-09-30', '15:00', '10:00', table, new Set(['2026-09-30', '2026-04-30']), '2026-01-01')).toBeNull();
  });

  test('an inspection missed while the computer was off runs at the next start, as a catch-up', () => {
    expect(inspectionDue('2026-10-08', '08:30', '10:00', table, new Set(['2026-04-30']), '2026-01-01')).toMatchObject({
      inspection: { holiday: 'national-day', inspectionDate: '2026-09-30' },
      catchUp: true,
    });
  });

  test('nothing due before the agent began watching is "missed"', () => {
    expect(inspectionDue('2026-11-28', '11:00', '10:00', table, new Set(), '2026-11-28')).toBeNull();
  });
});
