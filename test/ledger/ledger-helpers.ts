import path from 'node:path';
import Database from 'better-sqlite3';
import { Ledger, type OpenLedgerOptions } from '../../agent/ledger/ledger.js';
import type { LedgerEventInput } from '../../agent/ledger/events.js';
import { ledgerFiles, verifyLedger, type VerifyResult } from '../../agent/ledger/verify.js';
import { loadAgentKey } from '../../agent/state/agent-key.js';
import { tempDir } from '../helpers.js';

/** A ledger in a new temporary state directory; checkpoints every 16 events unless told. */
export async function openLedger(stateDir = tempDir('baomi-ledger-'), options: Partial<OpenLedgerOptions> = {}): Promise<Ledger> {
  return Ledger.open({ stateDir, checkpointEvery: 16, ...options });
}

/** A small event that differs from the next one. */
export function note(n: number): LedgerEventInput {
  return { type: 'policy.refused', payload: { source: `/etc/baomi/policy-${n}.json`, field: 'rules', reason: `test ${n}` } };
}

/** A closed ledger of `count` events in a new state directory. */
export async function filledLedger(count: number, options: Partial<OpenLedgerOptions> = {}): Promise<string> {
  const ledger = await openLedger(undefined, options);
  for (let n = 1; n <= count; n++) ledger.append(note(n));
  const dir = path.dirname(ledger.file);
  ledger.close();
  return dir;
}

/** Open the database behind the ledger's back, as someone tampering with it would. */
export function tamper(stateDir: string, work: (db: Database.Database) => void): void {
  const db = new Database(ledgerFiles(stateDir).file);
  try {
    work(db);
  } finally {
    db.close();
  }
}

export function verifyDir(stateDir: string): Promise<VerifyResult> {
  return verifyLedger({ ...ledgerFiles(stateDir), key: loadAgentKey(stateDir) });
}
