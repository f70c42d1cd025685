import fs from 'node:fs';
import path from 'node:path';

/**
 * The walk of a watched folder: streaming (`fs.opendir`, a few hundred entries at a time) and
 * iterative (a stack of directories to visit, no recursion), so neither a deep nor a wide tree
 * bounds it. Everything is `lstat`ed and nothing is followed:
 *
 * - a symbolic link is counted as skipped and never entered or hashed (a loop `a/loop -> ..`,
 *   a link out of the tree `x -> /etc`: both harmless);
 * - sockets, FIFOs, character and block devices are counted as skipped;
 * - an entry that cannot be read (EACCES, vanished while walking) is counted as skipped, never
 *   thrown;
 * - a directory on another file system than the folder (a mount point: a USB stick, a network
 *   share, /proc) is not entered and is counted as skipped, like `find -xdev`: the baseline is of
 *   the folder's own disk, and a removable or remote file system under it is not walked.
 *
 * Between the `lstat` that says "directory" and the `opendir`, the directory could be swapped for
 * a symlink; it is `lstat`ed again after opening and skipped if it is no longer the same directory.
 */

export interface WalkedFile {
  /** Path relative to the folder, with `/` between the parts. */
  rel: string;
  stat: fs.BigIntStats;
}

export interface WalkCounts {
  files: number;
  skipped: number;
}

export async function* walkFolder(root: string, counts: WalkCounts, signal?: AbortSignal): AsyncGenerator<WalkedFile> {
  const top = lstat(root);
  if (top === undefined || !top.isDirectory()) return;
  const device = top.dev;
  const pending: string[] = [''];
  while (pending.length > 0) {
    signal?.throwIfAborted();
    const rel = pending.pop()!;
    const full = rel === '' ? root : path.join(root, rel);
    const before = rel === '' ? top : lstat(full);
    let dir: fs.Dir;
    try {
      dir = await fs.promises.opendir(full, { bufferSize: 256 });
    } catch {
      counts.skipped++;
      continue;
    }
    try {
      const after = lstat(full);
      if (before === undefined || after === undefined || !after.isDirectory() || after.ino !== before.ino || after.dev !== before.dev) {
        counts.skipped++;
        continue;
      }
      for await (const entry of dir) {
        const childRel = rel === '' ? entry.name : `${rel}/${entry.name}`;
        const stat = lstat(path.join(full, entry.name));
        if (stat === undefined) {
          counts.skipped++;
        } else if (stat.isDirectory()) {
          if (stat.dev === device) pending.push(childRel);
          else counts.skipped++;
        } else if (stat.isFile()) {
          counts.files++;
          yield { rel: childRel, stat };
        } else {
          counts.skipped++; // symbolic link, socket, FIFO, device
        }
      }
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      counts.skipped++; // the directory went away or became unreadable while being read
    } finally {
      await dir.close().catch(() => undefined);
    }
  }
}

function lstat(file: string): fs.BigIntStats | undefined {
  try {
    return fs.lstatSync(file, { bigint: true, throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}
