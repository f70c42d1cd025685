import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { findGaps, type Gap } from '../ledger/heartbeat-gaps.js';
import type { PayloadOf, StoredEvent } from '../ledger/events.js';
import { readEvents, readIncidents } from '../ledger/read.js';
import { openReadonly } from '../ledger/store.js';
import { ledgerFiles } from '../ledger/verify.js';
import { SEVERITY_LABEL } from '../scan/render-scan.js';
import { isAgentRunning, readPidFile } from '../service/pid-file.js';
import { nextRuns, type NextRuns } from '../service/next-runs.js';
import { resolveStateDir } from '../state/state-dir.js';
import { detectLang, type Lang } from '../text/i18n.js';
import { printable } from '../text/terminal.js';
import { loadPolicyInForce } from '../../policies/in-force.js';
import { SEVERITIES, type Severity } from '../../policies/schema.js';
import { DEFAULT_TRUST_DIR } from '../../policies/trust-store.js';

export const usage = `baomi-agent status [--json] [--lang zh|en] [--state-dir DIR] [--trust-dir DIR]
  服务状态:是否在运行、生效策略、最近一次扫描、未关闭的违规、下次扫描与节前检查、上次导出以来的中断
  / is the service running, the policy in force, the last scan, open violations by severity,
    the next scans and pre-holiday inspection, and gaps in heartbeats since the last export`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      json: { type: 'boolean', default: false },
      lang: { type: 'string' },
      'state-dir': { type: 'string' },
      'trust-dir': { type: 'string', default: DEFAULT_TRUST_DIR },
    },
  });
  const stateDir = resolveStateDir(values['state-dir']);
  const { inForce, refused } = loadPolicyInForce({ stateDir, trustDir: values['trust-dir'] });
  const { policy } = inForce;
  const pid = readPidFile(stateDir);
  const log = readLog(stateDir, policy.schedule.heartbeatMinutes);
  const lastSign = log.lastAlive ? Date.now() - Date.parse(log.lastAlive.time) : Infinity;
  const status: ServiceStatus = {
    service: {
      running: isAgentRunning(pid) && lastSign < 2 * policy.schedule.heartbeatMinutes * 60_000,
      pid: pid?.pid ?? null,
      startedAt: pid?.startedAt ?? null,
      lastSignOfLife: log.lastAlive?.time ?? null,
    },
    policy: { id: policy.id, version: policy.version, sha256: inForce.sha256, signer: inForce.signer, refused: refused?.message ?? null },
    lastScan: log.lastScan ? { time: log.lastScan.time, ...(log.lastScan.payload as PayloadOf<'scan.completed'>) } : null,
    openViolations: log.open,
    next: await nextRuns(policy.schedule, policy.timezone, policy.holidays),
    sinceLastExport: { seq: log.lastExportSeq, gaps: log.gaps },
  };
  if (values.json) process.stdout.write(JSON.stringify(status) + '\n');
  else process.stdout.write(render(status, detectLang(values.lang), policy.timezone));
  return 0;
}

/** What `status --json` prints. */
interface ServiceStatus {
  service: { running: boolean; pid: number | null; startedAt: string | null; lastSignOfLife: string | null };
  policy: { id: string; version: number; sha256: string; signer: string; refused: string | null };
  lastScan: (PayloadOf<'scan.completed'> & { time: string }) | null;
  openViolations: Record<Severity, number>;
  next: NextRuns;
  sinceLastExport: { seq: number; gaps: Gap[] };
}

interface LogFacts {
  lastAlive: StoredEvent | undefined;
  lastScan: StoredEvent | undefined;
  open: Record<Severity, number>;
  lastExportSeq: number;
  gaps: Gap[];
}

