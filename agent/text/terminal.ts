import stringWidth from 'string-width';

/**
 * Make a string from a device safe to print on a terminal: control characters (which could
 * move the cursor, clear the screen or set the title) and bidirectional overrides (which could
 * reorder what the officer reads) are shown as visible escapes; nothing is dropped.
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const code = c.codePointAt(0)!;
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

/** Display width in terminal columns (a Chinese character takes two). */
export function displayWidth(text: string): number {
  return stringWidth(text);
}

/** Cut to at most `width` columns, marking the cut with an ellipsis. */
export function truncate(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  let out = '';
  for (const char of text) {
    if (displayWidth(out + char) > width - 1) break;
    out += char;
  }
  return `${out}…`;
}

export function padEnd(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}

/**
 * Lay out rows as columns that fit `maxWidth`: the widest flexible columns are narrowed first
 * and their cells truncated. Every cell is made printable.
 */
export function renderTable(header: string[], rows: string[][], maxWidth: number, flexible: number[]): string[] {
  const cells = [header, ...rows].map((row) => row.map(printable));
  const widths = header.map((_, col) => Math.max(...cells.map((row) => displayWidth(row[col] ?? ''))));
  const gap = 2;
  const total = () => widths.reduce((a, b) => a + b, 0) + gap * (widths.length - 1);
  while (total() > maxWidth) {
    const widest = flexible.reduce((best, col) => (widths[col]! > widths[best]! ? col : best), flexible[0]!);
    if (widths[widest]! <= 12) break;
    widths[widest]! -= 1;
  }
  return cells.map((row) =>
    row
      .map((cell, col) => padEnd(truncate(cell, widths[col]!), widths[col]!))
      .join(' '.repeat(gap))
      .trimEnd(),
  );
}
