import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { springFestivalTable } from '../../scripts/gen-spring-festival.js';
import { springFestival } from '../../agent/schedule/pre-holiday.js';
import { REPO } from '../helpers.js';

test('agent/schedule/spring-festival.json is what lunar-javascript computes (npm run gen:spring-festival)', () => {
  expect(JSON.parse(fs.readFileSync(path.join(REPO, 'agent/schedule/spring-festival.json'), 'utf8'))).toEqual(springFestivalTable());
});

test('years outside the table still come from lunar-javascript', () => {
  expect(springFestival(1999)).toBe('1999-02-16');
  expect(springFestival(2101)).toBe('2101-01-29');
});
