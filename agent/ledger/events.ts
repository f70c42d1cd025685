import { z } from 'zod';
import { EnrolledDisk, Finding, type FindingKind as FindingKindType } from '../findings/schema.js';
import { Violation } from '../../policies/violation.js';

/**
 * The vocabulary of the violation log. This zod schema is the single source of truth: every
 * event appended is validated against it; payloads are strict so that a misspelt field is an
 * error, not a silently different record. Later issues extend a payload by adding its field here.
 */

export const LEDGER_FORMAT = 'baomi.ledger/1';

export const FINDING_KINDS = Finding.options.map((option) => option.shape.kind.value) as [FindingKindType, ...FindingKindType[]];
export const FindingKind = z.enum(FINDING_KINDS);

export const ScanScope = z.enum(['full', 'quick', 'hotplug', 'deep']);
export type ScanScope = z.infer<typeof ScanScope>;

/** What started a scan: a catch-up is a scheduled scan the computer missed while it was off. */
export const ScanTrigger = z.enum(['manual', 'start', 'schedule', 'catch-up', 'hotplug', 'policy-change']);
export type ScanTrigger = z.infer<typeof ScanTrigger>;

const Hash = z.string().regex(/^[0-9a-f]{64}$/, '64 lowercase hex digits');
const Seq = z.number().int().nonnegative();
const IsoTime = z.iso.datetime();

const event = <T extends string, P extends z.ZodType>(type: T, payload: P) => z.strictObject({ type: z.literal(type), payload });

export const AgentStarted = event(
  'agent.started',
  z.strictObject({
    /** The previous run ended with agent.stopped (false after a crash or power loss). */
    cleanShutdown: z.boolean(),
    version: z.string(),
    pid: z.number().int(),
  }),
);
export const AgentStopped = event('agent.stopped', z.strictObject({ reason: z.string() }));
export const AgentHeartbeat = event('agent.heartbeat', z.strictObject({}));

export const ScanCompleted = event(
  'scan.completed',
  z.strictObject({
    scope: ScanScope,
    trigger: ScanTrigger.optional(),
    /** A pre-holiday inspection (T1 九.3): which holiday, and the day it was due. */
    inspection: z.strictObject({ holiday: z.string(), due: z.iso.date(), report: z.string().nullable() }).optional(),
    /** The finding kinds this scan looked at; absent when it looked at all of them. */
    kinds: z.array(FindingKind).optional(),
    /** When the scan started (the event's own time is when it was recorded). */
    startedAt: IsoTime,
    /** Findings per probe. */
    probes: z.record(z.string(), z.number().int()),
    durationMs: z.number().nonnegative(),
    findings: z.number().int().nonnegative(),
    /** Open incidents (all kinds) after this scan. */
    violationsOpen: z.number().int().nonnegative(),
    policy: z.strictObject({ id: z.string(), version: z.number().int(), sha256: z.string() }),
  }),
);

/**
 * A violation seen for the first time: the policy's verdict as the scan gave it, and the kind of
 * its finding (null for a violation about something absent that no single kind covers).
 */
export const ViolationOpened = event('violation.opened', z.strictObject({ ...Violation.shape, findingKind: FindingKind.nullable() }));
export const ViolationResolved = event(
  'violation.resolved',
  z.strictObject({ rule: Violation.shape.rule, findingId: z.string(), openedSeq: Seq }),
);

export const PolicyApplied = event(
  'policy.applied',
  z.strictObject({
    id: z.string(),
    version: z.number().int(),
    sha256: z.string(),
    /** Fingerprint of the officer key that signed the policy, or 'builtin'. */
    signer: z.string(),
  }),
);
export const PolicyRefused = event(
  'policy.refused',
  z.strictObject({ source: z.string(), field: z.string(), reason: z.string(), sha256: z.string().optional() }),
);

/** Export payloads stay open records until the export issue settles them. */
export const ExportPerformed = event(
  'export.performed',
  z.looseObject({
    destination: z.string(),
    medium: z.record(z.string(), z.unknown()).optional(),
    firstSeq: Seq,
    lastSeq: Seq,
    headHash: Hash,
  }),
);
export const ExportFailed = event('export.failed', z.looseObject({ destination: z.string(), reason: z.string() }));

/** The wall clock went back: `time` is earlier than the previous event's `previousTime`. */
export const ClockSkew = event('clock.skew', z.strictObject({ previousTime: IsoTime, time: IsoTime }));

/** The first event of a chain started because the previous database could not be trusted. */
export const LedgerRecovered = event(
  'ledger.recovered',
  z.strictObject({
    /** Where the old database was moved (never deleted); null when it was missing. */
    file: z.string().nullable(),
    lastVerifiedSeq: Seq,
    lastVerifiedHash: Hash,
    /** unreadable, hash-mismatch, gap, reordered, bad-signature, truncated or rollback. */
    reason: z.string(),
    detail: z.string(),
  }),
);

/**
 * The fixed disks of this computer, recorded at enrolment (the agent's first run) or again by the
 * officer after an authorised repair: the latest one is the baseline.
 */
export const DisksEnrolled = event(
  'disks.enrolled',
  z.strictObject({ reason: z.enum(['first-run', 'officer']), disks: z.array(EnrolledDisk) }),
);

/**
 * A watched folder's baseline was made (first deep scan) or renewed by the officer. The baseline
 * itself is kept beside the log (too big for it); its digest here makes an edit of it evident.
 */
export const FilesBaselined = event(
  'files.baselined',
  z.strictObject({ folder: z.string(), files: z.number().int().nonnegative(), digest: Hash, reason: z.enum(['first-scan', 'officer']) }),
);

export const LedgerEvent = z.discriminatedUnion('type', [
  AgentStarted,
  AgentStopped,
  AgentHeartbeat,
  ScanCompleted,
  ViolationOpened,
  ViolationResolved,
  PolicyApplied,
  PolicyRefused,
  ExportPerformed,
  ExportFailed,
  ClockSkew,
  LedgerRecovered,
  DisksEnrolled,
  FilesBaselined,
]);
/** What a caller appends: a type and its payload. The ledger adds seq, time, boot id and monotonic time. */
export type LedgerEvent = z.infer<typeof LedgerEvent>;
export type LedgerEventInput = z.input<typeof LedgerEvent>;
export type EventType = LedgerEvent['type'];
export type PayloadOf<T extends EventType> = Extract<LedgerEvent, { type: T }>['payload'];
export const EVENT_TYPES = LedgerEvent.options.map((option) => option.shape.type.value) as EventType[];

/**
 * An event as stored and hashed: the envelope the ledger adds around a payload.
 *   time         wall clock, ISO 8601 UTC with milliseconds (may go back: see clock.skew)
 *   bootId       /proc/sys/kernel/random/boot_id, or null where there is none
 *   monotonicMs  whole milliseconds of CLOCK_MONOTONIC (on Linux: since boot, not counting
 *                suspend); comparable between events of the same bootId
 */
export interface EventEnvelope {
  seq: number;
  type: EventType;
  time: string;
  bootId: string | null;
  monotonicMs: number;
  payload: Record<string, unknown>;
}

/** An event read back from the log, with its chain hashes (hex). */
export interface StoredEvent extends EventEnvelope {
  hash: string;
  prevHash: string;
}
