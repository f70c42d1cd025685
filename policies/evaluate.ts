import type { EnrolledDisk, Finding, FindingKind, TraceSource } from '../agent/findings/schema.js';
import { labelOf } from '../agent/findings/label.js';
import { CHECKS } from './checks/index.js';
import type { Check, CheckContext, Reason } from './checks/check.js';
import { computerClassOf, type HostRef } from './registry.js';
import { SEVERITIES, type Policy, type Rule } from './schema.js';
import type { Violation } from './violation.js';

/** A trace can be in many logs (journal, syslog, kern.log, rotated copies): the violation keeps the first few lines. */
const MAX_SOURCES = 9;

/**
 * (policy, findings) → violations. Pure and deterministic: the same inputs give the same
 * violations in the same order (severity, then rule id, then finding id).
 */
export function evaluate(policy: Policy, findings: readonly Finding[], host: HostRef, facts: EvaluationFacts = {}): Violation[] {
  const context: CheckContext = { policy, host, computerClass: computerClassOf(policy, host), enrolledDisks: facts.enrolledDisks ?? null };
  const violations: Violation[] = [];
  for (const rule of policy.rules) {
    if (!rule.enabled) continue;
    const check: Check = CHECKS[rule.id];
    for (const finding of findings) {
      const test = check[finding.kind] as ((f: Finding, c: CheckContext) => Reason | null) | undefined;
      const why = test?.(finding, context);
      if (why) violations.push(violationOf(rule, finding.id, labelOf(finding), why, 'sources' in finding ? finding.sources : undefined));
    }
    // What is missing can only be told by a scan that looked for it (a quick scan reads no disks).
    const looked = facts.kinds === undefined || Object.keys(check).every((key) => key === 'inventory' || facts.kinds!.has(key as FindingKind));
    for (const missing of (looked && check.inventory?.(findings, context)) || []) {
      violations.push(violationOf(rule, missing.findingId, missing.device, missing.reason));
    }
  }
  return violations.sort(compareViolations);
}

/** What the evaluation knows besides the findings. */
export interface EvaluationFacts {
  /** What this computer was at enrolment, from the agent's log (see CheckContext). */
  enrolledDisks?: readonly EnrolledDisk[] | null;
  /** The kinds of finding the scan looked for; undefined: all of them. */
  kinds?: ReadonlySet<FindingKind>;
}

function violationOf(rule: Rule, findingId: string, device: string, why: Reason, sources?: TraceSource[]): Violation {
  return {
    rule: rule.id,
    severity: rule.severity,
    findingId,
    citation: rule.citations.map((c) => c.ref).join('; '),
    title: rule.title,
    evidence: sources === undefined ? { device, reason: why } : { device, reason: why, sources: sources.slice(0, MAX_SOURCES) },
  };
}

export function compareViolations(a: Violation, b: Violation): number {
  return (
    SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) ||
    compareText(a.rule, b.rule) ||
    compareText(a.findingId, b.findingId)
  );
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
