import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';

/**
 * Ed25519 helpers shared by the agent's own key (ledger checkpoints, export bundles) and the
 * secrecy officers' keys (policies). A key is named by its fingerprint, one format everywhere:
 * `sha256:` then the SHA-256 of the raw 32-byte public key as 64 lowercase hex digits in 16
 * groups of four separated by spaces — short groups to read aloud and compare by telephone.
 */

const SPKI_ED25519_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** The raw 32 bytes of an Ed25519 public key (of a public key, or of the public half of a private one). */
export function rawPublicKey(key: KeyObject): Buffer {
  const der = (key.type === 'public' ? key : createPublicKey(key)).export({ type: 'spki', format: 'der' });
  if (der.length !== 44 || !der.subarray(0, 12).equals(SPKI_ED25519_PREFIX)) throw new Error('not an Ed25519 public key');
  return der.subarray(12);
}

export function publicKeyFromRaw(raw: Buffer): KeyObject {
  if (raw.length !== 32) throw new Error('an Ed25519 public key has 32 bytes');
  return createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: 'der', type: 'spki' });
}

export function fingerprint(key: KeyObject): string {
  return formatFingerprint(rawPublicKey(key));
}

export function formatFingerprint(publicRaw: Buffer): string {
  return `sha256:${createHash('sha256').update(publicRaw).digest('hex').match(/.{4}/g)!.join(' ')}`;
}

export const FINGERPRINT_PATTERN = /^sha256:[0-9a-f]{4}( [0-9a-f]{4}){15}$/;

/** Sign `message` under a context label, so a signature made for one purpose is never valid for another. */
export function signWithContext(context: string, message: Buffer, privateKey: KeyObject): Buffer {
  return sign(null, Buffer.concat([Buffer.from(`${context}\0`), message]), privateKey);
}

export function verifyWithContext(context: string, message: Buffer, signature: Buffer, publicKey: KeyObject): boolean {
  try {
    return verify(null, Buffer.concat([Buffer.from(`${context}\0`), message]), publicKey, signature);
  } catch {
    return false;
  }
}
