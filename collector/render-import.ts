import { printable } from '../agent/text/terminal.js';
import type { ImportRun } from './import-run.js';
import type { ImportOutcome } from './import-bundle.js';
import { label, type Check } from './problems.js';

/**
 * What `import` prints: per host, its enrolment (the fingerprint to compare with
 * `baomi-agent identity` on the computer), each bundle's fate and each problem with its evidence;
 * then a summary. Every string that came from a stick is made printable.
 */
export function renderImport(run: ImportRun): string {
  const byHost = new Map<string, { outcomes: ImportOutcome[]; notices: Check[] }>();
  const entry = (host: string | null) => {
    const key = host ?? '(未知主机 / unknown host)';
    let e = byHost.get(key);
    if (!e) byHost.set(key, (e = { outcomes: [], notices: [] }));
    return e;
  };
  for (const o of run.outcomes) entry(o.host).outcomes.push(o);
  for (const n of run.notices) entry(n.host).notices.push(n);

  const lines: string[] = [];
  for (const [host, { outcomes, notices }] of [...byHost].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const hostname = outcomes.find((o) => o.manifest?.host.id === host)?.manifest?.host.hostname;
    lines.push(`主机 / host ${printable(host)}${hostname && hostname !== host ? ` (${printable(hostname)})` : ''}`);
    for (const o of outcomes) {
      const m = o.manifest;
      const seqs = m ? `第 ${m.ledger.firstSeq}–${m.ledger.lastSeq} 条 / seqs ${m.ledger.firstSeq}–${m.ledger.lastSeq}` : '';
      if (o.enrolled && o.status === 'imported') {
        lines.push(`  新登记主机 / enrolled: 代理密钥指纹 / agent key fingerprint ${printable(m!.agent.fingerprint)}`);
        lines.push('    请与该计算机上 `baomi-agent identity` 显示的指纹逐组核对 / compare it, group by group, with `baomi-agent identity` on the computer');
      }
      if (o.newEpoch) lines.push(`  日志已恢复,新的一段开始 / the log was started over: epoch ${o.epoch} (第 ${o.epoch} 段)`);
      if (o.status === 'imported') lines.push(`  已导入 / imported: ${printable(o.dir)}  ${seqs},新增 ${o.newEvents} 条 / ${o.newEvents} new${o.epoch !== null && o.epoch > 1 ? `  (第 ${o.epoch} 段 / epoch ${o.epoch})` : ''}`);
      else if (o.status === 'duplicate') lines.push(`  重复导入(已归档,无害)/ duplicate (already archived, harmless): ${printable(o.dir)}  ${seqs}`);
      else lines.push(`  ✗ 已拒绝,未导入任何内容 / REFUSED, nothing imported: ${printable(o.dir)}${seqs ? `  ${seqs}` : ''}`);
      for (const p of o.problems) lines.push(...renderCheck(p));
    }
    for (const n of notices) lines.push(...renderCheck(n));
  }
  const count = (status: string) => run.outcomes.filter((o) => o.status === status).length;
  const problems = [...run.outcomes.flatMap((o) => o.problems), ...run.notices];
  const hosts = new Set(problems.map((p) => p.host));
  if (run.outcomes.length === 0) lines.push('未找到检查包 / no bundles found');
  lines.push(
    `汇总 / summary: ${run.outcomes.length} 个检查包 / bundles — 导入 ${count('imported')} imported, 重复 ${count('duplicate')} duplicate, 拒绝 ${count('refused')} refused; ` +
      `问题 ${problems.length} 个 / problems on ${hosts.size} 台主机 / hosts`,
  );
  return lines.join('\n') + '\n';
}

export function renderCheck(c: Check): string[] {
  const kind = label(c.kind);
  return [
    `  ✗ [${c.kind}] ${kind.zh} / ${kind.en}`,
    `      ${printable(c.zh)}`,
    `      ${printable(c.en)}`,
    ...(c.evidence ? [`      证据 / evidence: ${printable(c.evidence)}`] : []),
  ];
}
