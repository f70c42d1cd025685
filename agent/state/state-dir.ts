import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Where the agent keeps what must outlive a run: the violation log, its signed head and the
 * agent's key. Only the agent's user may read it: the directory is 0700, every file 0600, and
 * looser modes found on open are tightened (never loosened).
 */

export const DIR_MODE = 0o700;
export const FILE_MODE = 0o600;

/** `/var/lib/baomi` for root, else `$XDG_STATE_HOME/baomi`, else `~/.local/state/baomi`. */
export function defaultStateDir(
  env: NodeJS.ProcessEnv = process.env,
  uid: number = process.getuid?.() ?? -1,
  home: string = os.homedir(),
): string {
  if (uid === 0) return '/var/lib/baomi';
  const xdg = env.XDG_STATE_HOME;
  // The XDG spec says a relative path is invalid and must be ignored.
  if (xdg && path.isAbsolute(xdg)) return path.join(xdg, 'baomi');
  return path.join(home, '.local', 'state', 'baomi');
}

/** `--state-dir DIR` if given, else the default. The result is absolute. */
export function resolveStateDir(explicit?: string): string {
  return path.resolve(explicit ?? defaultStateDir());
}

/** Create the state directory (0700) or tighten the one found. Returns its path. */
export function ensureStateDir(dir: string): string {
  fs.mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  tighten(dir, DIR_MODE);
  return dir;
}

/** Remove group/other permission bits from an existing file or directory; absent is fine. */
export function tighten(file: string, mode: number = FILE_MODE): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if ((stat.mode & 0o777 & ~mode) !== 0) fs.chmodSync(file, stat.mode & 0o777 & mode);
}

/** Create an empty file with mode 0600 if it does not exist (so that SQLite inherits the mode). */
export function touchPrivate(file: string): void {
  fs.closeSync(fs.openSync(file, 'a', FILE_MODE));
  tighten(file);
}

/** A temporary name beside `file`, unique to this process, recognisable by `isTempFile`. */
export function tempName(file: string): string {
  return `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
}

export function isTempFile(name: string): boolean {
  return /\.tmp-\d+-[0-9a-f]{8}$/.test(name);
}

/**
 * Replace `file` with `data` so that a crash leaves either the old or the new contents, never
 * a mixture: write a temporary file (0600), fsync it, rename it over `file`, fsync the directory.
 */
export function writeFileAtomic(file: string, data: string | Buffer): void {
  const temp = tempName(file);
  writeDurably(temp, data);
  try {
    fs.renameSync(temp, file);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  }
  syncDir(path.dirname(file));
}

/**
 * Create `file` with `data` only if it does not exist yet (two processes starting at once both
 * end up with the same contents). Returns false when another file was already there.
 */
export function createFileExclusive(file: string, data: string | Buffer): boolean {
  const temp = tempName(file);
  writeDurably(temp, data);
  try {
    fs.linkSync(temp, file);
    syncDir(path.dirname(file));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    fs.rmSync(temp, { force: true });
  }
}

/** Remove temporary files a killed process may have left in the state directory. */
export function removeStaleTempFiles(dir: string): void {
  for (const name of fs.readdirSync(dir)) {
    if (!isTempFile(name)) continue;
    const pid = Number(/\.tmp-(\d+)-/.exec(name)![1]);
    if (pid !== process.pid && !processAlive(pid)) fs.rmSync(path.join(dir, name), { force: true });
  }
}

function writeDurably(file: string, data: string | Buffer): void {
  const fd = fs.openSync(file, 'wx', FILE_MODE);
  try {
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function syncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
