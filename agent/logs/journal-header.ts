/**
 * The header of a systemd journal file (https://systemd.io/JOURNAL_FILE_FORMAT/): little-endian,
 * signature "LPKSHHRH", its own size (208 bytes in old files, 264 since systemd 252, 272 since
 * 254), then the arena of 8-byte aligned objects. Only the fields a sequential reader needs.
 */
export const SIGNATURE = Buffer.from('LPKSHHRH', 'latin1');
/** The smallest header ever written (systemd 187–188 wrote 208 bytes: up to n_fields). */
export const MIN_HEADER_SIZE = 208;

export const INCOMPATIBLE = {
  compressedXz: 1 << 0,
  compressedLz4: 1 << 1,
  keyedHash: 1 << 2,
  compressedZstd: 1 << 3,
  compact: 1 << 4,
} as const;
const KNOWN_INCOMPATIBLE = 0x1f;

export type JournalState = 'offline' | 'online' | 'archived' | 'unknown';

export interface JournalHeader {
  incompatibleFlags: number;
  compact: boolean;
  state: JournalState;
  headerSize: number;
  arenaSize: number;
  tailObjectOffset: number;
  entryArrayOffset: number;
  nEntries: number;
}

export type HeaderResult =
  | { ok: true; header: JournalHeader }
  | { ok: false; problem: 'truncated' | 'corrupt' | 'unsupported'; detail: string };

/** Parse the first bytes of a file (at least MIN_HEADER_SIZE of them, when the file has them). */
export function parseJournalHeader(bytes: Buffer, fileSize: number): HeaderResult {
  if (bytes.length < SIGNATURE.length || !bytes.subarray(0, 8).equals(SIGNATURE)) {
    return fileSize < SIGNATURE.length
      ? { ok: false, problem: 'truncated', detail: `file of ${fileSize} bytes ends before the journal signature` }
      : { ok: false, problem: 'corrupt', detail: 'not a journal file: signature is not LPKSHHRH' };
  }
  if (bytes.length < MIN_HEADER_SIZE) {
    return { ok: false, problem: 'truncated', detail: `file of ${fileSize} bytes ends inside the journal header` };
  }
  const incompatibleFlags = bytes.readUInt32LE(12);
  const unknown = incompatibleFlags & ~KNOWN_INCOMPATIBLE;
  if (unknown !== 0) {
    return { ok: false, problem: 'unsupported', detail: `unknown incompatible flags 0x${unknown.toString(16)}` };
  }
  const headerSize = u64(bytes, 88);
  const arenaSize = u64(bytes, 96);
  if (headerSize < MIN_HEADER_SIZE || headerSize % 8 !== 0 || headerSize > fileSize) {
    return { ok: false, problem: 'corrupt', detail: `header_size ${headerSize} is impossible for a file of ${fileSize} bytes` };
  }
  const stateByte = bytes[16]!;
  return {
    ok: true,
    header: {
      incompatibleFlags,
      compact: (incompatibleFlags & INCOMPATIBLE.compact) !== 0,
      state: stateByte === 0 ? 'offline' : stateByte === 1 ? 'online' : stateByte === 2 ? 'archived' : 'unknown',
      headerSize,
      arenaSize,
      tailObjectOffset: u64(bytes, 136),
      entryArrayOffset: u64(bytes, 176),
      nEntries: u64(bytes, 152),
    },
  };
}

/** A little-endian u64 as a number; values beyond 2^53 (never valid offsets) become Infinity. */
export function u64(bytes: Buffer, at: number): number {
  const high = bytes.readUInt32LE(at + 4);
  return high < 0x200000 ? high * 0x1_0000_0000 + bytes.readUInt32LE(at) : Infinity;
}
