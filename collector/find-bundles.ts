import fs from 'node:fs';
import path from 'node:path';
import { BUNDLE_FILES, BUNDLE_ROOT, MANIFEST_FILE, PARTIAL_PREFIX, SIGNATURE_FILE } from '../agent/export/bundle.js';

/**
 * Finding bundles under the paths an inspector names: a stick's mount point, its BAOMI/, a host's
 * directory or one bundle. Only the named paths themselves may be links (the inspector chose
 * them); below them nothing is followed (readdir's types are lstat's), and a link found there is
 * reported. A `.partial-` directory is an interrupted export: reported, never read as a bundle.
 */

export interface Notice {
  kind: 'interrupted-export' | 'symlink';
  path: string;
  host: string | null;
}

export interface Found {
  bundles: string[];
  notices: Notice[];
}

/** How deep below a named path bundles are looked for (mount/BAOMI/host/bundle is 3). */
const MAX_DEPTH = 6;
const BUNDLE_NAMES = new Set<string>([MANIFEST_FILE, SIGNATURE_FILE, ...BUNDLE_FILES]);

export class PathError extends Error {}

export function findBundles(paths: readonly string[]): Found {
  const found: Found = { bundles: [], notices: [] };
  const seen = new Set<string>();
  for (const given of paths) {
    let real: string;
    try {
      real = fs.realpathSync(given);
    } catch (error) {
      throw new PathError(`${given}: 无法访问 / cannot be read (${(error as NodeJS.ErrnoException).code})`);
    }
    if (!fs.statSync(real).isDirectory()) throw new PathError(`${given}: 不是目录 / not a directory`);
    walk(real, 0, found, seen);
  }
  return found;
}

/** The host id a bundle's place names: the directory above it when that is under BAOMI/. */
export function hostOfPath(dir: string): string | null {
  const hostDir = path.dirname(dir);
  return path.basename(path.dirname(hostDir)) === BUNDLE_ROOT ? path.basename(hostDir) : null;
}

function walk(dir: string, depth: number, found: Found, seen: Set<string>): void {
  if (seen.has(dir)) return;
  seen.add(dir);
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return; // unreadable directories hold nothing we could verify
  }
  if (entries.some((e) => BUNDLE_NAMES.has(e.name))) {
    found.bundles.push(dir);
    return;
  }
  if (depth >= MAX_DEPTH) return;
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const child = path.join(dir, entry.name);
    if (entry.name.startsWith(PARTIAL_PREFIX)) {
      found.notices.push({ kind: 'interrupted-export', path: child, host: hostOfPath(child) });
    } else if (entry.isSymbolicLink()) {
      if (isUnderBaomi(child)) found.notices.push({ kind: 'symlink', path: child, host: hostOfPath(child) ?? hostOfPath(path.join(child, 'x')) });
    } else if (entry.isDirectory() && !entry.name.startsWith('.')) {
      walk(child, depth + 1, found, seen);
    }
  }
}

/** Links matter on the stick's own tree; elsewhere (a home directory) they are just not followed. */
function isUnderBaomi(file: string): boolean {
  return file.split(path.sep).includes(BUNDLE_ROOT);
}
