import { toCsv } from '../agent/report/csv.js';
import { SEVERITY_LABEL } from '../agent/scan/render-scan.js';
import type { Lang } from '../agent/text/i18n.js';
import { SEVERITIES } from '../policies/schema.js';
import { label } from './problems.js';
import type { ReportData } from './report-data.js';

/**
 * The committee report's tables for Excel (agent/report/csv.ts: UTF-8 with BOM, CRLF, and any
 * cell from a machine that starts like a formula neutralised): one file per host, one per violation.
 */

export function hostsCsv(data: ReportData, lang: Lang): string {
  const zh = lang === 'zh';
  const header = zh
    ? ['主机标识', '主机名', '部门', '责任人', '密级', '代理密钥指纹', '最近检查', '本轮已检查', ...SEVERITIES.map((s) => `未解决-${SEVERITY_LABEL[s].zh}`), '停机次数', '停机分钟', '异常中断次数', '异常中断分钟', '新发现', '已解决', '完整性问题']
    : ['host id', 'hostname', 'department', 'owner', 'class', 'agent key fingerprint', 'last inspection', 'inspected this round', ...SEVERITIES.map((s) => `open ${s}`), 'downtime count', 'downtime minutes', 'unclean gaps', 'unclean minutes', 'opened', 'resolved', 'integrity problems'];
  return toCsv(
    header,
    data.hosts.map((h) => [
      h.id,
      h.hostname,
      h.department,
      h.owner,
      h.class,
      h.fingerprint,
      h.lastInspection,
      h.inspectedThisRound ? (zh ? '是' : 'yes') : zh ? '否' : 'no',
      ...SEVERITIES.map((s) => h.open[s]),
      h.downtime.count,
      h.downtime.minutes,
      h.unclean.count,
      h.unclean.minutes,
      h.trend.opened,
      h.trend.resolved,
      h.problems.map((p) => `${label(p.kind)[lang]}: ${zh ? p.zh : p.en} [${p.evidence}]`).join('\n'),
    ]),
  );
}

export function violationsCsv(data: ReportData, lang: Lang): string {
  const zh = lang === 'zh';
  const header = zh
    ? ['主机标识', '主机名', '部门', '责任人', '规则', '级别', '标题', '设备', '原因', '依据条款', '发现时间', '解决时间', '日志序号']
    : ['host id', 'hostname', 'department', 'owner', 'rule', 'severity', 'title', 'device', 'reason', 'articles', 'opened', 'resolved', 'seq'];
  return toCsv(
    header,
    data.violations.map((v) => [v.hostId, v.hostname, v.department, v.owner, v.rule, SEVERITY_LABEL[v.severity][lang], v.title[lang], v.device, v.reason[lang], v.citation, v.openedAt, v.resolvedAt ?? (v.epochEnded ? (zh ? '未知:日志已恢复' : 'unknown: the log was recovered') : ''), v.seq]),
  );
}
