import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Reading a bundle on a stick someone handed over: a file is opened with O_NOFOLLOW (a symbolic
 * link planted in place of a file is an error, never followed) and must be a regular file; the
 * small files have a size limit, the events are read in chunks, hashing the exact bytes.
 */

export class BundleFileError extends Error {
  constructor(
    readonly file: string,
    readonly zh: string,
    readonly en: string,
  ) {
    super(`${file}: ${en}`);
  }
}

const CHUNK = 1 << 20;

function openRegular(file: string): number {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new BundleFileError(file, '文件不存在', 'missing');
    if (code === 'ELOOP') throw new BundleFileError(file, '是符号链接,未跟随', 'is a symbolic link, not followed');
    throw new BundleFileError(file, `无法打开(${code})`, `cannot be opened (${code})`);
  }
  if (!fs.fstatSync(fd).isFile()) {
    fs.closeSync(fd);
    throw new BundleFileError(file, '不是普通文件', 'is not a regular file');
  }
  return fd;
}

/** A small file of a bundle, whole (manifest.json, manifest.sig). */
export function readSmallFile(dir: string, name: string, maxBytes: number): Buffer {
  const file = path.join(dir, name);
  const fd = openRegular(file);
  try {
    const size = fs.fstatSync(fd).size;
    if (size > maxBytes) throw new BundleFileError(file, `过大(${size} 字节)`, `too large (${size} bytes)`);
    return fs.readFileSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** The SHA-256 (hex) of a file of a bundle. */
export function hashFile(dir: string, name: string): string {
  const hash = createHash('sha256');
  readChunks(dir, name, (chunk) => hash.update(chunk));
  return hash.digest('hex');
}

/** Where a line was: its byte offset in the file and its length in bytes (without the '\n'). */
export type OnLine = (line: string, bytes: Buffer, offset: number) => void;

/**
 * Each line of a file (without its '\n', as a UTF-8 string and its bytes), in order; returns the
 * SHA-256 of the whole file (a last line without a newline is passed too). Read from the bundle,
 * or from `content` when the caller holds the file already. Synchronous, so that an import can
 * run inside one SQLite transaction. `bytes` is only valid during the call (buffers are reused).
 */
export function readLines(dir: string, name: string, onLine: OnLine, content?: Buffer): { sha256: string } {
  const hash = createHash('sha256');
  let carry: Buffer = Buffer.alloc(0);
  let base = 0; // file offset of data[0]
  const eachChunk = (chunk: Buffer) => {
    hash.update(chunk);
    const data = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    let start = 0;
    for (let nl = data.indexOf(10, start); nl !== -1; nl = data.indexOf(10, start)) {
      const bytes = data.subarray(start, nl);
      onLine(bytes.toString('utf8'), bytes, base + start);
      start = nl + 1;
    }
    base += start;
    carry = Buffer.from(data.subarray(start));
  };
  if (content) eachChunk(content);
  else readChunks(dir, name, eachChunk);
  if (carry.length > 0) onLine(carry.toString('utf8'), carry, base);
  return { sha256: hash.digest('hex') };
}

function readChunks(dir: string, name: string, onChunk: (chunk: Buffer) => void): void {
  const fd = openRegular(path.join(dir, name));
  try {
    const buffer = Buffer.allocUnsafe(CHUNK);
    for (let n = fs.readSync(fd, buffer, 0, CHUNK, null); n > 0; n = fs.readSync(fd, buffer, 0, CHUNK, null)) {
      onChunk(buffer.subarray(0, n));
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** The first line of a file of a bundle (without its '\n'), if it ends within `maxBytes`: a peek, not a verification. */
export function readFirstLine(dir: string, name: string, maxBytes: number): string | undefined {
  const fd = openRegular(path.join(dir, name));
  try {
    const buffer = Buffer.allocUnsafe(maxBytes);
    let filled = 0;
    for (let n = 1; n > 0 && filled < maxBytes; filled += n) {
      n = fs.readSync(fd, buffer, filled, maxBytes - filled, null);
      const nl = buffer.subarray(filled, filled + n).indexOf(10);
      if (nl !== -1) return buffer.toString('utf8', 0, filled + nl);
    }
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
}
