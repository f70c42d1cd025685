import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../agent/state/state-dir.js';
import { BUILTIN_POLICY_FILE, loadPolicyFile, parsePolicy, PolicyError, type LoadedPolicy } from './load.js';
import { verifySignedPolicy } from './signed-policy.js';
import { loadTrustStore } from './trust-store.js';

/**
 * The policy in force on this computer: the officer's signed policy installed in the state
 * directory, verified again at every load, or the built-in default until one is installed.
 */

export const INSTALLED_POLICY_FILE = 'policy.signed.json';
export const BUILTIN_SIGNER = 'builtin';

export interface PolicyInForce extends LoadedPolicy {
  /** Fingerprint of the officer key that signed it, or 'builtin'. */
  signer: string;
  /** The exact policy bytes (for drafts and `policy show`). */
  bytes: Buffer;
}

export interface PolicyPlaces {
  stateDir: string;
  trustDir: string;
}

export interface InForceResult {
  inForce: PolicyInForce;
  /** Why the installed policy could not be used (then the built-in one is in force). */
  refused: PolicyError | null;
}

export function builtinPolicy(): PolicyInForce {
  return { ...loadPolicyFile(BUILTIN_POLICY_FILE), signer: BUILTIN_SIGNER, bytes: fs.readFileSync(BUILTIN_POLICY_FILE) };
}

/**
 * Load the installed policy. One that no longer verifies (edited on disk, its officer's key no
 * longer trusted) is not used: the strict built-in policy applies, and the caller records why.
 */
export function loadPolicyInForce(places: PolicyPlaces): InForceResult {
  const file = path.join(places.stateDir, INSTALLED_POLICY_FILE);
  if (!fs.existsSync(file)) return { inForce: builtinPolicy(), refused: null };
  try {
    return { inForce: openSignedPolicy(fs.readFileSync(file), file, places.trustDir), refused: null };
  } catch (error) {
    if (error instanceof PolicyError) return { inForce: builtinPolicy(), refused: error };
    throw error;
  }
}

/** Verify a signed policy file against the trusted officers' keys, then its schema. */
export function openSignedPolicy(envelope: Buffer, source: string, trustDir: string): PolicyInForce {
  const { bytes, signer } = verifySignedPolicy(envelope, loadTrustStore(trustDir).keys, source);
  return { ...parsePolicy(bytes, source), signer, bytes };
}

export interface Application {
  applied: PolicyInForce;
  previous: PolicyInForce;
  /** The same policy was already in force: nothing changed. */
  unchanged: boolean;
}

/**
 * Apply a signed policy: signature, schema and version are checked, then it is installed
 * atomically. A version not newer than the one in force — or than the newest ever applied here,
 * `highestApplied`, so that removing the installed file does not open a way back — is a
 * rollback and refused. Throws PolicyError; the policy in force is then unchanged.
 */
export function applySignedPolicy(file: string, places: PolicyPlaces, highestApplied = 0): Application {
  let envelope: Buffer;
  try {
    envelope = fs.readFileSync(file);
  } catch (error) {
    throw new PolicyError(file, '', `无法读取 / cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const candidate = openSignedPolicy(envelope, file, places.trustDir);
  const previous = loadPolicyInForce(places).inForce;
  const officerInForce = previous.signer !== BUILTIN_SIGNER;
  if (officerInForce && candidate.sha256 === previous.sha256) return { applied: previous, previous, unchanged: true };
  const floor = Math.max(officerInForce ? previous.policy.version : 0, highestApplied);
  if (candidate.policy.version <= floor) {
    throw new PolicyError(
      file,
      'version',
      `第 ${candidate.policy.version} 版不高于已生效的第 ${floor} 版,拒绝回退 / version ${candidate.policy.version} is not newer than version ${floor} already applied: rollback refused`,
    );
  }
  writeFileAtomic(path.join(places.stateDir, INSTALLED_POLICY_FILE), envelope);
  return { applied: candidate, previous, unchanged: false };
}
