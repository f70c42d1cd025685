import { createHash, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { FINGERPRINT_PATTERN, fingerprint, signWithContext, verifyWithContext } from '../agent/crypto/ed25519.js';
import { PolicyError } from './load.js';
import { POLICY_SCHEMA_ID } from './schema.js';

/**
 * A signed policy is an envelope around the exact bytes of a policy file:
 *
 *   { "schema": "baomi.signed-policy/1", "signer": "sha256:ab12 cd34 …", "sha256": "<hex of the policy bytes>",
 *     "policy": "<base64 of the policy bytes>", "signature": "<base64 Ed25519>" }
 *
 * The signature is Ed25519 over `baomi.signed-policy/1` ‖ NUL ‖ policy bytes, so it covers
 * everything the agent applies, registry included, byte for byte. One file travels from the
 * officer to the computer; `policy` decodes to the JSON the officer wrote.
 */

export const SIGNED_POLICY_SCHEMA = 'baomi.signed-policy/1';

const Envelope = z.strictObject({
  schema: z.literal(SIGNED_POLICY_SCHEMA),
  signer: z.string().regex(FINGERPRINT_PATTERN),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  policy: z.base64(),
  signature: z.base64(),
});

export function signPolicy(policyBytes: Buffer, privateKey: KeyObject): string {
  const envelope: z.infer<typeof Envelope> = {
    schema: SIGNED_POLICY_SCHEMA,
    signer: fingerprint(privateKey),
    sha256: createHash('sha256').update(policyBytes).digest('hex'),
    policy: policyBytes.toString('base64'),
    signature: signWithContext(SIGNED_POLICY_SCHEMA, policyBytes, privateKey).toString('base64'),
  };
  return JSON.stringify(envelope, null, 2) + '\n';
}

/** Whether bytes look like a signed policy envelope (as opposed to a plain policy). */
export function isSignedPolicy(bytes: Buffer): boolean {
  try {
    return (JSON.parse(bytes.toString('utf8')) as { schema?: unknown })?.schema === SIGNED_POLICY_SCHEMA;
  } catch {
    return false;
  }
}

export interface VerifiedPolicy {
  /** The exact policy bytes that were signed. */
  bytes: Buffer;
  signer: string;
}

/** Open a signed policy with the trusted officers' keys. Throws PolicyError naming what is wrong. */
export function verifySignedPolicy(envelopeBytes: Buffer, trusted: ReadonlyMap<string, KeyObject>, source: string): VerifiedPolicy {
  let json: unknown;
  try {
    json = JSON.parse(envelopeBytes.toString('utf8'));
  } catch {
    throw new PolicyError(source, '', '不是签名策略文件(无法解析 JSON)/ not a signed policy (not JSON)');
  }
  if ((json as { schema?: unknown })?.schema === POLICY_SCHEMA_ID) {
    throw new PolicyError(source, 'signature', '策略未签名,请先由保密员签名 / unsigned policy: have the secrecy officer sign it (baomi-agent policy sign)');
  }
  const parsed = Envelope.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new PolicyError(source, issue.path.join('.'), `不是有效的签名策略文件 / not a valid signed policy: ${issue.message}`);
  }
  const envelope = parsed.data;
  const key = trusted.get(envelope.signer);
  if (key === undefined) {
    throw new PolicyError(source, 'signer', `签名者不受信任 / signed by an untrusted key ${envelope.signer}`);
  }
  const bytes = Buffer.from(envelope.policy, 'base64');
  const digestMatches = createHash('sha256').update(bytes).digest('hex') === envelope.sha256;
  if (!digestMatches || !verifyWithContext(SIGNED_POLICY_SCHEMA, bytes, Buffer.from(envelope.signature, 'base64'), key)) {
    throw new PolicyError(source, 'signature', '签名无效:策略在签名后被修改 / bad signature: the policy was changed after signing');
  }
  return { bytes, signer: envelope.signer };
}
