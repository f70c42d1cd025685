import { html, type Html } from '../agent/report/html.js';
import { SEVERITY_LABEL } from '../agent/scan/render-scan.js';
import type { Lang } from '../agent/text/i18n.js';
import { SEVERITIES } from '../policies/schema.js';
import { LIMIT, when, type Say } from './report-text.js';
import { label } from './problems.js';
import type { HostSummary, ReportData } from './report-data.js';
import type { ProblemRow } from './report-queries.js';

/** The report's tables: per host, integrity problems, per rule, trends, hosts not inspected, open violations. */
export function hostSections(data: ReportData, lang: Lang, say: Say, pick: (t: { zh: string; en: string }) => string): Html {
  const zh = lang === 'zh';
  const t = (a: string, b: string) => (zh ? a : b);
  const integrity = (h: HostSummary) => {
    if (h.problems.length === 0 && h.enrolled) return html`<span class="ok">${t('完整', 'intact')}</span>`;
    const kinds = new Map<string, number>();
    for (const p of h.problems) kinds.set(p.kind, (kinds.get(p.kind) ?? 0) + 1);
    return html`<span class="bad">${h.enrolled ? '' : t('未登记(检查包被拒绝)', 'not enrolled (bundles refused)')}</span>${[...kinds].map(
      ([kind, n]) => html`<div class="bad">${pick(label(kind))}${n > 1 ? ` ×${n}` : ''}</div>`,
    )}`;
  };
  const problemTable = (rows: ProblemRow[]) => html`<table><thead><tr><th>${t('主机', 'Host')}</th><th>${t('问题', 'Problem')}</th><th>${t('说明', 'Detail')}</th><th>${t('证据', 'Evidence')}</th><th>${t('检查包', 'Bundle')}</th><th>${t('发现时间', 'Found')}</th></tr></thead><tbody>${rows.map(
    (p) => html`<tr><td>${p.host ?? '—'}</td><td class="bad">${pick(label(p.kind))}<div class="en">${p.kind}</div></td><td>${zh ? p.zh : p.en}</td><td>${p.evidence}</td><td>${p.bundle}</td><td>${when(p.time)}</td></tr>`,
  )}</tbody></table>`;
  const problems = [...data.hosts.flatMap((h) => h.problems), ...data.unattributed];
  const notInspected = data.hosts.filter((h) => h.enrolled && !h.inspectedThisRound);
  const open = data.violations.filter((v) => v.resolvedAt === null && !v.epochEnded);
  const totals = data.hosts.reduce((a, h) => ({ opened: a.opened + h.trend.opened, resolved: a.resolved + h.trend.resolved }), { opened: 0, resolved: 0 });

  return html`<h2>${say('各主机情况', 'Per host')}</h2>
<table><thead><tr><th>${t('主机', 'Host')}</th><th>${t('部门', 'Department')}</th><th>${t('责任人', 'Owner')}</th><th>${t('密级', 'Class')}</th><th>${t('最近检查', 'Last inspection')}</th>${SEVERITIES.map(
    (s) => html`<th class="sev-${s}">${SEVERITY_LABEL[s][lang]}</th>`,
  )}<th>${t('停机', 'Downtime')}</th><th>${t('异常中断', 'Unclean gaps')}</th><th>${t('完整性', 'Integrity')}</th></tr></thead><tbody>${data.hosts.map(
    (h) => html`<tr><td>${h.hostname}<div class="en">${h.id}</div></td><td>${h.department ?? '—'}</td><td>${h.owner ?? '—'}</td><td>${h.class ?? '—'}</td>
<td class="${h.enrolled && !h.inspectedThisRound ? 'bad' : ''}">${when(h.lastInspection)}${h.enrolled && !h.inspectedThisRound ? html`<div>${t('本轮未检查', 'not inspected this round')}</div>` : null}</td>
${SEVERITIES.map((s) => html`<td class="${h.open[s] > 0 ? `sev-${s}` : ''}">${h.open[s]}</td>`)}
<td>${h.downtime.count} ${t('次', '×')} / ${h.downtime.minutes} ${t('分钟', 'min')}</td>
<td class="${h.unclean.count > 0 ? 'bad' : ''}">${h.unclean.count} ${t('次', '×')} / ${h.unclean.minutes} ${t('分钟', 'min')}</td>
<td>${integrity(h)}</td></tr>`,
  )}</tbody></table>
<h2>${say('完整性问题及证据', 'Integrity problems and their evidence')} (${problems.length})</h2>
${problems.length === 0 ? html`<p class="ok">${t('所有检查包均通过验证,日志连续。', 'Every bundle verified; every log is continuous.')}</p>` : problemTable(problems)}
<h2>${say('各规则情况', 'Per rule')}</h2>
${
  data.rules.length === 0
    ? html`<p class="ok">${t('无违规。', 'No violations.')}</p>`
    : html`<table><thead><tr><th>${t('规则', 'Rule')}</th><th>${t('标题', 'Title')}</th><th>${t('依据条款', 'Articles')}</th><th>${t('涉及主机', 'Hosts')}</th><th>${t('本轮违规', 'Violations this round')}</th><th>${t('未解决', 'Open')}</th></tr></thead><tbody>${data.rules.map(
        (r) => html`<tr><td>${r.rule}</td><td>${pick(r.title)}</td><td>${r.citation}</td><td>${r.hosts}</td><td>${r.violations}</td><td>${r.open}</td></tr>`,
      )}</tbody></table>`
}
<h2>${say('自上次检查以来的变化', 'Trends since the previous inspection')}</h2>
<p class="meta">${t('每台主机最近两次导入之间新发现与已解决的违规(仅一次导入时为全部记录)。', 'Per host, violations opened and resolved between its last two imports (all of its log when it has one import).')}</p>
<table><thead><tr><th>${t('主机', 'Host')}</th><th>${t('新发现', 'Opened')}</th><th>${t('已解决', 'Resolved')}</th><th></th></tr></thead><tbody>${data.hosts
    .filter((h) => h.enrolled)
    .map(
      (h) => html`<tr><td>${h.hostname}<div class="en">${h.id}</div></td><td>${h.trend.opened}</td><td>${h.trend.resolved}</td><td class="meta">${h.trend.first ? t('首次检查', 'first inspection') : ''}</td></tr>`,
    )}<tr><th>${t('合计', 'Total')}</th><th>${totals.opened}</th><th>${totals.resolved}</th><th></th></tr></tbody></table>
<h2>${say('本轮未检查的主机', 'Hosts not inspected this round')}</h2>
${
  notInspected.length === 0 && data.neverImported.length === 0
    ? html`<p class="ok">${t('所有主机均已检查。', 'Every host was inspected.')}</p>`
    : html`<table><thead><tr><th>${t('主机', 'Host')}</th><th>${t('部门', 'Department')}</th><th>${t('责任人', 'Owner')}</th><th>${t('情况', 'Status')}</th></tr></thead><tbody>${notInspected.map(
        (h) => html`<tr><td>${h.hostname}<div class="en">${h.id}</div></td><td>${h.department ?? '—'}</td><td>${h.owner ?? '—'}</td><td class="bad">${t('最近检查', 'last inspected')} ${when(h.lastInspection)}</td></tr>`,
      )}${data.neverImported.map(
        (e) => html`<tr><td>${e.hostname}${e.machineId ? html`<div class="en">${e.machineId}</div>` : null}</td><td>${e.department}</td><td>${e.owner}</td><td class="bad">${t('已登记,从未导入', 'registered, never imported')}</td></tr>`,
      )}</tbody></table>`
}
<h2>${say('未解决的违规明细', 'Open violations')} (${open.length})</h2>
${open.length > LIMIT ? html`<p class="meta">${t(`仅列出前 ${LIMIT} 条,完整清单见 CSV。`, `The first ${LIMIT} are listed; the CSV has all of them.`)}</p>` : null}
${
  open.length === 0
    ? html`<p class="ok">${t('无未解决的违规。', 'No open violations.')}</p>`
    : html`<table><thead><tr><th>${t('主机', 'Host')}</th><th>${t('级别', 'Severity')}</th><th>${t('规则', 'Rule')}</th><th>${t('设备', 'Device')}</th><th>${t('原因', 'Reason')}</th><th>${t('依据条款', 'Articles')}</th><th>${t('发现时间', 'Opened')}</th></tr></thead><tbody>${open.slice(0, LIMIT).map(
        (v) => html`<tr><td>${v.hostname}</td><td class="sev-${v.severity}">${SEVERITY_LABEL[v.severity][lang]}</td><td>${v.rule}<div class="en">${pick(v.title)}</div></td><td>${v.device}</td><td>${pick(v.reason)}</td><td>${v.citation}</td><td>${when(v.openedAt)}</td></tr>`,
      )}</tbody></table>`
}`;
}
