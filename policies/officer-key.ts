import { createCipheriv, createDecipheriv, createPrivateKey, generateKeyPairSync, randomBytes, scryptSync, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { fingerprint } from '../agent/crypto/ed25519.js';

/**
 * A secrecy officer's signing key. The private key is kept encrypted under a passphrase:
 * scrypt (memory-hard, N=2^17) derives an AES-256-GCM key; the file is a small JSON document so
 * that its parameters are visible and can be raised later. The public key is standard PEM (SPKI).
 */

export const OFFICER_KEY_SCHEMA = 'baomi.officer-key/1';
const SCRYPT = { N: 2 ** 17, r: 8, p: 1, maxmem: 256 * 1024 * 1024 };

const EncryptedKey = z.strictObject({
  schema: z.literal(OFFICER_KEY_SCHEMA),
  fingerprint: z.string(),
  kdf: z.strictObject({ name: z.literal('scrypt'), N: z.number().int(), r: z.number().int(), p: z.number().int(), salt: z.base64() }),
  cipher: z.strictObject({ name: z.literal('aes-256-gcm'), iv: z.base64(), tag: z.base64() }),
  /** The PKCS#8 DER private key, encrypted. */
  ciphertext: z.base64(),
});

export interface OfficerKeyPair {
  /** JSON text of the encrypted private key file. */
  privateKeyFile: string;
  /** PEM text of the public key file. */
  publicKeyPem: string;
  fingerprint: string;
}

export function generateOfficerKey(passphrase: string): OfficerKeyPair {
  if (passphrase.length < 8) throw new Error('口令至少 8 个字符 / the passphrase needs at least 8 characters');
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const key = scryptSync(passphrase.normalize('NFC'), salt, 32, SCRYPT);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(privateKey.export({ type: 'pkcs8', format: 'der' })), cipher.final()]);
  const fp = fingerprint(publicKey);
  const file = {
    schema: OFFICER_KEY_SCHEMA,
    fingerprint: fp,
    kdf: { name: 'scrypt', N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p, salt: salt.toString('base64') },
    cipher: { name: 'aes-256-gcm', iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64') },
    ciphertext: ciphertext.toString('base64'),
  };
  return {
    privateKeyFile: JSON.stringify(file, null, 2) + '\n',
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    fingerprint: fp,
  };
}

/** Decrypt an officer key file. A wrong passphrase and a damaged file are told apart where possible. */
export function openOfficerKey(fileText: string, passphrase: string): KeyObject {
  let parsed: z.infer<typeof EncryptedKey>;
  try {
    parsed = EncryptedKey.parse(JSON.parse(fileText));
  } catch {
    throw new Error('不是 baomi 保密员私钥文件 / not a baomi officer key file');
  }
  const { N, r, p, salt } = parsed.kdf;
  const key = scryptSync(passphrase.normalize('NFC'), Buffer.from(salt, 'base64'), 32, { N, r, p, maxmem: 256 * N * r * 2 });
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(parsed.cipher.iv, 'base64'));
  decipher.setAuthTag(Buffer.from(parsed.cipher.tag, 'base64'));
  let der: Buffer;
  try {
    der = Buffer.concat([decipher.update(Buffer.from(parsed.ciphertext, 'base64')), decipher.final()]);
  } catch {
    throw new Error('口令错误或私钥文件已损坏 / wrong passphrase, or the key file is damaged');
  }
  const privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  if (fingerprint(privateKey) !== parsed.fingerprint) throw new Error('私钥文件已损坏 / the key file is damaged');
  return privateKey;
}
