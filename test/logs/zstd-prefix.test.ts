import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { PositionalReader } from '../../agent/logs/positional-reader.js';
import { zstdPrefix } from '../../agent/logs/zstd-prefix.js';
import { tempDir } from './journal-fixtures.js';

const dir = tempDir('zstd');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const hasZstd = spawnSync('sh', ['-c', 'command -v zstd']).status === 0;

/** A zstd frame written by the zstd tool, stored at offset 100 of a file, and a reader on it. */
function frame(text: string): { reader: PositionalReader; size: number; close(): void } {
  const compressed = spawnSync('zstd', ['-q', '-c'], { input: Buffer.from(text), maxBuffer: 1 << 28 }).stdout;
  const file = path.join(dir, `f${Math.random()}`);
  fs.writeFileSync(file, Buffer.concat([Buffer.alloc(100, 0x55), compressed]));
  const fd = fs.openSync(file, 'r');
  return { reader: new PositionalReader(fd), size: compressed.length, close: () => fs.closeSync(fd) };
}

test.runIf(hasZstd)('a small frame whole', () => {
  const f = frame('MESSAGE=hello');
  expect(zstdPrefix(f.reader, 100, f.size, 1 << 20)).toEqual({ bytes: Buffer.from('MESSAGE=hello'), complete: true });
  f.close();
});

test.runIf(hasZstd)('a 20 MB field stops soon after the limit (bounded memory)', () => {
  const lines = Array.from({ length: 400_000 }, (_, i) => `COREDUMP line ${i} ${(i * 2654435761) % 4294967296}\n`).join('');
  expect(lines.length).toBeGreaterThan(10_000_000);
  const f = frame(lines);
  const { bytes, complete } = zstdPrefix(f.reader, 100, f.size, 64 * 1024);
  expect(bytes.toString()).toBe(lines.slice(0, 64 * 1024));
  expect(complete).toBe(false);
  f.close();
});

test.runIf(hasZstd)('a damaged frame throws (the caller counts the field as bad)', () => {
  const f = frame('MESSAGE=hello there');
  expect(() => zstdPrefix(f.reader, 101, f.size - 1, 1 << 20)).toThrow();
  f.close();
});
