import { SEVERITY_LABEL } from '../scan/render-scan.js';
import type { Lang } from '../text/i18n.js';
import { renderTable } from '../text/terminal.js';
import { canonicalJson } from './canonical.js';
import { LedgerEvent, type EventType, type StoredEvent } from './events.js';
import type { Incident } from './read.js';

/** `baomi-agent log` as tables, in Chinese or English. Every cell goes through printable(). */

export const EVENT_LABEL: Record<EventType, { zh: string; en: string }> = {
  'agent.started': { zh: '代理启动', en: 'agent started' },
  'agent.stopped': { zh: '代理停止', en: 'agent stopped' },
  'agent.heartbeat': { zh: '心跳', en: 'heartbeat' },
  'scan.completed': { zh: '扫描完成', en: 'scan completed' },
  'violation.opened': { zh: '发现违规', en: 'violation opened' },
  'violation.resolved': { zh: '违规消除', en: 'violation resolved' },
  'policy.applied': { zh: '策略生效', en: 'policy applied' },
  'policy.refused': { zh: '策略被拒绝', en: 'policy refused' },
  'export.performed': { zh: '日志已导出', en: 'log exported' },
  'export.failed': { zh: '导出失败', en: 'export failed' },
  'clock.skew': { zh: '时钟回拨', en: 'clock went back' },
  'ledger.recovered': { zh: '日志重新开始', en: 'log started over' },
  'disks.enrolled': { zh: '硬盘登记', en: 'disks enrolled' },
  'files.baselined': { zh: '文件基线', en: 'files baselined' },
};

const WORDS = {
  zh: {
    columns: ['序号', '时间', '事件', '详情'],
    incidentColumns: ['规则', '级别', '设备', '首次发现', '最近发现', '序号'],
    empty: '(没有事件)',
    noIncidents: '当前没有未消除的违规。',
    incidents: (n: number) => `未消除的违规:${n} 项`,
  },
  en: {
    columns: ['Seq', 'Time', 'Event', 'Details'],
    incidentColumns: ['Rule', 'Severity', 'Device', 'First seen', 'Last seen', 'Seq'],
    empty: '(no events)',
    noIncidents: 'No violation is open.',
    incidents: (n: number) => `Open violations: ${n}`,
  },
};

export function renderEvents(events: readonly StoredEvent[], lang: Lang, width = 120): string {
  if (events.length === 0) return WORDS[lang].empty + '\n';
  const rows = events.map((event) => [String(event.seq), localTime(event.time), label(event.type, lang), describe(event, lang)]);
  return renderTable(WORDS[lang].columns, rows, width, [3]).join('\n') + '\n';
}

/** Open incidents, with the device and severity of the event that opened each. */
export function renderIncidents(incidents: readonly { incident: Incident; opened: StoredEvent | undefined }[], lang: Lang, width = 120): string {
  if (incidents.length === 0) return WORDS[lang].noIncidents + '\n';
  const rows = incidents.map(({ incident, opened }) => {
    const payload = opened?.payload as { severity?: keyof typeof SEVERITY_LABEL; evidence?: { device?: string } } | undefined;
    return [
      incident.rule,
      payload?.severity && SEVERITY_LABEL[payload.severity] ? SEVERITY_LABEL[payload.severity][lang] : '?',
      payload?.evidence?.device ?? incident.findingId,
      localTime(incident.firstSeen),
      localTime(incident.lastSeen),
      String(incident.openedSeq),
    ];
  });
  return [WORDS[lang].incidents(incidents.length), ...renderTable(WORDS[lang].incidentColumns, rows, width, [2])].join('\n') + '\n';
}

