import fs from 'node:fs';
import path from 'node:path';
import { decodeBytes } from './text/decode-bytes.js';

/** Raised when the host refuses a read (EACCES/EPERM): the probe reports itself unavailable. */
export class HostAccessError extends Error {
  constructor(readonly hostPath: string, readonly code: string) {
    super(`${code}: ${hostPath}`);
  }
}

/** Errors that mean "nothing there" for a kernel interface: absent file, or an attribute that cannot be read now. */
const ABSENT = new Set(['ENOENT', 'ENOTDIR', 'ENODEV', 'ENXIO', 'EINVAL', 'EIO', 'EAGAIN', 'ENODATA', 'EOPNOTSUPP']);
const DENIED = new Set(['EACCES', 'EPERM']);
const MAX_SYMLINK_HOPS = 40;

/**
 * The one place that knows where the host's files are. Every Linux read of the agent (sysfs,
 * procfs, /etc, /run/udev/data, CUPS) goes through a HostRoot, whose root is `/` on a live
 * machine and a captured tree in tests (`--root DIR`). Paths given to it are host paths
 * (`/sys/class/net`); symlinks are resolved inside the root, absolute ones re-rooted.
 */
export class HostRoot {
  readonly root: string;

  constructor(root = '/') {
    this.root = path.resolve(root);
  }

  get isLive(): boolean {
    return this.root === '/';
  }

  /** The path on this machine's file system for a host path. */
  path(hostPath: string): string {
    return this.isLive ? hostPath : path.join(this.root, hostPath);
  }

  /** File contents, or undefined when absent. Throws HostAccessError when denied. */
  readBytes(hostPath: string): Buffer | undefined {
    return this.attempt(hostPath, () => fs.readFileSync(this.path(hostPath)));
  }

  /** File contents as text (lossless for invalid UTF-8, see decodeBytes). */
  readText(hostPath: string): string | undefined {
    const bytes = this.readBytes(hostPath);
    return bytes === undefined ? undefined : decodeBytes(bytes);
  }

  /** A sysfs/procfs attribute: its text without the trailing newline the kernel adds. */
  readAttr(hostPath: string): string | undefined {
    const text = this.readText(hostPath);
    return text === undefined ? undefined : text.replace(/\n$/, '');
  }

  /** Directory entries, sorted; [] when absent. Throws HostAccessError when denied. */
  list(hostPath: string): string[] {
    return this.attempt(hostPath, () => fs.readdirSync(this.path(hostPath)).sort()) ?? [];
  }

  /** The target of a symlink as written, or undefined when it is not one (never throws). */
  readLink(hostPath: string): string | undefined {
    try {
      return fs.readlinkSync(this.path(hostPath));
    } catch {
      return undefined;
    }
  }

  /** When the file was last modified, or undefined when absent. Throws HostAccessError when denied. */
  modifiedAt(hostPath: string): Date | undefined {
    return this.attempt(hostPath, () => fs.statSync(this.path(hostPath)).mtime);
  }

  exists(hostPath: string): boolean {
    return fs.existsSync(this.path(hostPath));
  }

  isDirectory(hostPath: string): boolean {
    try {
      return fs.statSync(this.path(hostPath)).isDirectory();
    } catch {
      return false;
    }
  }

  /**
   * The canonical host path of hostPath with every symlink followed, or undefined when it does
   * not resolve. In a captured tree, an absolute link target is taken inside the root, so a
   * fixture can never make a probe read the tester's own /sys.
   */
  resolve(hostPath: string): string | undefined {
    if (this.isLive) {
      try {
        return fs.realpathSync.native(hostPath);
      } catch {
        return undefined;
      }
    }
    let resolved = '/';
    const pending = splitPath(hostPath);
    let hops = 0;
    while (pending.length > 0) {
      const part = pending.shift()!;
      if (part === '..') {
        resolved = path.posix.dirname(resolved);
        continue;
      }
      const next = path.posix.join(resolved, part);
      let stat: fs.Stats;
      try {
        stat = fs.lstatSync(this.path(next));
      } catch {
        return undefined;
      }
      if (!stat.isSymbolicLink()) {
        resolved = next;
        continue;
      }
      if (++hops > MAX_SYMLINK_HOPS) return undefined;
      const target = fs.readlinkSync(this.path(next));
      if (target.startsWith('/')) resolved = '/';
      pending.unshift(...splitPath(target));
    }
    return resolved;
  }

  private attempt<T>(hostPath: string, read: () => T): T | undefined {
    try {
      return read();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      if (ABSENT.has(code)) return undefined;
      if (DENIED.has(code)) throw new HostAccessError(hostPath, code);
      throw error;
    }
  }
}

function splitPath(p: string): string[] {
  return p.split('/').filter((part) => part !== '' && part !== '.');
}
