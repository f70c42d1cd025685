import { SEVERITIES, type HostEntry, type Policy, type Severity } from '../policies/schema.js';
import type { Db } from './archive.js';
import { hostRows, problemRows, type HostRow, type ProblemRow } from './report-queries.js';

/**
 * Everything the committee's report says, gathered from the archive. The round starts at
 * `since` (when given): a host is inspected this round when a bundle exported since then was
 * imported; violations, gaps and problems are counted from then on. Open violations are those
 * still open in each host's newest archived log: of its current epoch (a violation still open
 * when its log was recovered is not counted open — the agent's new log opens it again if it is
 * still there — and is marked `epochEnded`).
 */

export interface HostSummary extends HostRow {
  inspectedThisRound: boolean;
  open: Record<Severity, number>;
  downtime: { count: number; minutes: number };
  unclean: { count: number; minutes: number };
  problems: ProblemRow[];
  /** Opened and resolved between the last two imports (or in the first, when there is one). */
  trend: { opened: number; resolved: number; first: boolean };
}

export interface RuleSummary {
  rule: string;
  title: { zh: string; en: string };
  citation: string;
  hosts: number;
  violations: number;
  open: number;
}

export interface ViolationLine {
  hostId: string;
  hostname: string;
  department: string | null;
  owner: string | null;
  seq: number;
  rule: string;
  severity: Severity;
  title: { zh: string; en: string };
  citation: string;
  device: string;
  reason: { zh: string; en: string };
  openedAt: string;
  resolvedAt: string | null;
  /** The epoch of the host's log it was recorded in. */
  epoch: number;
  /** Still open when that epoch ended (the agent's log was recovered): neither open now nor resolved. */
  epochEnded: boolean;
}

export interface ReportData {
  generatedAt: string;
  since: string | null;
  hosts: HostSummary[];
  rules: RuleSummary[];
  /** Open now, or opened this round. */
  violations: ViolationLine[];
  /** Registered in the policy, never imported. */
  neverImported: HostEntry[];
  /** Problems found where no host could be named (a broken bundle outside BAOMI/). */
  unattributed: ProblemRow[];
}

export function gatherReport(db: Db, options: { since: string | null; policy: Policy | null; now?: Date }): ReportData {
  const since = options.since;
  const from = since ?? '';
  const problems = problemRows(db, from);
  const openCounts = db
    .prepare(`SELECT v.host_id AS host, v.severity, count(*) AS n FROM violations v JOIN hosts h ON h.id = v.host_id AND h.epoch = v.epoch WHERE v.resolved_seq IS NULL GROUP BY v.host_id, v.severity`)
    .all() as { host: string; severity: Severity; n: number }[];
  const gaps = db.prepare(`SELECT host_id AS host, kind, count(*) AS n, sum(minutes) AS minutes FROM gaps WHERE to_time >= ? GROUP BY host_id, kind`).all(from) as { host: string; kind: string; n: number; minutes: number }[];
  const trendOf = trends(db);
  const hosts = hostRows(db, problems).map((row): HostSummary => {
    const open = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
    for (const c of openCounts) if (c.host === row.id) open[c.severity] += c.n;
    const gap = (kinds: string[]) => gaps.filter((g) => g.host === row.id && kinds.includes(g.kind)).reduce((a, g) => ({ count: a.count + g.n, minutes: a.minutes + g.minutes }), { count: 0, minutes: 0 });
    return {
      ...row,
      inspectedThisRound: row.lastInspection !== null && row.lastInspection >= from,
      open,
      downtime: gap(['clean-stop']),
      unclean: gap(['unclean-stop', 'silence']),
      problems: problems.filter((p) => p.host === row.id),
      trend: trendOf(row.id),
    };
  });

  const violations = (
    db
      .prepare(
        `SELECT v.host_id AS hostId, h.hostname, h.department, h.owner, v.opened_seq AS seq, v.rule, v.severity, v.title_zh, v.title_en, v.citation, v.device,
                v.reason_zh, v.reason_en, v.opened_at AS openedAt, v.resolved_at AS resolvedAt, v.epoch, (v.resolved_seq IS NULL AND v.epoch < h.epoch) AS epochEnded
         FROM violations v JOIN hosts h ON h.id = v.host_id WHERE (v.resolved_seq IS NULL AND v.epoch = h.epoch) OR v.opened_at >= ? ORDER BY h.hostname, v.host_id, v.epoch, v.opened_seq`,
      )
      .all(from) as (Omit<ViolationLine, 'title' | 'reason' | 'epochEnded'> & Record<'title_zh' | 'title_en' | 'reason_zh' | 'reason_en', string> & { epochEnded: number })[]
  ).map(({ title_zh, title_en, reason_zh, reason_en, epochEnded, ...v }) => ({ ...v, epochEnded: epochEnded === 1, title: { zh: title_zh, en: title_en }, reason: { zh: reason_zh, en: reason_en } }));

  const registered = options.policy?.registry.hosts ?? [];
  const neverImported = registered.filter((entry) => !hosts.some((h) => h.enrolled && (h.hostname === entry.hostname || (entry.machineId !== null && h.machineId === entry.machineId))));
  return { generatedAt: (options.now ?? new Date()).toISOString(), since, hosts, rules: ruleSummaries(violations, from, options.policy), violations, neverImported, unattributed: problems.filter((p) => p.host === null) };
}

