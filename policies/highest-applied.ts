import type { Ledger } from '../agent/ledger/ledger.js';
import type { PayloadOf } from '../agent/ledger/events.js';
import { BUILTIN_SIGNER } from './in-force.js';

/** The newest officer policy version ever applied on this computer, from the log (0: none). */
export function highestAppliedVersion(ledger: Ledger): number {
  let highest = 0;
  for (const event of ledger.events({ types: ['policy.applied'] })) {
    const payload = event.payload as PayloadOf<'policy.applied'>;
    if (payload.signer !== BUILTIN_SIGNER) highest = Math.max(highest, payload.version);
  }
  return highest;
}
