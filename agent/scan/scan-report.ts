import { z } from 'zod';
import { Finding } from '../findings/schema.js';
import { Violation } from '../../policies/violation.js';

export const SCAN_SCHEMA_ID = 'baomi.scan/1';

/** The JSON document `baomi-agent scan --json` prints: one scan of one machine against one policy. */
export const ScanReport = z.object({
  schema: z.literal(SCAN_SCHEMA_ID),
  host: z.object({ hostname: z.string(), machineId: z.string().nullable(), os: z.string() }),
  policy: z.object({ id: z.string(), version: z.number().int(), sha256: z.string() }),
  startedAt: z.iso.datetime(),
  durationMs: z.number().nonnegative(),
  /** Findings per probe. */
  probes: z.record(z.string(), z.number().int()),
  findings: z.array(Finding),
  violations: z.array(Violation),
});
export type ScanReport = z.infer<typeof ScanReport>;
