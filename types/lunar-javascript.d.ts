/** The small part of lunar-javascript (which ships no types) that baomi uses. */
declare module 'lunar-javascript' {
  export class Solar {
    toYmd(): string;
  }
  export class Lunar {
    static fromYmd(year: number, month: number, day: number): Lunar;
    getSolar(): Solar;
    next(days: number): Lunar;
  }
}
