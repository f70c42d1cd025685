import { sourcePlace } from '../findings/label.js';
import type { TraceSource } from '../findings/schema.js';
import type { Gap } from '../ledger/heartbeat-gaps.js';
import { toCsv } from '../report/csv.js';
import { html, htmlToString, type Html } from '../report/html.js';
import { REPORT_STYLE } from '../report/print-style.js';
import { barChart } from '../report/svg-chart.js';
import { SEVERITY_LABEL } from '../scan/render-scan.js';
import type { Severity } from '../../policies/schema.js';
import type { BundleManifest } from './bundle.js';

/** One violation as the report shows it: opened in the log, open still or resolved since. */
export interface ReportedViolation {
  seq: number;
  time: string;
  rule: string;
  severity: Severity;
  title: { zh: string; en: string };
  citation: string;
  device: string;
  reason: { zh: string; en: string };
  /** For a trace of the past: where the system's records show it. */
  sources: TraceSource[];
  /** When it was resolved, or null while it is open. */
  resolvedAt: string | null;
}

export interface HostReportData {
  manifest: Omit<BundleManifest, 'files'>;
  /** Open now (whenever opened). */
  open: ReportedViolation[];
  /** Opened within the bundle's seq range (newest last; capped for very long logs). */
  period: ReportedViolation[];
  periodTruncated: number;
  gaps: Gap[];
  inspections: { time: string; holiday: string; due: string; trigger: string | undefined }[];
}

const GAP_LABEL = {
  'unclean-stop': { zh: '异常停止(断电、被终止或崩溃)', en: 'unclean stop (power cut, killed or crashed)' },
  silence: { zh: '运行中无心跳', en: 'no heartbeat while running' },
  'clean-stop': { zh: '正常关机', en: 'orderly shutdown' },
} as const;

/** A trace's sources shown in the report (all of them stay in events.ndjson). */
const MAX_SHOWN_SOURCES = 3;

const local = (iso: string) => iso.replace('T', ' ').replace(/\.\d+Z$/, ' UTC').replace(/Z$/, ' UTC');

function violationRows(list: ReportedViolation[]): Html {
  return html`${list.map(
    (v) => html`<tr>
  <td class="sev-${v.severity}">${SEVERITY_LABEL[v.severity].zh}</td>
  <td>${v.rule}<div class="en">${v.title.zh}</div></td>
  <td>${v.device}</td>
  <td>${v.reason.zh}<div class="en">${v.reason.en}</div>${v.sources.slice(0, MAX_SHOWN_SOURCES).map((s) => html`<div class="en">见 ${sourcePlace(s)}</div>`)}</td>
  <td>${v.citation}</td>
  <td>${local(v.time)}</td>
  <td>${v.resolvedAt ? local(v.resolvedAt) : html`<span class="bad">未解决</span>`}</td>
</tr>`,
  )}`;
}

const VIOLATION_HEAD = html`<thead><tr><th>级别</th><th>规则</th><th>设备</th><th>原因</th><th>依据条款</th><th>发现时间</th><th>解决时间</th></tr></thead>`;

