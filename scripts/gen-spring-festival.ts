/**
 * Regenerate agent/schedule/spring-festival.json: 农历正月初一 for 2000–2100, computed with
 * lunar-javascript. The agent reads the table instead of loading the library's lunar tables
 * (about 5 MB of resident memory in a service that runs all day); years outside the table still
 * go to the library. test/schedule/spring-festival-table.test.ts keeps the two in step.
 *   npm run gen:spring-festival
 */
import fs from 'node:fs';
import path from 'node:path';
import { Lunar } from 'lunar-javascript';
import { PACKAGE_ROOT } from '../agent/package-root.js';

export const FIRST_YEAR = 2000;
export const LAST_YEAR = 2100;

export function springFestivalTable(): Record<string, string> {
  const table: Record<string, string> = {};
  for (let year = FIRST_YEAR; year <= LAST_YEAR; year++) table[year] = Lunar.fromYmd(year, 1, 1).getSolar().toYmd();
  return table;
}

if (process.argv[1]?.endsWith('gen-spring-festival.js')) {
  const target = path.join(PACKAGE_ROOT, 'agent', 'schedule', 'spring-festival.json');
  fs.writeFileSync(target, JSON.stringify(springFestivalTable(), null, 1) + '\n');
  process.stdout.write(`wrote ${target}\n`);
}
