import type { BundleManifest } from '../agent/export/bundle.js';
import type { Gap, TimedEvent } from '../agent/ledger/heartbeat-gaps.js';
import type { Db } from './archive.js';
import type { Problem } from './problems.js';
import type { BundleEvent } from './verify-events.js';
import { sourcePlace } from '../agent/findings/label.js';
import type { TraceSource } from '../agent/findings/schema.js';

/** A host as the archive knows it: its enrolled key, its current epoch and how far that epoch's log is archived. */
export interface ArchivedHost {
  id: string;
  fingerprint: string;
  publicKey: Buffer;
  /** The current chain of its log: 1 from enrolment, one more each time the agent started over. */
  epoch: number;
  lastSeq: number;
  lastHash: Buffer;
}

/** How an epoch began (the epochs table). */
export interface EpochStart {
  hostId: string;
  epoch: number;
  bundleId: number;
  beganAt: string;
  /** The ledger.recovered payload that began it, as JSON; null for a log seen from its start. */
  recovery: string | null;
  /** How the recovery's claim was checked against the archive. */
  claim: string | null;
  previousLastSeq: number | null;
  /** Archived events of the previous epoch after lastVerifiedSeq: the agent no longer has them. */
  kept: number;
}

export type BundleStatus = 'imported' | 'duplicate' | 'refused';

const stores = new WeakMap<Db, ArchiveStore>();

/** The store of a database, its statements prepared on first use. */
export function storeOf(db: Db): ArchiveStore {
  let store = stores.get(db);
  if (store === undefined) stores.set(db, (store = new ArchiveStore(db)));
  return store;
}

/** The statements an import runs, prepared once per database. */
export class ArchiveStore {
  private readonly s;

