import { z } from 'zod';

/**
 * The export bundle: what an inspector carries from a computer to the collector.
 *
 *   BAOMI/<host-id>/<UTC time, e.g. 20261128T065000Z>/
 *     manifest.json   this schema (baomi.bundle/1)
 *     manifest.sig    Ed25519 by the agent key over the exact bytes of manifest.json,
 *                     with the context: "baomi.bundle/1" ‖ NUL ‖ manifest bytes (base64 text)
 *     events.ndjson   the log's events firstSeq…lastSeq, one per line, each line exactly the
 *                     stored canonical body (see agent/ledger/chain.ts), so that
 *                     hash(n) = SHA-256(hash(n-1) ‖ line n) with hash(firstSeq-1) = ledger.prevHash
 *     report.html     for people: self-contained zh-CN report (no script, no external resource)
 *     report.csv      the same violations for Excel (UTF-8 with BOM)
 *
 * The bundle is written in `BAOMI/<host-id>/.partial-<time>/` and renamed when complete: a
 * directory whose name starts with `.partial-` was interrupted and is not a bundle.
 */

export const BUNDLE_SCHEMA = 'baomi.bundle/1';
export const BUNDLE_ROOT = 'BAOMI';
export const PARTIAL_PREFIX = '.partial-';
export const BUNDLE_FILES = ['events.ndjson', 'report.html', 'report.csv'] as const;
export const MANIFEST_FILE = 'manifest.json';
export const SIGNATURE_FILE = 'manifest.sig';

const Hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const Seq = z.number().int().nonnegative();

export const BundleManifest = z.strictObject({
  schema: z.literal(BUNDLE_SCHEMA),
  createdAt: z.iso.datetime(),
  host: z.strictObject({
    /** The directory name under BAOMI/: hostname and machine id, safe on FAT. */
    id: z.string().regex(/^[A-Za-z0-9._-]{1,80}$/),
    hostname: z.string(),
    machineId: z.string().nullable(),
    os: z.string(),
    /** From the policy's host registry, when the computer is registered there. */
    class: z.string().nullable(),
    department: z.string().nullable(),
    owner: z.string().nullable(),
  }),
  agent: z.strictObject({
    version: z.string(),
    /** Fingerprint of the agent key, as `baomi-agent identity` prints it. */
    fingerprint: z.string(),
    /** The raw 32-byte Ed25519 public key, base64. */
    publicKey: z.base64(),
  }),
  policy: z.strictObject({ id: z.string(), version: z.number().int(), sha256: Hex64, signer: z.string() }),
  ledger: z.strictObject({
    firstSeq: Seq,
    lastSeq: Seq,
    /** hash(firstSeq - 1): the genesis (64 zeros) for a bundle from the beginning. */
    prevHash: Hex64,
    headHash: Hex64,
    /** The checkpoint signed for this export at lastSeq. */
    checkpoint: z.strictObject({ seq: Seq, hash: Hex64, machineId: z.string().nullable(), signature: z.base64(), time: z.iso.datetime() }),
  }),
  /** Counts for people and for a quick look; the collector recomputes them from the events. */
  counts: z.strictObject({
    events: z.number().int().nonnegative(),
    violationsOpened: z.number().int().nonnegative(),
    violationsResolved: z.number().int().nonnegative(),
    violationsOpen: z.number().int().nonnegative(),
    heartbeatGaps: z.number().int().nonnegative(),
  }),
  /** The inspection medium the bundle was written to. */
  medium: z.strictObject({
    registryId: z.string(),
    vendorId: z.string().nullable(),
    productId: z.string().nullable(),
    serial: z.string().nullable(),
  }),
  /** SHA-256 of every other file of the bundle. */
  files: z.strictObject(Object.fromEntries(BUNDLE_FILES.map((f) => [f, Hex64])) as Record<(typeof BUNDLE_FILES)[number], typeof Hex64>),
});
export type BundleManifest = z.infer<typeof BundleManifest>;

/** The bytes the agent signs for a manifest. */
export function manifestSigningMessage(manifestBytes: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${BUNDLE_SCHEMA}\0`), manifestBytes]);
}

/** A name made only of characters every file system (FAT included) accepts. */
export function safeName(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^[._-]+/, '').slice(0, 48) || 'host';
}

export function hostId(hostname: string, machineId: string | null): string {
  return machineId ? `${safeName(hostname)}-${machineId.slice(0, 12)}` : safeName(hostname);
}

/** 2026-11-28T06:50:00.123Z → 20261128T065000Z */
export function bundleTime(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}
