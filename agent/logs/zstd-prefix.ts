import { Decompress } from 'fzstd';
import type { PositionalReader } from './positional-reader.js';

const SLICE = 16 * 1024;

/**
 * The first `limit` bytes (a block more at most) of a zstd frame stored at `offset`, decompressed
 * as a stream fed 16 KB at a time and stopped as soon as enough is out: a compressed core dump
 * of hundreds of MB costs no more memory than a short MESSAGE. Throws on a damaged frame.
 */
export function zstdPrefix(file: PositionalReader, offset: number, size: number, limit: number): { bytes: Buffer; complete: boolean } {
  const parts: Uint8Array[] = [];
  let produced = 0;
  let done = false;
  const stream = new Decompress((data, final) => {
    parts.push(data);
    produced += data.length;
    if (final === true) done = true;
  });
  let at = 0;
  while (at < size && produced < limit) {
    const length = Math.min(SLICE, size - at);
    const slice = file.read(offset + at, length);
    if (slice === undefined) throw new Error('zstd frame runs past the end of the file');
    at += length;
    stream.push(slice, at >= size);
  }
  const bytes = Buffer.concat(parts);
  return { bytes: bytes.length > limit ? bytes.subarray(0, limit) : bytes, complete: done || at >= size };
}
