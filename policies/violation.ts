import { z } from 'zod';
import { TraceSource } from '../agent/findings/schema.js';
import { RuleId, Severity, Text } from './schema.js';

/** Why a finding breaks a rule: the device in one line, and the reason in both languages. */
export const Evidence = z.object({
  device: z.string(),
  reason: Text,
  /** For a trace of the past: where it was read (log file and line or journal entry, and time). */
  sources: z.array(TraceSource).optional(),
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