function readLog(stateDir: string, heartbeatMinutes: number): LogFacts {
  const facts: LogFacts = { lastAlive: undefined, lastScan: undefined, open: { critical: 0, high: 0, medium: 0, low: 0 }, lastExportSeq: 0, gaps: [] };
  const { file } = ledgerFiles(stateDir);
  if (!fs.existsSync(file)) return facts;
  const db = openReadonly(file);
  try {
    const since: StoredEvent[] = [];
    for (const event of readEvents(db)) {
      if (event.type === 'export.performed') {
        facts.lastExportSeq = event.seq;
        since.length = 0;
      }
      since.push(event);
      if (event.type === 'scan.completed') facts.lastScan = event;
      if (event.type !== 'agent.stopped') facts.lastAlive = event;
    }
    facts.gaps = findGaps(since, heartbeatMinutes).filter((gap) => gap.kind !== 'clean-stop');
    const opened = db.prepare(`SELECT body FROM events WHERE seq = ?`).pluck();
    for (const incident of readIncidents(db)) {
      const severity = (JSON.parse(opened.get(incident.openedSeq) as string).payload as PayloadOf<'violation.opened'>).severity;
      facts.open[severity] += 1;
    }
  } finally {
    db.close();
  }
  return facts;
}

function render(s: ServiceStatus, lang: Lang, timeZone: string): string {
  const zh = lang === 'zh';
  const local = (iso: string | null) => (iso ? new Date(iso).toLocaleString(zh ? 'zh-CN' : 'en-GB', { timeZone, hour12: false }) : zh ? '无' : 'none');
  const open = SEVERITIES.map((sev) => `${SEVERITY_LABEL[sev][lang]} ${s.openViolations[sev]}`).join(zh ? ',' : ', ');
  const gaps = s.sinceLastExport.gaps;
  const lines = [
    zh ? `服务:${s.service.running ? `运行中(pid ${s.service.pid})` : '未运行'},最近活动 ${local(s.service.lastSignOfLife)}` : `Service: ${s.service.running ? `running (pid ${s.service.pid})` : 'NOT running'}, last sign of life ${local(s.service.lastSignOfLife)}`,
    zh ? `生效策略:${s.policy.id} 第 ${s.policy.version} 版(${s.policy.signer === 'builtin' ? '内置' : '已签名'})` : `Policy in force: ${s.policy.id} v${s.policy.version} (${s.policy.signer === 'builtin' ? 'built-in' : 'signed'})`,
    ...(s.policy.refused ? [zh ? `  已安装的策略被拒绝:${printable(s.policy.refused)}` : `  installed policy refused: ${printable(s.policy.refused)}`] : []),
    zh ? `最近扫描:${s.lastScan ? `${local(s.lastScan.time)}(${s.lastScan.scope})` : '无'}` : `Last scan: ${s.lastScan ? `${local(s.lastScan.time)} (${s.lastScan.scope})` : 'none'}`,
    zh ? `未关闭的违规:${open}` : `Open violations: ${open}`,
    zh ? `下次快速扫描 ${local(s.next.quickScan)},全面扫描 ${local(s.next.fullScan)},心跳 ${local(s.next.heartbeat)}` : `Next quick scan ${local(s.next.quickScan)}, full scan ${local(s.next.fullScan)}, heartbeat ${local(s.next.heartbeat)}`,
    zh
      ? `下次节前保密检查:${s.next.preHoliday.inspectionDate} ${s.next.preHoliday.at}(${s.next.preHoliday.name.zh}前最后一个工作日)`
      : `Next pre-holiday inspection: ${s.next.preHoliday.inspectionDate} ${s.next.preHoliday.at} (last working day before ${s.next.preHoliday.name.en})`,
    zh
      ? `上次导出(第 ${s.sinceLastExport.seq} 条)以来的中断:${gaps.length === 0 ? '无' : gaps.map((g) => `${local(g.from)} 至 ${local(g.to)} ${g.kind === 'unclean-stop' ? '异常停止' : '无心跳'} ${g.minutes} 分钟`).join(';')}`
      : `Gaps since the last export (seq ${s.sinceLastExport.seq}): ${gaps.length === 0 ? 'none' : gaps.map((g) => `${local(g.from)} → ${local(g.to)} ${g.kind} ${g.minutes} min`).join('; ')}`,
  ];
  return lines.join('\n') + '\n';
}