/** The bundle's report.html: self-contained, zh-CN first, printable on A4. */
export function renderHostReport(data: HostReportData): string {
  const { manifest: m } = data;
  const byRule = new Map<string, number>();
  for (const v of data.period) byRule.set(v.rule, (byRule.get(v.rule) ?? 0) + 1);
  const chart = barChart(
    [...byRule].sort((a, b) => b[1] - a[1]).map(([label, value]) => ({ label, value })),
    { title: '本期各规则违规次数 / violations per rule in this period' },
  );
  const unclean = data.gaps.filter((g) => g.kind !== 'clean-stop');
  const page = html`<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>保密检查报告 — ${m.host.hostname}</title>${REPORT_STYLE}</head>
<body>
<h1>涉密计算机保密检查报告 <span class="en">Classified computer inspection report</span></h1>
<p class="meta">导出时间 ${local(m.createdAt)} · 检查介质 ${m.medium.registryId} · 日志第 ${m.ledger.firstSeq}–${m.ledger.lastSeq} 条</p>
<h2>计算机 / Computer</h2>
<table>
<tr><th>主机名</th><td>${m.host.hostname}</td><th>机器标识</th><td>${m.host.machineId ?? '—'}</td></tr>
<tr><th>操作系统</th><td>${m.host.os}</td><th>密级</th><td>${m.host.class ?? '—'}</td></tr>
<tr><th>部门</th><td>${m.host.department ?? '—'}</td><th>责任人</th><td>${m.host.owner ?? '—'}</td></tr>
<tr><th>代理版本</th><td>${m.agent.version}</td><th>代理密钥指纹</th><td>${m.agent.fingerprint}</td></tr>
<tr><th>生效策略</th><td>${m.policy.id} 第 ${m.policy.version} 版</td><th>策略签名者</th><td>${m.policy.signer}</td></tr>
<tr><th>日志完整性</th><td colspan="3"><span class="ok">导出时已验证哈希链与签名检查点</span> · 最新哈希 ${m.ledger.headHash}</td></tr>
</table>
<h2>未解决的违规 / Open violations (${data.open.length})</h2>
${data.open.length === 0 ? html`<p class="ok">无未解决的违规。</p>` : html`<table>${VIOLATION_HEAD}<tbody>${violationRows(data.open)}</tbody></table>`}
<h2>本期违规记录 / Violations in this period (${data.period.length + data.periodTruncated})</h2>
${data.periodTruncated > 0 ? html`<p class="meta">仅列出最近 ${data.period.length} 条,完整记录见 events.ndjson。</p>` : null}
${byRule.size > 0 ? chart : null}
${data.period.length === 0 ? html`<p class="ok">本期无违规。</p>` : html`<table>${VIOLATION_HEAD}<tbody>${violationRows(data.period)}</tbody></table>`}
<h2>代理运行中断 / Gaps in the agent's watch (${unclean.length})</h2>
${
  data.gaps.length === 0
    ? html`<p class="ok">代理持续运行,无中断。</p>`
    : html`<table><thead><tr><th>类型</th><th>从</th><th>到</th><th>时长(分钟)</th><th>日志序号</th></tr></thead><tbody>${data.gaps.map(
        (g) => html`<tr><td class="${g.kind === 'clean-stop' ? '' : 'bad'}">${GAP_LABEL[g.kind].zh}<div class="en">${GAP_LABEL[g.kind].en}</div></td><td>${local(g.from)}</td><td>${local(g.to)}</td><td>${g.minutes}</td><td>${g.fromSeq}–${g.toSeq}</td></tr>`,
      )}</tbody></table>`
}
<h2>节前保密检查 / Pre-holiday inspections (T1 九.3)</h2>
${
  data.inspections.length === 0
    ? html`<p class="meta">本期无节前检查记录。</p>`
    : html`<table><thead><tr><th>节日</th><th>应检查日</th><th>实际检查时间</th><th>方式</th></tr></thead><tbody>${data.inspections.map(
        (i) => html`<tr><td>${i.holiday}</td><td>${i.due}</td><td>${local(i.time)}</td><td>${i.trigger === 'catch-up' ? '补检(当日未开机)' : '按时'}</td></tr>`,
      )}</tbody></table>`
}
<p class="meta">本报告由 baomi 保密合规代理生成;以 manifest.sig 的签名和 events.ndjson 的哈希链为准。This report is for reading; the signed manifest and the hash-chained events are the evidence.</p>
</body></html>
`;
  return htmlToString(page);
}

/** The bundle's report.csv: every violation of the period, for Excel. */
export function renderHostCsv(data: HostReportData): string {
  const { host } = data.manifest;
  const seen = new Set<number>();
  const rows = [...data.open, ...data.period].filter((v) => !seen.has(v.seq) && seen.add(v.seq));
  return toCsv(
    ['主机', '部门', '责任人', '规则', '级别', '标题', '设备', '原因', '依据条款', '发现时间', '解决时间', '日志序号', '痕迹来源'],
    rows.map((v) => [host.hostname, host.department, host.owner, v.rule, SEVERITY_LABEL[v.severity].zh, v.title.zh, v.device, v.reason.zh, v.citation, v.time, v.resolvedAt ?? '', v.seq, v.sources.map(sourcePlace).join('\n')]),
  );
}
