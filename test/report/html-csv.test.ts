import { describe, expect, test } from 'vitest';
import { csvCell, toCsv } from '../../agent/report/csv.js';
import { html, htmlToString, trustedHtml } from '../../agent/report/html.js';
import { barChart } from '../../agent/report/svg-chart.js';

const HOSTILE = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "'onmouseover='x", '\u202Eexe.txt', 'a\x1b[31mb', '&amp;'];

describe('html template', () => {
  test.each(HOSTILE)('interpolated text is escaped: %j', (text) => {
    const out = htmlToString(html`<td title="${text}">${text}</td>`);
    // Only our own markup survives: two tags, two attribute quotes, no raw control or bidi characters.
    expect(out.match(/</g)).toHaveLength(2);
    expect(out.match(/"/g)).toHaveLength(2);
    expect(out.match(/'/g)).toBeNull();
    expect(out).not.toMatch(/[\u202e\x1b]/);
  });

  test('nested fragments are kept, arrays joined, null/false dropped', () => {
    const rows = ['a<b', 'c'].map((t) => html`<li>${t}</li>`);
    expect(htmlToString(html`<ul>${rows}${null}${false}</ul>`)).toBe('<ul><li>a&lt;b</li><li>c</li></ul>');
    expect(htmlToString(html`${trustedHtml('<b>ours</b>')}`)).toBe('<b>ours</b>');
  });

  test('chart labels are escaped too', () => {
    const svg = htmlToString(barChart([{ label: '</text><script>x</script>', value: 3 }], { title: 't' }));
    expect(svg).toContain('&lt;/text&gt;&lt;script&gt;');
    expect(svg).not.toContain('<script>');
  });
});

describe('csv', () => {
  test('starts with a BOM, quotes where needed, CRLF line ends', () => {
    expect(toCsv(['主机', '设备'], [['pc-017', 'Kingston, "DT"']])).toBe('\uFEFF主机,设备\r\npc-017,"Kingston, ""DT"""\r\n');
  });

  test.each([
    ['=HYPERLINK("http://x")', `"'=HYPERLINK(""http://x"")"`],
    ['+1+1', "'+1+1"],
    ['-2', "'-2"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\t=1', "'\t=1"],
  ])('neutralises formula %j', (text, cell) => {
    expect(csvCell(text)).toBe(cell);
  });

  test('bidirectional overrides are shown as escapes, not obeyed', () => {
    expect(csvCell('evil\u202Egpj.exe')).toBe('evil\\u202egpj.exe');
  });

  test('numbers stay numbers (a negative count is not a formula)', () => {
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell(null)).toBe('');
  });
});
