import fs from 'node:fs';
import { decodeBytes } from '../text/decode-bytes.js';
import { INCOMPATIBLE, parseJournalHeader, u64, type JournalHeader } from './journal-header.js';
import { isoFromMicros, TimeSpan, type LogProblem, type LogReadOptions, type LogReadSummary } from './log-read.js';
import { PositionalReader } from './positional-reader.js';
import { zstdPrefix } from './zstd-prefix.js';

/**
 * A reader of systemd journal files (https://systemd.io/JOURNAL_FILE_FORMAT/) without journalctl:
 * it walks the arena's objects in file order from header_size (8-byte aligned, each bounds-checked)
 * and turns every ENTRY object into a LogRecord, reading the DATA objects its items point at.
 * journald appends, so file order is the order entries were written.
 *
 * Damage never throws nor loops: the walk stops at the first object that cannot be an object
 * (size 0 before the tail, size past the end, unknown type) and the rest of the entries is then
 * looked up through the entry-array chain (offsets checked, each array visited once), so entries
 * after a damaged object are still returned. An item pointing at garbage loses that field only.
 * The problem is `truncated` when the file ends before its arena does (a copy cut short, a disk
 * full), else `corrupt`; journald's own `*.journal~` files are read the same way.
 *
 * Compressed DATA: zstd is decompressed as a stream (fzstd), no further than 1 MB; XZ and LZ4
 * fields are skipped and counted (the problem is then `unsupported`, when nothing worse happened).
 * Memory stays bounded whatever the file's size: a 4 MB chunk cache, 20,000 small decoded
 * fields, and 1 MB per field at most.
 */

const OBJECT_HEADER = 16;
const OBJECT = { unused: 0, data: 1, entry: 3, entryArray: 6, max: 7 } as const;
const OBJECT_COMPRESSED = { xz: 1, lz4: 2, zstd: 4 } as const;
const ENTRY_HEADER = 64;
/** No real entry has this many fields; a bigger count is a damaged size. */
const MAX_ITEMS = 65536;
/** A field larger than this is read in part (a MESSAGE of 1 MB is already absurd). */
const MAX_FIELD = 1024 * 1024;
/** Decoded DATA objects kept by offset: an entry shares most of them with its neighbours. */
const CACHE_LIMIT = 20000;
const CACHED_VALUE_LIMIT = 512;
/** A damaged file says what went wrong in this many phrases at most. */
const MAX_DETAILS = 8;

type FieldName = 'MESSAGE' | 'SYSLOG_IDENTIFIER' | '_COMM' | '_TRANSPORT' | '_BOOT_ID';
const FIELDS: { name: FieldName; prefix: Buffer }[] = (['MESSAGE', 'SYSLOG_IDENTIFIER', '_COMM', '_TRANSPORT', '_BOOT_ID'] as const)
  .map((name) => ({ name, prefix: Buffer.from(`${name}=`) }));
const PREFIX_PEEK = 18; // "SYSLOG_IDENTIFIER=".length

/** A DATA object as the reader needs it: which field, and its decoded value (not for other fields). */
type DataField = { name: FieldName; value: string } | { name: null } | { skipped: 'xz' | 'lz4' | 'bad' };

export function readJournalFile(realPath: string, options: LogReadOptions): LogReadSummary {
  const fd = fs.openSync(realPath, 'r');
  try {
    return new JournalWalk(new PositionalReader(fd), options).run();
  } finally {
    fs.closeSync(fd);
  }
}

class JournalWalk {
  private header!: JournalHeader;
  private readonly span = new TimeSpan();
  private records = 0;
  private problem: LogProblem | null = null;
  private details: string[] = [];
  private readonly skipped = { xz: 0, lz4: 0, bad: 0 };
  private readonly cache = new Map<number, DataField>();
  private arenaEnd = 0;

  constructor(private readonly file: PositionalReader, private readonly options: LogReadOptions) {}

  run(): LogReadSummary {
    const head = this.file.read(0, Math.min(this.file.size, 272)) ?? Buffer.alloc(0);
    const parsed = parseJournalHeader(head, this.file.size);
    if (!parsed.ok) return this.summary(parsed.problem, parsed.detail);
    this.header = parsed.header;
    const declaredEnd = this.header.headerSize + this.header.arenaSize;
    this.arenaEnd = Math.min(this.file.size, declaredEnd);
    const stop = this.walk();
    if (stop !== null) {
      this.report(stop.problem, stop.detail);
      this.recover(stop.offset);
    }
    if (this.skipped.bad > 0) this.report('corrupt', `${this.skipped.bad} entry items point at no DATA object`);
    const compressed = this.skipped.xz + this.skipped.lz4;
    if (compressed > 0) this.report('unsupported', `${compressed} fields compressed with XZ/LZ4 not read (xz ${this.skipped.xz}, lz4 ${this.skipped.lz4})`);
    return this.summary(this.problem, this.details.length > 0 ? this.details.join('; ') : null);
  }

