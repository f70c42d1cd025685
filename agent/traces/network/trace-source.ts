import type { TraceSource } from '../../findings/schema.js';
import { printable } from '../../text/terminal.js';

/** TraceSource.text holds at most this many UTF-16 code units (the schema's limit). */
export const MAX_SOURCE_TEXT = 500;
/** A finding keeps the first few places it was read (the violation keeps as many). */
export const MAX_SOURCES = 5;

/** A source in the schema's form: the text cut to 500 code units without splitting a character. */
export function traceSource(file: string, line: number | null, seqnum: number | null, time: string | null, text: string): TraceSource {
  return { file, line, seqnum, time, text: cut(text, MAX_SOURCE_TEXT) };
}

export function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  // Do not leave half of a surrogate pair at the end.
  if (end > 0 && /[\ud800-\udbff]/.test(text[end - 1]!)) end -= 1;
  return `${text.slice(0, end)}…`;
}

/** ISO 8601 UTC with milliseconds, or null for a date that is not one. */
export function isoOf(date: Date): string | null {
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** Seconds since the epoch as ISO 8601, or null when not a plausible time (0, negative, absurd). */
export function isoOfSeconds(seconds: number): string | null {
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 253402300799) return null;
  return isoOf(new Date(seconds * 1000));
}

/** A part of a finding id taken from a file (an SSID, an interface): control characters escaped, so ids stay one line. */
export function idPart(text: string): string {
  return printable(text);
}
