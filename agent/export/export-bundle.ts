import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { signWithContext } from '../crypto/ed25519.js';
import type { HostIdentity } from '../host-identity.js';
import { GENESIS_HASH } from '../ledger/chain.js';
import type { PayloadOf } from '../ledger/events.js';
import { findGaps, type TimedEvent } from '../ledger/heartbeat-gaps.js';
import type { Ledger } from '../ledger/ledger.js';
import { readIncidents } from '../ledger/read.js';
import { AGENT_VERSION } from '../package-root.js';
import type { PolicyInForce } from '../../policies/in-force.js';
import { computerClassOf } from '../../policies/registry.js';
import {
  BUNDLE_ROOT,
  BUNDLE_SCHEMA,
  bundleTime,
  hostId,
  MANIFEST_FILE,
  PARTIAL_PREFIX,
  SIGNATURE_FILE,
  type BundleManifest,
} from './bundle.js';
import { renderHostCsv, renderHostReport, type HostReportData, type ReportedViolation } from './host-report.js';
import type { InspectionMedium } from './inspection-medium.js';
import { fsyncDirectory, realDirectory, writeNewFile } from './no-follow.js';

export interface ExportOptions {
  ledger: Ledger;
  identity: HostIdentity;
  policy: PolicyInForce;
  medium: InspectionMedium;
  /** Export from this seq (default: the whole log). */
  sinceSeq?: number;
  now?: () => Date;
}

export interface ExportResult {
  /** The finished bundle directory. */
  dir: string;
  manifest: BundleManifest;
}

/** Most violations a report lists one by one (the events file always has all of them). */
const REPORT_LIMIT = 2000;

/**
 * Write a signed bundle of the log onto the inspection medium (see bundle.ts for the layout).
 * It is built in a `.partial-` directory, every file fsynced, then renamed: a stick pulled out
 * mid-way leaves an obviously partial directory, never a bundle that looks whole. On failure the
 * partial directory is removed where possible and the error is thrown for the caller to record.
 */
export function exportBundle({ ledger, identity, policy, medium, sinceSeq = 1, now = () => new Date() }: ExportOptions): ExportResult {
  const checkpoint = ledger.checkpoint();
  const lastSeq = checkpoint.seq;
  const firstSeq = Math.min(Math.max(1, sinceSeq), lastSeq + 1);
  const db = ledger.db;
  const prevHash = firstSeq === 1 ? GENESIS_HASH : (db.prepare(`SELECT hash FROM events WHERE seq = ?`).pluck().get(firstSeq - 1) as Buffer);
  const created = now();
  const id = hostId(identity.hostname, identity.machineId);
  const hostDir = realDirectory(realDirectory(medium.dir, BUNDLE_ROOT), id);
  const time = bundleTime(created);
  const partial = path.join(hostDir, `${PARTIAL_PREFIX}${time}-${process.pid}`);
  fs.mkdirSync(partial, { mode: 0o755 });
  try {
    const hashes: Record<string, string> = {};
    const write = (name: string, chunks: Iterable<string | Buffer>) => {
      const hash = createHash('sha256');
      writeNewFile(
        path.join(partial, name),
        (function* () {
          for (const chunk of chunks) {
            hash.update(chunk);
            yield chunk;
          }
        })(),
      );
      hashes[name] = hash.digest('hex');
    };

    const collected = collect(ledger, firstSeq, lastSeq, policy.policy.schedule.heartbeatMinutes);
    write('events.ndjson', eventLines(ledger, firstSeq, lastSeq));
    const registeredHost = policy.policy.registry.hosts.find((h) => h.hostname === identity.hostname || (h.machineId !== null && h.machineId === identity.machineId));
    const manifestWithoutFiles: Omit<BundleManifest, 'files'> = {
      schema: BUNDLE_SCHEMA,
      createdAt: created.toISOString(),
      host: {
        id,
        hostname: identity.hostname,
        machineId: identity.machineId,
        os: identity.os,
        class: computerClassOf(policy.policy, identity),
        department: registeredHost?.department ?? null,
        owner: registeredHost?.owner ?? null,
      },
      agent: { version: AGENT_VERSION, fingerprint: ledger.key.fingerprint, publicKey: ledger.key.publicRaw.toString('base64') },
      policy: { id: policy.policy.id, version: policy.policy.version, sha256: policy.sha256, signer: policy.signer },
      ledger: {
        firstSeq,
        lastSeq,
        prevHash: prevHash.toString('hex'),
        headHash: checkpoint.hash.toString('hex'),
        checkpoint: {
          seq: checkpoint.seq,
          hash: checkpoint.hash.toString('hex'),
          machineId: checkpoint.machineId,
          signature: checkpoint.signature.toString('base64'),
          time: checkpoint.time,
        },
      },
      counts: {
        events: lastSeq - firstSeq + 1,
        violationsOpened: collected.opened,
        violationsResolved: collected.resolved,
        violationsOpen: collected.report.open.length,
        heartbeatGaps: collected.report.gaps.filter((g) => g.kind !== 'clean-stop').length,
      },
      medium: {
        registryId: medium.entry.id,
        vendorId: medium.medium.usb?.vendorId ?? null,
        productId: medium.medium.usb?.productId ?? null,
        serial: medium.medium.noSerial ? null : medium.medium.serial,
      },
    };
    const reportData: HostReportData = { ...collected.report, manifest: manifestWithoutFiles };
    write('report.html', [renderHostReport(reportData)]);
    write('report.csv', [renderHostCsv(reportData)]);
    const manifest: BundleManifest = { ...manifestWithoutFiles, files: hashes as BundleManifest['files'] };
    const manifestBytes = Buffer.from(JSON.stringify(manifest, null, 2) + '\n', 'utf8');
    writeNewFile(path.join(partial, MANIFEST_FILE), [manifestBytes]);
    writeNewFile(path.join(partial, SIGNATURE_FILE), [signWithContext(BUNDLE_SCHEMA, manifestBytes, ledger.key.privateKey).toString('base64') + '\n']);
    fsyncDirectory(partial);
    let final = path.join(hostDir, time);
    for (let n = 2; fs.existsSync(final); n++) final = path.join(hostDir, `${time}-${n}`);
    fs.renameSync(partial, final);
    fsyncDirectory(hostDir);
    return { dir: final, manifest };
  } catch (error) {
    try {
      fs.rmSync(partial, { recursive: true, force: true });
    } catch {
      // a read-only or pulled stick: the .partial- name already says it is not a bundle
    }
    throw error;
  }
}

