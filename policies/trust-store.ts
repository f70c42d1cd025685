import { createPublicKey, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fingerprint } from '../agent/crypto/ed25519.js';

/** Where the agent finds the public keys of the secrecy officers it trusts. */
export const DEFAULT_TRUST_DIR = '/etc/baomi/officers';

export interface TrustStore {
  keys: Map<string, KeyObject>;
  /** Files that were not trusted, and why (writable by others, not a key …). */
  ignored: { file: string; reason: string }[];
}

/**
 * Load the trusted keys (`*.pub`, PEM). When the agent runs as root, a key file or directory
 * that someone other than root could change is not trusted: otherwise a user could plant a key.
 */
export function loadTrustStore(dir: string): TrustStore {
  const store: TrustStore = { keys: new Map(), ignored: [] };
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => n.endsWith('.pub')).sort();
  } catch {
    return store;
  }
  const dirProblem = unsafeOwnership(dir);
  for (const name of names) {
    const file = path.join(dir, name);
    const problem = dirProblem ?? unsafeOwnership(file);
    if (problem) {
      store.ignored.push({ file, reason: problem });
      continue;
    }
    try {
      const key = createPublicKey(fs.readFileSync(file));
      store.keys.set(fingerprint(key), key);
    } catch (error) {
      store.ignored.push({ file, reason: `not an Ed25519 public key: ${(error as Error).message}` });
    }
  }
  return store;
}

function unsafeOwnership(file: string): string | null {
  if (process.getuid?.() !== 0) return null;
  const stat = fs.statSync(file);
  if (stat.uid !== 0) return 'not owned by root';
  if (stat.mode & 0o022) return 'writable by group or others';
  return null;
}

/** Install an officer's public key into the trust directory; returns its fingerprint. */
export function trustOfficerKey(publicKeyFile: string, dir: string): string {
  const key = createPublicKey(fs.readFileSync(publicKeyFile));
  const fp = fingerprint(key);
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  const target = path.join(dir, `${fp.replace(/^sha256:/, '').replace(/ /g, '')}.pub`);
  fs.writeFileSync(target, key.export({ type: 'spki', format: 'pem' }), { mode: 0o644 });
  fs.chmodSync(target, 0o644);
  return fp;
}
