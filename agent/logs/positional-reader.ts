import fs from 'node:fs';

const CHUNK = 128 * 1024;
const MAX_CHUNKS = 32; // 4 MB of cache, whatever the size of the file

/**
 * Positional reads of a big file through one descriptor, with a small cache of 64 KB chunks, so
 * that a reader that jumps around (a journal file's objects point at each other) neither loads
 * the whole file nor makes a system call per field. Memory stays bounded: at most 4 MB cached,
 * plus the buffers returned to the caller.
 */
export class PositionalReader {
  readonly size: number;
  private readonly chunks = new Map<number, Buffer>();

  constructor(private readonly fd: number) {
    this.size = fs.fstatSync(fd).size;
  }

  /**
   * `length` bytes at `offset`, or undefined when they are not all inside the file. The buffer
   * may be a view of a cached chunk: it stays valid (chunks are never reused), but keeping a
   * small view keeps its whole chunk alive, so copy what you keep for long.
   */
  read(offset: number, length: number): Buffer | undefined {
    if (!Number.isSafeInteger(offset) || offset < 0 || length < 0 || offset + length > this.size) return undefined;
    const first = Math.floor(offset / CHUNK);
    const last = Math.floor((offset + length - 1) / CHUNK);
    if (length === 0) return Buffer.alloc(0);
    if (first === last) {
      const chunk = this.chunk(first);
      const start = offset - first * CHUNK;
      return start + length <= chunk.length ? chunk.subarray(start, start + length) : undefined;
    }
    if (length > CHUNK * 4) {
      const out = Buffer.allocUnsafe(length);
      const got = fs.readSync(this.fd, out, 0, length, offset);
      return got === length ? out : undefined;
    }
    const out = Buffer.allocUnsafe(length);
    let written = 0;
    for (let index = first; index <= last; index++) {
      const chunk = this.chunk(index);
      const start = index === first ? offset - first * CHUNK : 0;
      const end = Math.min(chunk.length, offset + length - index * CHUNK);
      written += chunk.copy(out, written, start, end);
    }
    return written === length ? out : undefined;
  }

  private chunk(index: number): Buffer {
    const cached = this.chunks.get(index);
    if (cached !== undefined) {
      this.chunks.delete(index);
      this.chunks.set(index, cached);
      return cached;
    }
    const length = Math.min(CHUNK, this.size - index * CHUNK);
    const buffer = Buffer.allocUnsafe(length);
    const got = fs.readSync(this.fd, buffer, 0, length, index * CHUNK);
    const chunk = got === length ? buffer : buffer.subarray(0, got);
    if (this.chunks.size >= MAX_CHUNKS) this.chunks.delete(this.chunks.keys().next().value!);
    this.chunks.set(index, chunk);
    return chunk;
  }
}
