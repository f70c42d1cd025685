import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { PACKAGE_ROOT } from '../agent/package-root.js';
import { Policy } from './schema.js';

/** A policy that cannot be used, with where and why: `file: field: reason`. */
export class PolicyError extends Error {
  constructor(
    readonly source: string,
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${source}: ${field ? `${field}: ` : ''}${reason}`);
  }
}

export interface LoadedPolicy {
  policy: Policy;
  /** SHA-256 of the exact bytes the policy was read from. */
  sha256: string;
  source: string;
}

/** The policy that applies until an officer's signed policy is installed. */
export const BUILTIN_POLICY_FILE = path.join(PACKAGE_ROOT, 'policies', 'cn-office-standalone.policy.json');

export function loadPolicyFile(file: string): LoadedPolicy {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (error) {
    throw new PolicyError(file, '', `cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  return parsePolicy(bytes, file);
}

/** Parse and validate policy bytes. Throws PolicyError naming the first bad field. */
export function parsePolicy(bytes: Buffer, source: string): LoadedPolicy {
  const text = bytes.toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new PolicyError(source, '', `not valid JSON: ${describeJsonError(error as Error, text)}`);
  }
  return { policy: validatePolicy(json, source), sha256: createHash('sha256').update(bytes).digest('hex'), source };
}

/** Check parsed JSON against the policy schema. Throws PolicyError naming the first bad field. */
export function validatePolicy(json: unknown, source: string): Policy {
  const result = Policy.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new PolicyError(source, formatPath(issue.path), describeIssue(issue));
  }
  return result.data;
}

/** rules[3].severity */
export function formatPath(parts: readonly PropertyKey[]): string {
  return parts
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join('');
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  if (issue.code === 'invalid_type' && issue.message.includes('received undefined')) return `missing (expected ${issue.expected})`;
  if (issue.code === 'invalid_key') return `invalid key: ${issue.issues[0]?.message ?? issue.message}`;
  return issue.message;
}

function describeJsonError(error: Error, text: string): string {
  const position = /position (\d+)/.exec(error.message);
  if (!position) return error.message;
  const before = text.slice(0, Number(position[1]));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `${error.message.replace(/ in JSON at position \d+.*$/, '')} at line ${line}, column ${column}`;
}
