import cron from 'node-cron';
import type { Schedule } from '../../policies/schema.js';
import { dateIn } from '../schedule/calendar-date.js';
import { nextPreHolidayInspection, type HolidayTable, type PreHolidayInspection } from '../schedule/pre-holiday.js';
import { everyMinutes } from './cron-every.js';

export interface NextRuns {
  quickScan: string | null;
  fullScan: string | null;
  heartbeat: string | null;
  preHoliday: PreHolidayInspection & { at: string };
}

/** When the service will next scan and beat, from the policy's schedule (nothing is started). */
export async function nextRuns(schedule: Schedule, timezone: string, holidays: HolidayTable, now = new Date()): Promise<NextRuns> {
  const next = async (expression: string) => {
    const task = cron.createTask(expression, () => undefined, { timezone });
    await task.start(); // node-cron computes the next match only for a started task
    const when = task.getNextRun();
    await task.destroy();
    return when ? when.toISOString() : null;
  };
  return {
    quickScan: await next(everyMinutes(schedule.quickScanMinutes)),
    fullScan: await next(schedule.fullScanCron),
    heartbeat: await next(everyMinutes(schedule.heartbeatMinutes)),
    preHoliday: { ...nextPreHolidayInspection(dateIn(now, timezone), holidays), at: schedule.preHolidayAt },
  };
}