  /** The sequential walk; returns where and why it stopped early, or null at a clean end. */
  private walk(): { offset: number; problem: LogProblem; detail: string } | null {
    const { headerSize, tailObjectOffset } = this.header;
    const declaredEnd = headerSize + this.header.arenaSize;
    const cut = this.file.size < declaredEnd;
    let offset = headerSize;
    while (offset + OBJECT_HEADER <= this.arenaEnd) {
      const object = this.file.read(offset, OBJECT_HEADER)!;
      const type = object[0]!;
      const size = u64(object, 8);
      if (size === 0 && type === OBJECT.unused) {
        // Zeros: the unwritten rest of the arena (journald allocates ahead), unless the header
        // says objects were written beyond this point.
        if (offset > tailObjectOffset) return null;
        return { offset, problem: 'corrupt', detail: `empty object at ${offset} before the tail object at ${tailObjectOffset}` };
      }
      if (type === OBJECT.unused || type >= OBJECT.max + 1 || size < OBJECT_HEADER) {
        return { offset, problem: 'corrupt', detail: `invalid object (type ${type}, size ${size}) at offset ${offset}` };
      }
      if (offset + size > this.arenaEnd) {
        return cut && offset + size <= declaredEnd
          ? { offset, problem: 'truncated', detail: `file ends at ${this.file.size} inside an object at ${offset} (arena ends at ${declaredEnd})` }
          : { offset, problem: 'corrupt', detail: `object at ${offset} of size ${size} runs past the arena end ${this.arenaEnd}` };
      }
      if (type === OBJECT.entry) this.entry(offset, size);
      offset += align8(size);
    }
    if (cut && offset <= tailObjectOffset) {
      return { offset, problem: 'truncated', detail: `file ends at ${this.file.size}, arena ends at ${declaredEnd}` };
    }
    return null;
  }

  /**
   * After damage at `damagedAt`: the entries beyond it that the entry-array chain still reaches.
   * Every array is visited once and its items must increase, so a loop of offsets ends.
   */
  private recover(damagedAt: number): void {
    const itemSize = this.header.compact ? 4 : 8;
    const visited = new Set<number>();
    let arrayOffset = this.header.entryArrayOffset;
    let previous = 0;
    let recovered = 0;
    while (arrayOffset !== 0 && !visited.has(arrayOffset)) {
      visited.add(arrayOffset);
      const object = this.object(arrayOffset, OBJECT.entryArray);
      if (object === undefined) break;
      const body = this.file.read(arrayOffset + OBJECT_HEADER, object.size - OBJECT_HEADER);
      if (body === undefined || body.length < 8) break;
      const next = u64(body, 0);
      const items = Math.floor((body.length - 8) / itemSize);
      for (let i = 0; i < items; i++) {
        const at = 8 + i * itemSize;
        const entryOffset = itemSize === 4 ? body.readUInt32LE(at) : u64(body, at);
        if (entryOffset === 0) break; // the unused tail of the last array
        if (entryOffset <= previous) return this.noteRecovered(recovered, 'entry array offsets do not increase');
        previous = entryOffset;
        if (entryOffset <= damagedAt) continue;
        const entry = this.object(entryOffset, OBJECT.entry);
        if (entry === undefined) continue;
        this.entry(entryOffset, entry.size);
        recovered++;
      }
      arrayOffset = next;
    }
    this.noteRecovered(recovered, null);
  }

  private noteRecovered(recovered: number, why: string | null): void {
    if (recovered > 0) this.details.push(`${recovered} entries after the damage recovered through the entry arrays`);
    if (why !== null) this.details.push(why);
  }

  /** The header of an object of the given type at offset, bounds-checked, or undefined. */
  private object(offset: number, type: number): { size: number; flags: number } | undefined {
    if (!Number.isSafeInteger(offset) || offset < this.header.headerSize || offset % 8 !== 0) return undefined;
    const object = this.file.read(offset, OBJECT_HEADER);
    if (object === undefined || object[0] !== type) return undefined;
    const size = u64(object, 8);
    if (size < OBJECT_HEADER || offset + size > this.arenaEnd) return undefined;
    return { size, flags: object[1]! };
  }

