import { z } from 'zod';
import { RuleId, Severity, Text } from './schema.js';

/** Why a finding breaks a rule: the device in one line, and the reason in both languages. */
export const Evidence = z.object({
  device: z.string(),
  reason: Text,
});
export type Evidence = z.infer<typeof Evidence>;

/** A finding that breaks a rule of the policy in force. */
export const Violation = z.object({
  rule: RuleId,
  severity: Severity,
  findingId: z.string(),
  /** The articles, e.g. "T3 第十四条(六)"; several are joined with "; ". */
  citation: z.string(),
  title: Text,
  evidence: Evidence,
});
export type Violation = z.infer<typeof Violation>;
