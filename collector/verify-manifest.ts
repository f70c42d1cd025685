import { createHash, verify, type KeyObject } from 'node:crypto';
import { publicKeyFromRaw } from '../agent/crypto/ed25519.js';
import { BundleManifest, MANIFEST_FILE, manifestSigningMessage, SIGNATURE_FILE } from '../agent/export/bundle.js';
import { formatFingerprint } from '../agent/state/agent-key.js';
import { BundleFileError, readSmallFile } from './bundle-files.js';
import { check, type Check } from './problems.js';

/** What the manifest of a bundle says, and whether it can be believed. */
export interface ManifestResult {
  /** The manifest when it has the schema (even if its signature fails: see `checks`). */
  manifest: BundleManifest | null;
  /** SHA-256 of the exact manifest bytes: the identity of a bundle (a re-import is the same). */
  sha256: string | null;
  publicKey: KeyObject | null;
  checks: Check[];
}

const MAX_MANIFEST_BYTES = 1 << 20;
const MAX_SIGNATURE_BYTES = 1024;

export function fileCheck(error: unknown): Check {
  if (error instanceof BundleFileError) return check('unreadable', `${error.file}:${error.zh}`, `${error.file}: ${error.en}`, error.file);
  throw error;
}

/**
 * The manifest against its schema, manifest.sig against the public key it names (Ed25519 over
 * "baomi.bundle/1" ‖ NUL ‖ the manifest bytes), and the fingerprint against that key.
 */
export function checkManifest(dir: string): ManifestResult {
  const result: ManifestResult = { manifest: null, sha256: null, publicKey: null, checks: [] };
  let bytes: Buffer;
  let signatureText: string;
  try {
    bytes = readSmallFile(dir, MANIFEST_FILE, MAX_MANIFEST_BYTES);
    signatureText = readSmallFile(dir, SIGNATURE_FILE, MAX_SIGNATURE_BYTES).toString('utf8').trim();
  } catch (error) {
    result.checks.push(fileCheck(error));
    return result;
  }
  result.sha256 = createHash('sha256').update(bytes).digest('hex');
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    result.checks.push(check('manifest-invalid', `manifest.json 不是 JSON:${(error as Error).message}`, `manifest.json is not JSON: ${(error as Error).message}`));
    return result;
  }
  const parsed = BundleManifest.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.join('.') || '(top)';
    result.checks.push(check('manifest-invalid', `manifest.json 的 ${where}:${issue.message}`, `manifest.json ${where}: ${issue.message}`, where));
    return result;
  }
  const manifest = parsed.data;
  result.manifest = manifest;
  const raw = Buffer.from(manifest.agent.publicKey, 'base64');
  if (raw.length !== 32) {
    result.checks.push(check('manifest-invalid', `公钥应为 32 字节,实为 ${raw.length} 字节`, `the public key has ${raw.length} bytes, not 32`, 'agent.publicKey'));
    return result;
  }
  const publicKey = publicKeyFromRaw(raw);
  result.publicKey = publicKey;
  const signature = Buffer.from(signatureText, 'base64');
  if (!verifySignature(manifestSigningMessage(bytes), publicKey, signature)) {
    result.checks.push(
      check(
        'bad-signature',
        'manifest.sig 无法用清单所列公钥验证:清单在签名后被修改,或签名不是该代理的',
        'manifest.sig does not verify with the manifest’s public key: the manifest was changed after signing, or the signature is not this agent’s',
        `manifest sha256 ${result.sha256}; key ${formatFingerprint(raw)}`,
      ),
    );
  }
  const actual = formatFingerprint(raw);
  if (actual !== manifest.agent.fingerprint) {
    result.checks.push(
      check('fingerprint-mismatch', '清单中的指纹不是其公钥的指纹', 'the manifest’s fingerprint is not that of its public key', `manifest says ${manifest.agent.fingerprint}; the key's is ${actual}`),
    );
  }
  return result;
}

export function verifySignature(message: Buffer, publicKey: KeyObject, signature: Buffer): boolean {
  try {
    return signature.length === 64 && verify(null, message, publicKey, signature);
  } catch {
    return false;
  }
}
