import fs from 'node:fs';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { decodeBytes } from '../text/decode-bytes.js';
import { TimeSpan, type LogProblem, type LogReadOptions, type LogReadSummary } from './log-read.js';
import { SyslogLineParser } from './syslog-line.js';

export interface TextLogOptions extends LogReadOptions {
  /** The host's IANA zone, for traditional times. */
  timezone: string;
  /** gzip-compressed (.gz): decompressed as it streams. */
  gzip: boolean;
}

const strict = new TextDecoder('utf-8', { fatal: true });

/**
 * Stream a kern.log / syslog / messages file, plain or gzip, line by line, never holding more
 * than a chunk of it: each non-empty line becomes one record (see SyslogLineParser) with its
 * 1-based line number; empty lines are counted in the numbering but carry nothing. Bytes that are
 * not UTF-8 are kept as \xNN. A gzip file cut short yields the lines before the cut (the last,
 * partial one included) and problem `truncated`; other gzip damage gives `corrupt`. Errors
 * opening the file (EACCES …) are thrown for the caller to report.
 */
export async function readTextLog(realPath: string, options: TextLogOptions): Promise<LogReadSummary> {
  const handle = await fs.promises.open(realPath, 'r');
  const stat = await handle.stat();
  const parser = new SyslogLineParser(options.timezone, stat.mtime);
  const span = new TimeSpan();
  let records = 0;
  let lineNumber = 0;
  let problem: LogProblem | null = null;
  let detail: string | null = null;

  const emit = (line: string) => {
    lineNumber++;
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (text === '') return;
    records++;
    const parsed = parser.parse(text);
    span.add(parsed.time);
    if (options.wanted !== undefined && !options.wanted(parsed.identifier, parsed.message)) return;
    options.onRecord({
      time: parsed.time, identifier: parsed.identifier, message: parsed.message, bootId: null, file: options.file, line: lineNumber, seqnum: null,
    });
  };

  const raw = handle.createReadStream({ highWaterMark: 256 * 1024 });
  const stream: Readable = options.gzip ? raw.pipe(zlib.createGunzip()) : raw;
  if (options.gzip) raw.on('error', (error) => stream.destroy(error));
  let pending: Buffer | null = null;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const bytes: Buffer = pending === null ? chunk : Buffer.concat([pending, chunk]);
      const lastNewline = bytes.lastIndexOf(0x0a);
      if (lastNewline < 0) {
        pending = bytes;
        continue;
      }
      splitLines(bytes.subarray(0, lastNewline), emit);
      pending = lastNewline + 1 < bytes.length ? Buffer.from(bytes.subarray(lastNewline + 1)) : null;
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'Z_BUF_ERROR' || /unexpected end of file/i.test(String(error))) {
      problem = 'truncated';
      detail = 'gzip stream ends before its end marker';
    } else if (typeof code === 'string' && code.startsWith('Z_')) {
      problem = 'corrupt';
      detail = `gzip: ${(error as Error).message}`;
    } else {
      throw error;
    }
  } finally {
    raw.destroy();
    await handle.close().catch(() => undefined);
  }
  if (pending !== null) emit(decodeBytes(pending));
  return { records, from: span.from, to: span.to, problem, detail };
}

/** Each line of a block of whole lines: decoded at once when it is all valid UTF-8 (the usual case). */
function splitLines(block: Buffer, emit: (line: string) => void): void {
  let text: string | undefined;
  try {
    text = strict.decode(block);
  } catch {
    text = undefined;
  }
  if (text !== undefined) {
    for (const line of text.split('\n')) emit(line);
    return;
  }
  let start = 0;
  while (start <= block.length) {
    let end = block.indexOf(0x0a, start);
    if (end < 0) end = block.length;
    emit(decodeBytes(block.subarray(start, end)));
    start = end + 1;
  }
}
