import { createHash } from 'node:crypto';
import fs from 'node:fs';

/**
 * SHA-256 of a regular file, read in chunks of at most 1 MiB through one reused buffer (memory
 * does not grow with the file). Opened with O_NOFOLLOW (a file swapped for a symlink since the walk
 * is not followed) and O_NONBLOCK (one swapped for a FIFO does not hang the scan), and checked to
 * be a regular file once open. Returns undefined when it cannot be read as one: the caller counts
 * it as skipped.
 */

const CHUNK = 1 << 20;
const FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0) | (fs.constants.O_NONBLOCK ?? 0);

export interface HashedFile {
  sha256: string;
  bytes: number;
}

export class FileHasher {
  private readonly buffer = Buffer.allocUnsafe(CHUNK);

  async hash(file: string, signal?: AbortSignal): Promise<HashedFile | undefined> {
    let handle: fs.promises.FileHandle;
    try {
      handle = await fs.promises.open(file, FLAGS);
    } catch {
      return undefined;
    }
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) return undefined;
      const hash = createHash('sha256');
      let bytes = 0;
      for (;;) {
        signal?.throwIfAborted();
        const { bytesRead } = await handle.read(this.buffer, 0, CHUNK, null);
        if (bytesRead === 0) break;
        hash.update(this.buffer.subarray(0, bytesRead));
        bytes += bytesRead;
      }
      return { sha256: hash.digest('hex'), bytes };
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      return undefined;
    } finally {
      await handle.close().catch(() => undefined);
    }
  }
}
