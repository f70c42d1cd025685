import fs from 'node:fs';
import path from 'node:path';

/**
 * Writing on a stick someone else handed over: nothing here follows a symbolic link. A path
 * that exists as a link (or as anything but what we expect) is refused, new files are created
 * with O_EXCL|O_NOFOLLOW, and everything written is fsynced before it is renamed into place.
 */

export class LinkRefused extends Error {
  constructor(readonly target: string) {
    super(`refusing ${target}: it is a symbolic link or not a plain directory`);
  }
}

const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = fs.constants;

/** `parent/name` as a real directory: created if absent, refused if it is a link or a file. */
export function realDirectory(parent: string, name: string): string {
  const dir = path.join(parent, name);
  let stat: fs.Stats | undefined;
  try {
    stat = fs.lstatSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (stat === undefined) {
    fs.mkdirSync(dir, { mode: 0o755 });
    stat = fs.lstatSync(dir);
  }
  if (stat.isSymbolicLink() || !stat.isDirectory()) throw new LinkRefused(dir);
  return dir;
}

/** A new file, written in chunks and fsynced; never through a link, never over an existing file. */
export function writeNewFile(file: string, chunks: Iterable<string | Buffer>): void {
  const fd = fs.openSync(file, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o644);
  try {
    let pending: Buffer[] = [];
    let size = 0;
    const flush = () => {
      const buffer = Buffer.concat(pending);
      for (let offset = 0; offset < buffer.length; ) offset += fs.writeSync(fd, buffer, offset);
      pending = [];
      size = 0;
    };
    for (const chunk of chunks) {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      pending.push(buffer);
      size += buffer.length;
      if (size >= 1 << 20) flush();
    }
    flush();
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export function fsyncDirectory(dir: string): void {
  const fd = fs.openSync(dir, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
  try {
    fs.fsyncSync(fd);
  } catch (error) {
    // Some file systems (vfat on older kernels) refuse fsync on a directory: the files are synced.
    if ((error as NodeJS.ErrnoException).code !== 'EINVAL') throw error;
  } finally {
    fs.closeSync(fd);
  }
}
