import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { REPO } from '../helpers.js';
import type { LogRecord } from '../../agent/logs/log-record.js';
import { readJournalFile } from '../../agent/logs/journal-file.js';
import type { LogReadSummary } from '../../agent/logs/log-read.js';

/** The genuine journal files written by systemd-journal-remote (scripts/gen-journal-fixtures.ts). */
export const JOURNALS = ['usb-compact.journal', 'usb-regular.journal'] as const;

/** The bytes of a fixture journal file, unpacked from its .gz. */
export function journalBytes(name: string): Buffer {
  return zlib.gunzipSync(fs.readFileSync(path.join(REPO, 'test/fixtures/journal', `${name}.gz`)));
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `baomi-${prefix}-`));
}

/** Read journal bytes written to a temporary file; every record is kept. */
export function readJournalBytes(dir: string, bytes: Buffer, name = 'x.journal'): { summary: LogReadSummary; records: LogRecord[] } {
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  const records: LogRecord[] = [];
  const summary = readJournalFile(file, { file: `/var/log/journal/m/${name}`, onRecord: (r) => records.push(r) });
  return { summary, records };
}

export interface RawObject { offset: number; type: number; flags: number; size: number }

/**
 * The objects of a journal file, walked independently of the reader (for tests to find where
 * to damage a file): from header_size, each object's size rounded up to 8, until zeros.
 */
export function rawObjects(bytes: Buffer): RawObject[] {
  const out: RawObject[] = [];
  let offset = Number(bytes.readBigUInt64LE(88));
  while (offset + 16 <= bytes.length) {
    const size = Number(bytes.readBigUInt64LE(offset + 8));
    if (size === 0) break;
    out.push({ offset, type: bytes[offset]!, flags: bytes[offset + 1]!, size });
    offset += Math.ceil(size / 8) * 8;
  }
  return out;
}

/** The offsets of the file's main entry-array chain (from the header's entry_array_offset). */
export function mainEntryArrays(bytes: Buffer): number[] {
  const out: number[] = [];
  let offset = Number(bytes.readBigUInt64LE(176));
  while (offset !== 0 && !out.includes(offset)) {
    out.push(offset);
    offset = Number(bytes.readBigUInt64LE(offset + 16));
  }
  return out;
}
