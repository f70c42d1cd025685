import type { Html } from '../agent/report/html.js';

/** Shared by the committee report's parts. */

/** A label in the report's language, the other one beside it, smaller. */
export type Say = (zh: string, en: string) => Html;

/** Most rows a table of the HTML report lists (the CSV has them all). */
export const LIMIT = 1000;

/** 2026-11-28T06:50:00.123Z → 2026-11-28 06:50:00 UTC */
export const when = (iso: string | null): string => (iso === null ? '—' : iso.replace('T', ' ').replace(/(\.\d+)?Z$/, ' UTC'));
