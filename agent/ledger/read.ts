import type { EventEnvelope, StoredEvent } from './events.js';
import type { Db } from './store.js';

/** Which events to read: from a seq, and/or from a wall-clock time (ISO), always in seq order. */
export interface EventFilter {
  sinceSeq?: number;
  sinceTime?: string;
  types?: readonly string[];
}

/** Events as stored: everything shown comes from the hashed body, never from another column. */
export function* readEvents(db: Db, filter: EventFilter = {}): IterableIterator<StoredEvent> {
  const where = ['seq >= ?'];
  const params: unknown[] = [filter.sinceSeq ?? 1];
  if (filter.sinceTime !== undefined) {
    where.push('time >= ?');
    params.push(filter.sinceTime);
  }
  if (filter.types !== undefined) {
    where.push(`type IN (${filter.types.map(() => '?').join(', ')})`);
    params.push(...filter.types);
  }
  const rows = db.prepare(`SELECT body, prev_hash AS prevHash, hash FROM events WHERE ${where.join(' AND ')} ORDER BY seq`).iterate(...params);
  for (const row of rows as IterableIterator<{ body: string; prevHash: Buffer; hash: Buffer }>) {
    yield { ...(JSON.parse(row.body) as EventEnvelope), hash: row.hash.toString('hex'), prevHash: row.prevHash.toString('hex') };
  }
}

export interface Incident {
  rule: string;
  findingId: string;
  /** Null when the violation is not tied to one kind of finding. */
  findingKind: string | null;
  openedSeq: number;
  firstSeen: string;
  lastSeen: string;
}

/** The open incidents, oldest first. */
export function readIncidents(db: Db): Incident[] {
  return db
    .prepare(
      `SELECT rule, finding_id AS findingId, finding_kind AS findingKind, opened_seq AS openedSeq, first_seen AS firstSeen, last_seen AS lastSeen
       FROM incidents ORDER BY opened_seq`,
    )
    .all() as Incident[];
}
