import { localDateTime } from '../schedule/calendar-date.js';
import { isWorkday, type HolidayTable } from '../schedule/pre-holiday.js';

/**
 * Whether an instant falls outside the owner's working hours (T1 八.4: "查看数据的最后修改日期
 * 是否与本人的操作时间相符"): in the policy's time zone, before `start`, at or after `end`, or on a
 * day that is not a working day by the holiday table (weekends, breaks; make-up workdays count).
 */
export class WorkingHours {
  constructor(
    private readonly hours: { start: string; end: string },
    private readonly timeZone: string,
    private readonly holidays: HolidayTable,
  ) {
    if (!/^\d\d:\d\d$/.test(hours.start) || !/^\d\d:\d\d$/.test(hours.end) || hours.start >= hours.end) {
      throw new Error(`工作时间无效 (invalid working hours): ${hours.start}–${hours.end}`);
    }
    localDateTime(new Date(0), timeZone); // an unknown time zone fails here, before any walking
  }

  isOffHours(instant: Date): boolean {
    if (Number.isNaN(instant.getTime())) return false;
    const { date, time } = localDateTime(instant, this.timeZone);
    return !isWorkday(date, this.holidays) || time < this.hours.start || time >= this.hours.end;
  }
}
