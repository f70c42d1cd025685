import { SEVERITIES, type Severity } from '../../policies/schema.js';
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
    const rows = group.map((v) => [v.rule, v.evidence.device, v.evidence.reason[lang], v.citation]);
    lines.push(...renderTable(words.columns, rows, width - 2, [1, 2, 3]).map((line) => `  ${line}`), '');
  }
  lines.push(report.violations.length === 0 ? words.compliant(report) : words.summary(report, counts.join(lang === 'zh' ? ',' : ', ')));
  return lines.join('\n') + '\n';
}
