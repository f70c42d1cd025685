import { describe, expect, test } from 'vitest';
import { displayWidth, printable, renderTable, truncate } from '../../agent/text/terminal.js';

describe('terminal text', () => {
  test('control characters and bidi overrides become visible escapes', () => {
    expect(printable('a\x1b[2Jb\x07')).toBe('a\\x1b[2Jb\\x07');
    expect(printable('evil\u202Egpj.exe')).toBe('evil\\u202egpj.exe');
    expect(printable('中文 ok')).toBe('中文 ok');
  });

  test('Chinese characters take two columns', () => {
    expect(displayWidth('保密')).toBe(4);
    expect(truncate('保密检查报告', 7)).toBe('保密检…');
    expect(displayWidth(truncate('保密检查报告', 7))).toBeLessThanOrEqual(7);
  });

  test('a table fits the width even with a 4 KB cell', () => {
    const lines = renderTable(['Rule', 'Device'], [['AV-CAMERA', 'x'.repeat(4096)]], 80, [1]);
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(80);
    expect(lines[1]).toMatch(/^AV-CAMERA {2}x+…$/);
  });
});
