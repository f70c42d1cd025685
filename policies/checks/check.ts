import type { EnrolledDisk, Finding, FindingKind, FindingOf } from '../../agent/findings/schema.js';
import type { Classification, Policy, RuleId, Text } from '../schema.js';
import type { HostRef } from '../registry.js';

export interface CheckContext {
  policy: Policy;
  host: HostRef;
  computerClass: Classification;
  /** The fixed disks enrolled at the agent's first run (from its log); null when not known. */
  enrolledDisks: readonly EnrolledDisk[] | null;
}

/** Why a finding breaks a rule (the device label is added by the evaluator). */
export type Reason = Text;

/** A violation not tied to a finding that exists (an enrolled disk that is gone). */
export interface InventoryViolation {
  findingId: string;
  device: string;
  reason: Reason;
}

/**
 * The logic of one rule: per finding kind, a test that returns why the finding breaks the rule,
 * or null. `inventory` looks at all findings at once, for what is missing rather than present.
 */
export type Check = {
  [K in FindingKind]?: (finding: FindingOf<K>, context: CheckContext) => Reason | null;
} & {
  inventory?: (findings: readonly Finding[], context: CheckContext) => InventoryViolation[];
};

export type CheckTable = Record<RuleId, Check>;

/** Build a bilingual reason. */
export const reason = (zh: string, en: string): Reason => ({ zh, en });
