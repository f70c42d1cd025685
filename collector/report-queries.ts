import type { Db } from './archive.js';

/** A host of the archive (or one only met in refused bundles: `enrolled` false). */
export interface HostRow {
  id: string;
  hostname: string;
  machineId: string | null;
  os: string | null;
  class: string | null;
  department: string | null;
  owner: string | null;
  fingerprint: string | null;
  enrolled: boolean;
  /** The current epoch of its log (1 unless the agent started its log over); null when not enrolled. */
  epoch: number | null;
  /** The last archived seq of the current epoch. */
  lastSeq: number | null;
  /** When the newest imported bundle was exported (the inspector at the computer). */
  lastInspection: string | null;
  /** When a bundle of this host was last imported here. */
  lastImport: string | null;
  bundles: number;
}

export interface ProblemRow {
  host: string | null;
  bundle: string;
  kind: string;
  zh: string;
  en: string;
  evidence: string;
  time: string;
}

/** Problems recorded at or after `from` (an ISO time; '' for all), oldest first. */
export function problemRows(db: Db, from: string): ProblemRow[] {
  return db
    .prepare(`SELECT host_id AS host, bundle_path AS bundle, kind, detail_zh AS zh, detail_en AS en, evidence, time FROM problems WHERE time >= ? ORDER BY host_id, id`)
    .all(from) as ProblemRow[];
}

/** Every archived host, and every host id named only by problems. */
export function hostRows(db: Db, problems: readonly ProblemRow[]): HostRow[] {
  const rows = db
    .prepare(
      `SELECT h.id, h.hostname, h.machine_id AS machineId, h.os, h.class, h.department, h.owner, h.fingerprint, h.epoch, h.last_seq AS lastSeq,
              (SELECT max(created_at) FROM bundles b WHERE b.host_id = h.id AND b.status = 'imported') AS lastInspection,
              (SELECT max(imported_at) FROM bundles b WHERE b.host_id = h.id AND b.status <> 'refused') AS lastImport,
              (SELECT count(*) FROM bundles b WHERE b.host_id = h.id AND b.status = 'imported') AS bundles
       FROM hosts h ORDER BY h.hostname, h.id`,
    )
    .all() as Omit<HostRow, 'enrolled'>[];
  const hosts: HostRow[] = rows.map((r) => ({ ...r, enrolled: true }));
  const known = new Set(hosts.map((h) => h.id));
  for (const p of problems) {
    if (p.host === null || known.has(p.host)) continue;
    known.add(p.host);
    hosts.push({
      id: p.host,
      hostname: p.host,
      machineId: null,
      os: null,
      class: null,
      department: null,
      owner: null,
      fingerprint: null,
      enrolled: false,
      epoch: null,
      lastSeq: null,
      lastInspection: null,
      lastImport: null,
      bundles: 0,
    });
  }
  return hosts;
}