  private entry(offset: number, size: number): void {
    if (size < ENTRY_HEADER) {
      this.report('corrupt', `entry at ${offset} is too small (${size} bytes)`);
      return;
    }
    // Chunks are never reused once evicted, so these views stay valid while the entry is read.
    const head = this.file.read(offset, ENTRY_HEADER)!;
    const seqnum = u64(head, 16);
    const realtime = u64(head, 24);
    const headerBoot = head.subarray(40, 56);
    const itemSize = this.header.compact ? 4 : 16;
    const count = Math.floor((size - ENTRY_HEADER) / itemSize);
    if (count > MAX_ITEMS) {
      this.report('corrupt', `entry at ${offset} claims ${count} items`);
      return;
    }
    const items = this.file.read(offset + ENTRY_HEADER, count * itemSize)!;
    const fields: Partial<Record<FieldName, string>> = {};
    for (let i = 0; i < count; i++) {
      const dataOffset = itemSize === 4 ? items.readUInt32LE(i * 4) : u64(items, i * 16);
      const field = this.data(dataOffset);
      if ('skipped' in field) this.skipped[field.skipped]++;
      else if (field.name !== null && fields[field.name] === undefined) fields[field.name] = field.value;
    }
    this.records++;
    const time = isoFromMicros(realtime);
    this.span.add(time);
    const identifier = fields.SYSLOG_IDENTIFIER ?? (fields._TRANSPORT === 'kernel' ? 'kernel' : fields._COMM ?? null);
    const message = fields.MESSAGE ?? '';
    if (this.options.wanted !== undefined && !this.options.wanted(identifier, message)) return;
    const bootId = headerBoot.some((b) => b !== 0) ? headerBoot.toString('hex')
      : fields._BOOT_ID ?? null;
    this.options.onRecord({
      time, identifier, message, bootId, file: this.options.file, line: null,
      seqnum: Number.isFinite(seqnum) && seqnum > 0 ? seqnum : null,
    });
  }

  /** The DATA object at offset: one of the fields we read with its value, another field, or skipped. */
  private data(offset: number): DataField {
    const cached = this.cache.get(offset);
    if (cached !== undefined) return cached;
    const field = this.readData(offset);
    const keep = !('name' in field) || field.name === null || field.value.length <= CACHED_VALUE_LIMIT;
    if (keep) {
      if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
      this.cache.set(offset, field);
    }
    return field;
  }

  private readData(offset: number): DataField {
    const object = this.object(offset, OBJECT.data);
    if (object === undefined) return { skipped: 'bad' };
    const payloadAt = offset + (this.header.compact ? 72 : 64);
    const payloadSize = offset + object.size - payloadAt;
    if (payloadSize < 0) return { skipped: 'bad' };
    const compression = object.flags & (OBJECT_COMPRESSED.xz | OBJECT_COMPRESSED.lz4 | OBJECT_COMPRESSED.zstd);
    if (compression === 0) {
      const peek = this.file.read(payloadAt, Math.min(payloadSize, PREFIX_PEEK))!;
      const known = FIELDS.find((f) => startsWith(peek, f.prefix));
      if (known === undefined) return { name: null };
      const value = this.file.read(payloadAt + known.prefix.length, Math.min(payloadSize, MAX_FIELD) - known.prefix.length)!;
      return { name: known.name, value: decodeBytes(value) };
    }
    if (compression === OBJECT_COMPRESSED.xz) return { skipped: 'xz' };
    if (compression === OBJECT_COMPRESSED.lz4) return { skipped: 'lz4' };
    if (compression !== OBJECT_COMPRESSED.zstd || (this.header.incompatibleFlags & INCOMPATIBLE.compressedZstd) === 0) {
      return { skipped: 'bad' };
    }
    let bytes: Buffer;
    try {
      bytes = zstdPrefix(this.file, payloadAt, payloadSize, MAX_FIELD).bytes; // a core dump is not read whole
    } catch {
      return { skipped: 'bad' };
    }
    const known = FIELDS.find((f) => startsWith(bytes, f.prefix));
    if (known === undefined) return { name: null };
    return { name: known.name, value: decodeBytes(bytes.subarray(known.prefix.length, Math.min(bytes.length, MAX_FIELD))) };
  }

  private report(problem: LogProblem, detail: string): void {
    const rank: Record<LogProblem, number> = { unsupported: 1, corrupt: 2, truncated: 3, unreadable: 4 };
    if (this.problem === null || rank[problem] > rank[this.problem]) this.problem = problem;
    if (this.details.length < MAX_DETAILS && !this.details.includes(detail)) this.details.push(detail);
  }

  private summary(problem: LogProblem | null, detail: string | null): LogReadSummary {
    return { records: this.records, from: this.span.from, to: this.span.to, problem, detail };
  }
}

function startsWith(bytes: Uint8Array, prefix: Buffer): boolean {
  if (bytes.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}

function align8(n: number): number {
  return Math.ceil(n / 8) * 8;
}

