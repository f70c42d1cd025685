import { expect, test } from 'vitest';
import { progress } from '../../collector/progress.js';

function fakeStream(isTTY: boolean) {
  const written: string[] = [];
  return { written, stream: { isTTY, write: (text: string) => written.push(text) > 0 } as unknown as NodeJS.WriteStream };
}

test('on a terminal, one bar redrawn in place; host names cannot move the cursor', () => {
  const { written, stream } = fakeStream(true);
  const bar = progress(20, stream);
  for (let i = 0; i < 20; i++) bar.tick(i === 3 ? 'evil\x1b[2J\u202ehost' : `host-${i}`);
  bar.done();
  expect(written).toHaveLength(21);
  expect(written.every((w) => w.startsWith('\r\x1b[K'))).toBe(true);
  expect(written[19]).toContain(`[${'#'.repeat(30)}] 20/20`);
  expect(written[3]).toContain('evil\\x1b[2J\\u202ehost');
  expect(written.join('')).not.toMatch(/\x1b\[2J|\u202e/);
});

test('elsewhere (a pipe, a log), a plain line at every tenth; few bundles, nothing', () => {
  const { written, stream } = fakeStream(false);
  const bar = progress(100, stream);
  for (let i = 0; i < 100; i++) bar.tick(`host-${i}`);
  bar.done();
  expect(written).toHaveLength(10);
  expect(written[0]).toBe('已处理 / processed 10/100 个检查包 / bundles\n');
  expect(written[9]).toContain('100/100');

  const few = fakeStream(true);
  const quiet = progress(3, few.stream);
  for (let i = 0; i < 3; i++) quiet.tick('h');
  quiet.done();
  expect(few.written).toEqual([]);
});
