import { createHash } from 'node:crypto';
import type { Db } from './store.js';

/**
 * The digest of a folder's baseline: SHA-256 over its canonical form, which the violation log
 * records (`files.baselined`) so that an edit of the baseline database shows:
 *
 *   "baomi.fim/1" NUL folder LF
 *   then for each entry, sorted by path (bytewise, UTF-8):
 *   path NUL size NUL mtime_ns NUL ctime_ns NUL inode NUL sha256 LF
 *
 * Numbers in decimal. Every column the scan trusts is covered: the hash, and the stat fields that
 * let it reuse the hash without reading the file (an edited mtime/ctime/inode could otherwise make
 * a changed file pass as unchanged). A path holds no NUL, the hash no LF: the form is unambiguous.
 * Streamed from SQLite: memory does not grow with the folder.
 */
export function baselineDigest(db: Db, folder: string): { digest: string; files: number } {
  const hash = createHash('sha256');
  hash.update(`baomi.fim/1\0${folder}\n`);
  let files = 0;
  const rows = db
    .prepare(`SELECT path, size, mtime_ns, ctime_ns, ino, sha256 FROM baseline_files WHERE folder = ? ORDER BY path`)
    .raw()
    .safeIntegers()
    .iterate(folder) as IterableIterator<[string, bigint, bigint, bigint, bigint, string]>;
  for (const [path, size, mtime, ctime, ino, sha256] of rows) {
    hash.update(`${path}\0${size}\0${mtime}\0${ctime}\0${ino}\0${sha256}\n`);
    files++;
  }
  return { digest: hash.digest('hex'), files };
}