/** The stored canonical bodies, one per line, exactly as hashed. */
function* eventLines(ledger: Ledger, firstSeq: number, lastSeq: number): Generator<string> {
  const rows = ledger.db.prepare(`SELECT body FROM events WHERE seq BETWEEN ? AND ? ORDER BY seq`).pluck().iterate(firstSeq, lastSeq);
  for (const body of rows as IterableIterator<string>) yield body + '\n';
}

/** One pass over the range for the report: violations, gaps, inspections; and the open incidents. */
function collect(ledger: Ledger, firstSeq: number, lastSeq: number, heartbeatMinutes: number) {
  const db = ledger.db;
  const timed: TimedEvent[] = [];
  const period: ReportedViolation[] = [];
  const bySeq = new Map<number, ReportedViolation>();
  const inspections: HostReportData['inspections'] = [];
  let opened = 0;
  let resolved = 0;
  const rows = db
    .prepare(`SELECT seq, type, time, CASE WHEN type IN ('violation.opened', 'violation.resolved', 'scan.completed') THEN body END AS body FROM events WHERE seq BETWEEN ? AND ? ORDER BY seq`)
    .iterate(firstSeq, lastSeq) as IterableIterator<{ seq: number; type: string; time: string; body: string | null }>;
  for (const row of rows) {
    if (row.type.startsWith('agent.') || row.type === 'scan.completed') timed.push({ seq: row.seq, type: row.type, time: row.time });
    if (row.body === null) continue;
    const payload = JSON.parse(row.body).payload;
    if (row.type === 'violation.opened') {
      opened++;
      const v = toReported(row.seq, row.time, payload as PayloadOf<'violation.opened'>);
      period.push(v);
      bySeq.set(row.seq, v);
    } else if (row.type === 'violation.resolved') {
      resolved++;
      const target = bySeq.get((payload as PayloadOf<'violation.resolved'>).openedSeq);
      if (target) target.resolvedAt = row.time;
    } else if ((payload as PayloadOf<'scan.completed'>).inspection) {
      const p = payload as PayloadOf<'scan.completed'>;
      inspections.push({ time: row.time, holiday: p.inspection!.holiday, due: p.inspection!.due, trigger: p.trigger });
    }
  }
  const body = db.prepare(`SELECT seq, time, body FROM events WHERE seq = ?`);
  const open = readIncidents(db).map((incident) => {
    const row = body.get(incident.openedSeq) as { seq: number; time: string; body: string };
    return toReported(row.seq, row.time, JSON.parse(row.body).payload as PayloadOf<'violation.opened'>);
  });
  const truncated = Math.max(0, period.length - REPORT_LIMIT);
  return {
    opened,
    resolved,
    report: { open, period: period.slice(truncated), periodTruncated: truncated, gaps: findGaps(timed, heartbeatMinutes), inspections },
  };
}

function toReported(seq: number, time: string, p: PayloadOf<'violation.opened'>): ReportedViolation {
  return { seq, time, rule: p.rule, severity: p.severity, title: p.title, citation: p.citation, device: p.evidence.device, reason: p.evidence.reason, sources: p.evidence.sources ?? [], resolvedAt: null };
}