  constructor(readonly db: Db) {
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      host: p(`SELECT id, fingerprint, public_key AS publicKey, epoch, last_seq AS lastSeq, last_hash AS lastHash FROM hosts WHERE id = ?`),
      hostsWithKey: p(`SELECT id FROM hosts WHERE public_key = ? AND id <> ?`).pluck(),
      insertHost: p(`INSERT INTO hosts (id, hostname, machine_id, os, class, department, owner, fingerprint, public_key, enrolled_at, last_seq, last_hash, epoch) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`),
      describeHost: p(`UPDATE hosts SET hostname = ?, machine_id = ?, os = ?, class = ?, department = ?, owner = ? WHERE id = ?`),
      advanceHost: p(`UPDATE hosts SET last_seq = ?, last_hash = ? WHERE id = ? AND epoch = ? AND last_seq < ?`),
      startEpoch: p(`UPDATE hosts SET epoch = ?, last_seq = ?, last_hash = ? WHERE id = ? AND epoch = ?`),
      insertEpoch: p(`INSERT INTO epochs (host_id, epoch, bundle_id, began_at, recovery, claim, previous_last_seq, kept) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
      epochs: p(`SELECT epoch FROM epochs WHERE host_id = ? ORDER BY epoch`).pluck(),
      imported: p(`SELECT epoch FROM bundles WHERE host_id = ? AND status = 'imported' AND manifest_sha256 = ? LIMIT 1`).pluck(),
      newest: p(`SELECT created_at AS createdAt, last_seq AS lastSeq, path FROM bundles WHERE host_id = ? AND status = 'imported' AND epoch = ? ORDER BY created_at DESC LIMIT 1`),
      insertBundle: p(`INSERT INTO bundles (host_id, path, status, manifest_sha256, manifest, created_at, first_seq, last_seq, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      finishBundle: p(`UPDATE bundles SET status = ?, new_events = ?, epoch = ? WHERE id = ?`),
      eventHash: p(`SELECT hash FROM events WHERE host_id = ? AND epoch = ? AND seq = ?`).pluck(),
      keptAfter: p(`SELECT count(*) AS count, min(seq) AS first, max(seq) AS last FROM events WHERE host_id = ? AND epoch = ? AND seq > ?`),
      insertEvent: p(`INSERT INTO events (host_id, epoch, seq, type, time, body, hash, bundle_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
      insertViolation: p(
        `INSERT OR IGNORE INTO violations (host_id, epoch, opened_seq, opened_at, rule, severity, finding_id, title_zh, title_en, citation, device, reason_zh, reason_en) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      resolveViolation: p(`UPDATE violations SET resolved_seq = ?, resolved_at = ? WHERE host_id = ? AND epoch = ? AND opened_seq = ?`),
      lastBoundary: p(`SELECT max(seq) FROM events WHERE host_id = ? AND epoch = ? AND seq <= ? AND type IN ('agent.started', 'agent.stopped')`).pluck(),
      timed: p(`SELECT seq, type, time FROM events WHERE host_id = ? AND epoch = ? AND seq BETWEEN ? AND ? AND (type LIKE 'agent.%' OR type = 'scan.completed') ORDER BY seq`),
      insertGap: p(`INSERT OR IGNORE INTO gaps (host_id, epoch, kind, from_seq, to_seq, from_time, to_time, minutes) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
      insertProblem: p(`INSERT INTO problems (host_id, bundle_path, bundle_id, kind, detail_zh, detail_en, evidence, time) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
    };
  }

  host(id: string): ArchivedHost | undefined {
    return this.s.host.get(id) as ArchivedHost | undefined;
  }

  /** Other hosts enrolled with this public key. */
  hostsWithKey(publicKey: Buffer, except: string): string[] {
    return this.s.hostsWithKey.all(publicKey, except) as string[];
  }

  /** A new host, at epoch 1 (its epochs row is written with the bundle: see beginEpoch). */
  enrol(m: BundleManifest, publicKey: Buffer, now: string): void {
    const h = m.host;
    this.s.insertHost.run(h.id, h.hostname, h.machineId, h.os, h.class, h.department, h.owner, m.agent.fingerprint, publicKey, now, 0, Buffer.alloc(32));
  }

  /** The host's description from its newest manifest, and the archived head of its current epoch. */
  advance(m: BundleManifest, epoch: number): void {
    const h = m.host;
    const moved = this.s.advanceHost.run(m.ledger.lastSeq, Buffer.from(m.ledger.headHash, 'hex'), h.id, epoch, m.ledger.lastSeq);
    if (moved.changes > 0) this.describe(m);
  }

  /** Record how an epoch began; for a host already enrolled, make it the current one, its head this bundle's. */
  beginEpoch(m: BundleManifest, e: EpochStart, previousEpoch: number | null): void {
    this.s.insertEpoch.run(e.hostId, e.epoch, e.bundleId, e.beganAt, e.recovery, e.claim, e.previousLastSeq, e.kept);
    if (previousEpoch === null) return this.advance(m, e.epoch);
    this.s.startEpoch.run(e.epoch, m.ledger.lastSeq, Buffer.from(m.ledger.headHash, 'hex'), e.hostId, previousEpoch);
    this.describe(m);
  }

  /** The host's epochs, oldest first. */
  epochs(hostId: string): number[] {
    return this.s.epochs.all(hostId) as number[];
  }

  private describe(m: BundleManifest): void {
    const h = m.host;
    this.s.describeHost.run(h.hostname, h.machineId, h.os, h.class, h.department, h.owner, h.id);
  }

  /** The epoch a bundle with this manifest was imported into, if it was. */
  importedInto(hostId: string, manifestSha256: string): number | undefined {
    return this.s.imported.get(hostId, manifestSha256) as number | undefined;
  }

  newestBundle(hostId: string, epoch: number): { createdAt: string; lastSeq: number; path: string } | undefined {
    return this.s.newest.get(hostId, epoch) as { createdAt: string; lastSeq: number; path: string } | undefined;
  }

  insertBundle(hostId: string | null, dir: string, status: BundleStatus, sha256: string | null, m: BundleManifest | null, now: string): number {
    const ledger = m?.ledger;
    return Number(this.s.insertBundle.run(hostId, dir, status, sha256, m ? JSON.stringify(m) : null, m?.createdAt ?? null, ledger?.firstSeq ?? null, ledger?.lastSeq ?? null, now).lastInsertRowid);
  }

  finishBundle(id: number, status: BundleStatus, newEvents: number, epoch: number | null): void {
    this.s.finishBundle.run(status, newEvents, epoch, id);
  }

  eventHash(hostId: string, epoch: number, seq: number): Buffer | undefined {
    return this.s.eventHash.get(hostId, epoch, seq) as Buffer | undefined;
  }

  /** The archived events of an epoch after `seq`: how many, and their first and last seq. */
  eventsAfter(hostId: string, epoch: number, seq: number): { count: number; first: number | null; last: number | null } {
    return this.s.keptAfter.get(hostId, epoch, seq) as { count: number; first: number | null; last: number | null };
  }

  insertEvent(hostId: string, epoch: number, e: BundleEvent, bundleId: number): void {
    this.s.insertEvent.run(hostId, epoch, e.seq, e.type, e.time, e.body, e.hash, bundleId);
  }

  insertViolation(hostId: string, epoch: number, seq: number, time: string, v: ViolationRow): void {
    // A trace of the past keeps where it was read: the first source goes with the reason into the committee's report.
    const source = v.evidence.sources?.[0];
    const where = source === undefined ? ['', ''] : [`(见 ${sourcePlace(source)})`, ` (see ${sourcePlace(source)})`];
    this.s.insertViolation.run(hostId, epoch, seq, time, v.rule, v.severity, v.findingId, v.title.zh, v.title.en, v.citation, v.evidence.device, v.evidence.reason.zh + where[0], v.evidence.reason.en + where[1]);
  }

  resolveViolation(hostId: string, epoch: number, openedSeq: number, seq: number, time: string): void {
    this.s.resolveViolation.run(seq, time, hostId, epoch, openedSeq);
  }

  /** The archived agent.* and scan.completed events of an epoch from the last start or stop at or before `seq`, up to `seq`. */
  timedEventsUpTo(hostId: string, epoch: number, seq: number): TimedEvent[] {
    const from = (this.s.lastBoundary.get(hostId, epoch, seq) as number | null) ?? 0;
    return this.s.timed.all(hostId, epoch, from, seq) as TimedEvent[];
  }

  insertGap(hostId: string, epoch: number, g: Gap): void {
    this.s.insertGap.run(hostId, epoch, g.kind, g.fromSeq, g.toSeq, g.from, g.to, g.minutes);
  }

  insertProblem(p: Problem, bundleId: number | null): void {
    this.s.insertProblem.run(p.host, p.bundle, bundleId, p.kind, p.zh, p.en, p.evidence, p.time);
  }
}

export interface ViolationRow {
  rule: string;
  severity: string;
  findingId: string;
  citation: string;
  title: { zh: string; en: string };
  evidence: { device: string; reason: { zh: string; en: string }; sources?: TraceSource[] };
}
