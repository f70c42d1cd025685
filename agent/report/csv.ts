/**
 * CSV for Excel on Chinese Windows: UTF-8 with a byte-order mark (so Excel does not read it as
 * GBK), CRLF line ends, RFC 4180 quoting, and formula injection neutralised — a cell from a
 * machine that starts with = + - @ (or a tab/CR that Excel strips first) is prefixed with a
 * single quote, so `=HYPERLINK(…)` in a USB product string stays text.
 */

export type Cell = string | number | boolean | null | undefined;

const BOM = '\uFEFF';

export function csvCell(value: Cell): string {
  if (value === null || value === undefined) return '';
  // Bidirectional overrides would reorder what the committee reads: shown, not obeyed.
  let text = String(value).replace(/[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv(header: string[], rows: Cell[][]): string {
  return BOM + [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