/** One line about an event's payload. An event this version does not know is shown as its JSON. */
export function describe(event: StoredEvent, lang: Lang): string {
  const parsed = LedgerEvent.safeParse({ type: event.type, payload: event.payload });
  if (!parsed.success) return canonicalJson(event.payload);
  const zh = lang === 'zh';
  const e = parsed.data;
  switch (e.type) {
    case 'agent.started': {
      const p = e.payload;
      return zh
        ? `版本 ${p.version},进程 ${p.pid},上次${p.cleanShutdown ? '正常停止' : '未正常停止'}`
        : `version ${p.version}, pid ${p.pid}, previous stop ${p.cleanShutdown ? 'clean' : 'NOT clean'}`;
    }
    case 'agent.stopped':
      return e.payload.reason;
    case 'agent.heartbeat':
      return '';
    case 'scan.completed': {
      const p = e.payload;
      const kinds = p.kinds ? ` [${p.kinds.join(', ')}]` : '';
      return zh
        ? `${p.scope}${kinds} 扫描,${p.findings} 项,未消除违规 ${p.violationsOpen} 项,策略 ${p.policy.id} 第 ${p.policy.version} 版`
        : `${p.scope}${kinds} scan, ${p.findings} findings, ${p.violationsOpen} violation(s) open, policy ${p.policy.id} v${p.policy.version}`;
    }
    case 'violation.opened': {
      const p = e.payload;
      return `${SEVERITY_LABEL[p.severity][lang]} ${p.rule} · ${p.evidence.device} · ${p.evidence.reason[lang]} · ${p.citation}`;
    }
    case 'violation.resolved': {
      const p = e.payload;
      return zh ? `${p.rule} · ${p.findingId}(第 ${p.openedSeq} 条发现)` : `${p.rule} · ${p.findingId} (opened at seq ${p.openedSeq})`;
    }
    case 'policy.applied': {
      const p = e.payload;
      return zh ? `${p.id} 第 ${p.version} 版,签名 ${p.signer}` : `${p.id} v${p.version}, signed by ${p.signer}`;
    }
    case 'policy.refused': {
      const p = e.payload;
      return [p.source, p.field, p.reason].filter(Boolean).join(': ');
    }
    case 'export.performed': {
      const p = e.payload;
      return zh ? `第 ${p.firstSeq}–${p.lastSeq} 条导出到 ${p.destination}` : `seq ${p.firstSeq}–${p.lastSeq} to ${p.destination}`;
    }
    case 'export.failed':
      return `${e.payload.destination}: ${e.payload.reason}`;
    case 'clock.skew':
      return `${e.payload.previousTime} → ${e.payload.time}`;
    case 'ledger.recovered': {
      const p = e.payload;
      return zh
        ? `原日志未通过验证(${p.reason}),已移至 ${p.file ?? '(不存在)'};最后验证至第 ${p.lastVerifiedSeq} 条 ${p.lastVerifiedHash.slice(0, 16)}…`
        : `the previous log did not verify (${p.reason}); moved to ${p.file ?? '(missing)'}; verified up to seq ${p.lastVerifiedSeq} ${p.lastVerifiedHash.slice(0, 16)}…`;
    }
    case 'disks.enrolled': {
      const p = e.payload;
      const disks = p.disks.map((d) => [d.device, d.model, d.serial && `S/N ${d.serial}`].filter(Boolean).join(' ')).join('; ');
      const why = p.reason === 'first-run' ? (zh ? '首次运行' : 'first run') : zh ? '保密员重新登记' : 'enrolled again by the officer';
      return zh ? `${why}:${p.disks.length} 块硬盘 ${disks}` : `${why}: ${p.disks.length} disk(s) ${disks}`;
    }
    case 'files.baselined': {
      const p = e.payload;
      const why = p.reason === 'first-scan' ? (zh ? '首次检查' : 'first look') : zh ? '保密员更新' : 'renewed by the officer';
      return zh ? `${p.folder}:${p.files} 个文件(${why}),摘要 ${p.digest.slice(0, 16)}…` : `${p.folder}: ${p.files} file(s) (${why}), digest ${p.digest.slice(0, 16)}…`;
    }
  }
}

function label(type: string, lang: Lang): string {
  return EVENT_LABEL[type as EventType]?.[lang] ?? type;
}

/** The local date and time to the second, e.g. 2025-04-30 09:15:02. */
export function localTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}
