import type { KeyObject } from 'node:crypto';
import { BUNDLE_FILES, type BundleManifest } from '../agent/export/bundle.js';
import { checkpointMessage } from '../agent/ledger/checkpoint.js';
import { hashFile } from './bundle-files.js';
import { checkEvents, type BundleEvent } from './verify-events.js';
import { checkManifest, fileCheck, verifySignature } from './verify-manifest.js';
import { check, type Check } from './problems.js';

/** A bundle, verified on its own (no archive): what it says, and every check that failed. */
export interface BundleVerification {
  dir: string;
  manifest: BundleManifest | null;
  manifestSha256: string | null;
  publicKey: KeyObject | null;
  checks: Check[];
}

export interface VerifyHooks {
  /**
   * Called once the manifest is read (before the events), with whether it held so far (schema,
   * signature, fingerprint): returns what to do with each good event, if anything.
   */
  onManifest?(head: ManifestHead): ((event: BundleEvent) => void) | undefined;
}

/** A manifest whose schema held and whose key could be read; `trusted`: no check failed so far. */
export interface ManifestHead {
  manifest: BundleManifest;
  sha256: string;
  trusted: boolean;
}

/**
 * Every check of a bundle (see bundle.ts, the contract): the manifest's schema, manifest.sig, the
 * fingerprint, each file's SHA-256, the events (canonical lines, contiguous seqs, the chain from
 * prevHash to headHash) and the checkpoint the agent signed at lastSeq. `eventsContent`: the
 * bytes of events.ndjson when the caller has read them already (pre-verify.ts).
 */
export function verifyBundle(dir: string, hooks: VerifyHooks = {}, eventsContent?: Buffer): BundleVerification {
  const head = checkManifest(dir);
  const result: BundleVerification = { dir, manifest: head.manifest, manifestSha256: head.sha256, publicKey: head.publicKey, checks: [...head.checks] };
  const { manifest, publicKey } = head;
  if (manifest === null || publicKey === null) return result;
  const onEvent = hooks.onManifest?.({ manifest, sha256: head.sha256!, trusted: result.checks.length === 0 });
  result.checks.push(...checkEvents(dir, manifest, onEvent, eventsContent));
  for (const name of BUNDLE_FILES) {
    if (name === 'events.ndjson') continue;
    try {
      const actual = hashFile(dir, name);
      if (actual !== manifest.files[name]) {
        result.checks.push(check('file-hash', `${name} 的 SHA-256 与清单不符(文件被修改)`, `${name}’s SHA-256 differs from the manifest (the file was changed)`, `${name}: ${actual}; manifest ${manifest.files[name]}`));
      }
    } catch (error) {
      result.checks.push(fileCheck(error));
    }
  }
  result.checks.push(...checkCheckpoint(manifest, publicKey));
  return result;
}

/** The checkpoint must be at lastSeq over headHash, for this machine, signed by the manifest's key. */
function checkCheckpoint(manifest: BundleManifest, publicKey: KeyObject): Check[] {
  const { checkpoint, lastSeq, headHash } = manifest.ledger;
  const checks: Check[] = [];
  const evidence = `checkpoint seq ${checkpoint.seq} hash ${checkpoint.hash} machineId ${checkpoint.machineId ?? 'null'}`;
  if (checkpoint.seq !== lastSeq || checkpoint.hash !== headHash || checkpoint.machineId !== manifest.host.machineId) {
    checks.push(
      check(
        'bad-checkpoint',
        `检查点与清单不符(应为第 ${lastSeq} 条、headHash、本机标识)`,
        `the checkpoint does not match the manifest (it must be at seq ${lastSeq}, over headHash, for this machine id)`,
        `${evidence}; manifest lastSeq ${lastSeq} headHash ${headHash} machineId ${manifest.host.machineId ?? 'null'}`,
      ),
    );
  }
  const message = checkpointMessage(checkpoint.seq, Buffer.from(checkpoint.hash, 'hex'), checkpoint.machineId);
  if (!verifySignature(message, publicKey, Buffer.from(checkpoint.signature, 'base64'))) {
    checks.push(check('bad-checkpoint', '检查点签名无法用代理公钥验证', 'the checkpoint’s signature does not verify with the agent key', evidence));
  }
  return checks;
}