function ruleSummaries(violations: ViolationLine[], from: string, policy: Policy | null): RuleSummary[] {
  const rules = new Map<string, RuleSummary & { hostSet: Set<string> }>();
  for (const v of violations) {
    let r = rules.get(v.rule);
    if (!r) {
      const declared = policy?.rules.find((p) => p.id === v.rule);
      const citation = declared ? declared.citations.map((c) => c.ref).join('; ') : v.citation;
      rules.set(v.rule, (r = { rule: v.rule, title: declared?.title ?? v.title, citation, hosts: 0, violations: 0, open: 0, hostSet: new Set() }));
    }
    r.hostSet.add(v.hostId);
    if (v.openedAt >= from) r.violations++;
    if (v.resolvedAt === null && !v.epochEnded) r.open++;
  }
  return [...rules.values()]
    .map(({ hostSet, ...r }) => ({ ...r, hosts: hostSet.size }))
    .sort((a, b) => b.open + b.violations - (a.open + a.violations) || (a.rule < b.rule ? -1 : 1));
}

/**
 * Per host: violations opened and resolved in the log between its last two imported bundles. A
 * place in a host's log is (epoch, seq): after a recovery, the new epoch's events come after all
 * of the old one's.
 */
function trends(db: Db): (host: string) => HostSummary['trend'] {
  type Head = { epoch: number; seq: number };
  const heads = new Map<string, Head[]>();
  for (const b of db.prepare(`SELECT host_id AS host, epoch, last_seq AS seq FROM bundles WHERE status = 'imported' ORDER BY host_id, epoch DESC, last_seq DESC`).all() as ({ host: string } & Head)[]) {
    const list = heads.get(b.host) ?? [];
    if (list.length < 2 && !(list[0]?.epoch === b.epoch && list[0].seq === b.seq)) list.push({ epoch: b.epoch, seq: b.seq });
    heads.set(b.host, list);
  }
  const opened = db.prepare(`SELECT count(*) FROM violations WHERE host_id = ? AND (epoch, opened_seq) > (?, ?) AND (epoch, opened_seq) <= (?, ?)`).pluck();
  const resolved = db.prepare(`SELECT count(*) FROM violations WHERE host_id = ? AND resolved_seq IS NOT NULL AND (epoch, resolved_seq) > (?, ?) AND (epoch, resolved_seq) <= (?, ?)`).pluck();
  return (host) => {
    const [last = { epoch: 0, seq: 0 }, previous = { epoch: 0, seq: 0 }] = heads.get(host) ?? [];
    const range = [host, previous.epoch, previous.seq, last.epoch, last.seq];
    return { opened: opened.get(...range) as number, resolved: resolved.get(...range) as number, first: (heads.get(host)?.length ?? 0) < 2 };
  };
}
