import { SEVERITIES, type Severity } from '../../policies/schema.js';
import { sourcePlace } from '../findings/label.js';
import type { TraceSource } from '../findings/schema.js';
import type { Lang } from '../text/i18n.js';
import { printable, renderTable } from '../text/terminal.js';
import type { ScanReport } from './scan-report.js';

export const SEVERITY_LABEL: Record<Severity, { zh: string; en: string }> = {
  critical: { zh: '严重', en: 'CRITICAL' },
  high: { zh: '高', en: 'HIGH' },
  medium: { zh: '中', en: 'MEDIUM' },
  low: { zh: '低', en: 'LOW' },
};

const WORDS = {
  zh: {
    heading: (r: ScanReport) => `保密检查 · ${r.host.hostname} · ${r.host.os} · 策略 ${r.policy.id} 第 ${r.policy.version} 版`,
    columns: ['规则', '设备', '违规原因', '依据条款'],
    compliant: (r: ScanReport) => `结论:合规。检查了 ${r.findings.length} 项,未发现违规(用时 ${r.durationMs.toFixed(1)} 毫秒)。`,
    summary: (r: ScanReport, counts: string) =>
      `结论:不合规。发现 ${r.violations.length} 项违规(${counts}),检查了 ${r.findings.length} 项(用时 ${r.durationMs.toFixed(1)} 毫秒)。`,
  },
  en: {
    heading: (r: ScanReport) => `baomi scan · ${r.host.hostname} · ${r.host.os} · policy ${r.policy.id} v${r.policy.version}`,
    columns: ['Rule', 'Device', 'Why', 'Article'],
    compliant: (r: ScanReport) => `Result: compliant. ${r.findings.length} findings, no violations (${r.durationMs.toFixed(1)} ms).`,
    summary: (r: ScanReport, counts: string) =>
      `Result: NOT compliant. ${r.violations.length} violation(s) (${counts}) among ${r.findings.length} findings (${r.durationMs.toFixed(1)} ms).`,
  },
};

/** The scan as a table of violations grouped by severity, then a one-line summary. */
export function renderScan(report: ScanReport, lang: Lang, width = 120): string {
  const words = WORDS[lang];
  const lines = [printable(words.heading(report)), ''];
  const counts: string[] = [];
  for (const severity of SEVERITIES) {
    const group = report.violations.filter((v) => v.severity === severity);
    if (group.length === 0) continue;
    const label = SEVERITY_LABEL[severity][lang];
    counts.push(`${label} ${group.length}`);
    lines.push(`${label} (${group.length})`);
    const rows = group.map((v) => [v.rule, v.evidence.device, withSource(v.evidence.reason[lang], v.evidence.sources?.[0], lang), v.citation]);
    lines.push(...renderTable(words.columns, rows, width - 2, [1, 2, 3]).map((line) => `  ${line}`), '');
  }
  lines.push(...renderLogsRead(report, lang, width));
  lines.push(report.violations.length === 0 ? words.compliant(report) : words.summary(report, counts.join(lang === 'zh' ? ',' : ', ')));
  return lines.join('\n') + '\n';
}

/** A trace's reason with where it was read: "… — /var/log/kern.log.1:41". */
function withSource(reason: string, source: TraceSource | undefined, lang: Lang): string {
  if (source === undefined) return reason;
  return `${reason}${lang === 'zh' ? '(见 ' : ' (see '}${sourcePlace(source)})`;
}

const LOG_WORDS = {
  zh: { heading: '查阅的系统日志(痕迹可追溯的时间范围)', columns: ['日志文件', '记录数', '起', '止', '问题'] },
  en: { heading: 'System logs read (how far back the traces go)', columns: ['Log file', 'Records', 'From', 'To', 'Problem'] },
};

/** In a deep scan: which logs were read and the time they cover, so an inspector knows what "no trace" means. */
function renderLogsRead(report: ScanReport, lang: Lang, width: number): string[] {
  const logs = report.findings.filter((f) => f.kind === 'log-source');
  if (logs.length === 0) return [];
  const time = (iso: string | null) => (iso === null ? '—' : `${iso.slice(0, 16).replace('T', ' ')}Z`);
  const rows = logs.map((log) => [log.file, String(log.records), time(log.from), time(log.to), [log.problem, log.detail].filter(Boolean).join(': ')]);
  return [LOG_WORDS[lang].heading, ...renderTable(LOG_WORDS[lang].columns, rows, width - 2, [0, 4]).map((line) => `  ${line}`), ''];
}
