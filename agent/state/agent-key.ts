import crypto, { type KeyObject } from 'node:crypto';
import { formatFingerprint, rawPublicKey } from '../crypto/ed25519.js';
import fs from 'node:fs';
import path from 'node:path';
import { createFileExclusive, tighten } from './state-dir.js';

/**
 * The agent's own Ed25519 key: it signs the checkpoints of the violation log, so that an
 * inspector holding the enrolled public key can tell a log this agent wrote from an edited one.
 * Generated on first use, kept as PKCS#8 PEM in `agent.key` (0600) in the state directory.
 */

export const AGENT_KEY_FILE = 'agent.key';

export interface AgentKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** The raw 32-byte Ed25519 public key. */
  publicRaw: Buffer;
  /** `sha256:` and the SHA-256 of publicRaw in groups of four hex digits (see agent/crypto/ed25519.ts). */
  fingerprint: string;
  file: string;
}

/** The agent key of a state directory, generated if there is none yet. */
export function loadOrCreateAgentKey(stateDir: string): AgentKey {
  const file = path.join(stateDir, AGENT_KEY_FILE);
  if (!fs.existsSync(file)) {
    const { privateKey } = crypto.generateKeyPairSync('ed25519');
    // If another process created it meanwhile, its key wins and ours is dropped.
    createFileExclusive(file, privateKey.export({ format: 'pem', type: 'pkcs8' }));
  }
  return loadAgentKey(stateDir)!;
}

/** The agent key of a state directory, or undefined when there is none (never creates one). */
export function loadAgentKey(stateDir: string): AgentKey | undefined {
  const file = path.join(stateDir, AGENT_KEY_FILE);
  let pem: Buffer;
  try {
    pem = fs.readFileSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  tighten(file);
  const privateKey = crypto.createPrivateKey(pem);
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`${file}: not an Ed25519 private key`);
  return fromPrivateKey(privateKey, file);
}

export function fromPrivateKey(privateKey: KeyObject, file = ''): AgentKey {
  const publicKey = crypto.createPublicKey(privateKey);
  const publicRaw = rawPublicKey(publicKey);
  return { privateKey, publicKey, publicRaw, fingerprint: formatFingerprint(publicRaw), file };
}

export { formatFingerprint, rawPublicKey };
