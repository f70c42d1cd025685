import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { z } from 'zod';
import { BUILTIN_POLICY_FILE, loadPolicyFile, parsePolicy, PolicyError } from '../policies/load.js';
import type { Policy } from '../policies/schema.js';
import { isSignedPolicy, SIGNED_POLICY_SCHEMA } from '../policies/signed-policy.js';

/**
 * The office's policy, as the collector reads it: for its host registry (the computers that
 * should be inspected) and its heartbeat period (to find silences). A plain policy file or the
 * officer's signed envelope; the collector does not apply it, so it checks the envelope's digest
 * but has no trust store to check its signature against.
 */

const Envelope = z.looseObject({ schema: z.literal(SIGNED_POLICY_SCHEMA), sha256: z.string(), policy: z.base64() });

export function loadOfficePolicy(file: string | undefined): Policy {
  if (file === undefined) return loadPolicyFile(BUILTIN_POLICY_FILE).policy;
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (error) {
    throw new PolicyError(file, '', `无法读取 / cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  if (!isSignedPolicy(bytes)) return parsePolicy(bytes, file).policy;
  const envelope = Envelope.safeParse(JSON.parse(bytes.toString('utf8')));
  if (!envelope.success) throw new PolicyError(file, envelope.error.issues[0]!.path.join('.'), '不是有效的签名策略文件 / not a valid signed policy');
  const inner = Buffer.from(envelope.data.policy, 'base64');
  if (createHash('sha256').update(inner).digest('hex') !== envelope.data.sha256) {
    throw new PolicyError(file, 'sha256', '策略内容与摘要不符 / the policy does not match its digest');
  }
  return parsePolicy(inner, file).policy;
}
