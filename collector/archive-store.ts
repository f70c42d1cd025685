import type { BundleManifest } from '../agent/export/bundle.js';
import type { Gap, TimedEvent } from '../agent/ledger/heartbeat-gaps.js';
import type { Db } from './archive.js';
import type { Problem } from './problems.js';
import type { BundleEvent } from './verify-events.js';

/** A host as the archive knows it: its enrolled key and how far its log is archived. */
export interface ArchivedHost {
  id: string;
  fingerprint: string;
  publicKey: Buffer;
  lastSeq: number;
  lastHash: Buffer;
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
      host: p(`SELECT id, fingerprint, public_key AS publicKey, last_seq AS lastSeq, last_hash AS lastHash FROM hosts WHERE id = ?`),
      hostsWithKey: p(`SELECT id FROM hosts WHERE public_key = ? AND id <> ?`).pluck(),
      insertHost: p(`INSERT INTO hosts (id, hostname, machine_id, os, class, department, owner, fingerprint, public_key, enrolled_at, last_seq, last_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      describeHost: p(`UPDATE hosts SET hostname = ?, machine_id = ?, os = ?, class = ?, department = ?, owner = ? WHERE id = ?`),
      advanceHost: p(`UPDATE hosts SET last_seq = ?, last_hash = ? WHERE id = ? AND last_seq < ?`),
      imported: p(`SELECT count(*) FROM bundles WHERE host_id = ? AND status = 'imported' AND manifest_sha256 = ?`).pluck(),
      newest: p(`SELECT created_at AS createdAt, last_seq AS lastSeq, path FROM bundles WHERE host_id = ? AND status = 'imported' ORDER BY created_at DESC LIMIT 1`),
      insertBundle: p(`INSERT INTO bundles (host_id, path, status, manifest_sha256, manifest, created_at, first_seq, last_seq, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      finishBundle: p(`UPDATE bundles SET status = ?, new_events = ? WHERE id = ?`),
      eventHash: p(`SELECT hash FROM events WHERE host_id = ? AND seq = ?`).pluck(),
      insertEvent: p(`INSERT INTO events (host_id, seq, type, time, body, hash, bundle_id) VALUES (?, ?, ?, ?, ?, ?, ?)`),
      insertViolation: p(
        `INSERT OR IGNORE INTO violations (host_id, opened_seq, opened_at, rule, severity, finding_id, title_zh, title_en, citation, device, reason_zh, reason_en) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      resolveViolation: p(`UPDATE violations SET resolved_seq = ?, resolved_at = ? WHERE host_id = ? AND opened_seq = ?`),
      lastBoundary: p(`SELECT max(seq) FROM events WHERE host_id = ? AND seq <= ? AND type IN ('agent.started', 'agent.stopped')`).pluck(),
      timed: p(`SELECT seq, type, time FROM events WHERE host_id = ? AND seq BETWEEN ? AND ? AND (type LIKE 'agent.%' OR type = 'scan.completed') ORDER BY seq`),
      insertGap: p(`INSERT OR IGNORE INTO gaps (host_id, kind, from_seq, to_seq, from_time, to_time, minutes) VALUES (?, ?, ?, ?, ?, ?, ?)`),
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

  enrol(m: BundleManifest, publicKey: Buffer, now: string): void {
    const h = m.host;
    this.s.insertHost.run(h.id, h.hostname, h.machineId, h.os, h.class, h.department, h.owner, m.agent.fingerprint, publicKey, now, 0, Buffer.alloc(32));
  }

  /** The host's description from its newest manifest, and its archived head. */
  advance(m: BundleManifest): void {
    const h = m.host;
    const moved = this.s.advanceHost.run(m.ledger.lastSeq, Buffer.from(m.ledger.headHash, 'hex'), h.id, m.ledger.lastSeq);
    if (moved.changes > 0) this.s.describeHost.run(h.hostname, h.machineId, h.os, h.class, h.department, h.owner, h.id);
  }

  isImported(hostId: string, manifestSha256: string): boolean {
    return (this.s.imported.get(hostId, manifestSha256) as number) > 0;
  }

  newestBundle(hostId: string): { createdAt: string; lastSeq: number; path: string } | undefined {
    return this.s.newest.get(hostId) as { createdAt: string; lastSeq: number; path: string } | undefined;
  }

  insertBundle(hostId: string | null, dir: string, status: BundleStatus, sha256: string | null, m: BundleManifest | null, now: string): number {
    const ledger = m?.ledger;
    return Number(this.s.insertBundle.run(hostId, dir, status, sha256, m ? JSON.stringify(m) : null, m?.createdAt ?? null, ledger?.firstSeq ?? null, ledger?.lastSeq ?? null, now).lastInsertRowid);
  }

  finishBundle(id: number, status: BundleStatus, newEvents: number): void {
    this.s.finishBundle.run(status, newEvents, id);
  }

  eventHash(hostId: string, seq: number): Buffer | undefined {
    return this.s.eventHash.get(hostId, seq) as Buffer | undefined;
  }

  insertEvent(hostId: string, e: BundleEvent, bundleId: number): void {
    this.s.insertEvent.run(hostId, e.seq, e.type, e.time, e.body, e.hash, bundleId);
  }

  insertViolation(hostId: string, seq: number, time: string, v: ViolationRow): void {
    this.s.insertViolation.run(hostId, seq, time, v.rule, v.severity, v.findingId, v.title.zh, v.title.en, v.citation, v.evidence.device, v.evidence.reason.zh, v.evidence.reason.en);
  }

  resolveViolation(hostId: string, openedSeq: number, seq: number, time: string): void {
    this.s.resolveViolation.run(seq, time, hostId, openedSeq);
  }

  /** The archived agent.* and scan.completed events from the last start or stop at or before `seq`, up to `seq`. */
  timedEventsUpTo(hostId: string, seq: number): TimedEvent[] {
    const from = (this.s.lastBoundary.get(hostId, seq) as number | null) ?? 0;
    return this.s.timed.all(hostId, from, seq) as TimedEvent[];
  }

  insertGap(hostId: string, g: Gap): void {
    this.s.insertGap.run(hostId, g.kind, g.fromSeq, g.toSeq, g.from, g.to, g.minutes);
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
  evidence: { device: string; reason: { zh: string; en: string } };
}
