import { parseArgs } from 'node:util';
import { renderTable } from '../../agent/text/terminal.js';
import { DEFAULT_ARCHIVE, openArchiveReadonly } from '../archive.js';
import { hostRows, problemRows } from '../report-queries.js';

export const usage = `baomi-collector hosts [--json] [--archive FILE]
  列出已检查的主机及其状态 / the inspected hosts and their status
  (key fingerprint, last archived seq — and the epoch of the log after a recovery —, last import,
  problems recorded)
  --json          print one JSON document
  --archive FILE  the collector's archive (default ./${DEFAULT_ARCHIVE})
exit: 0 no host has a recorded problem, 1 some have, 2 error`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { json: { type: 'boolean', default: false }, archive: { type: 'string', default: DEFAULT_ARCHIVE } },
    strict: true,
    allowPositionals: false,
  });
  const db = openArchiveReadonly(values.archive);
  let hosts;
  try {
    const problems = problemRows(db, '');
    hosts = hostRows(db, problems).map((h) => {
      const mine = problems.filter((p) => p.host === h.id);
      const kinds = [...new Set(mine.map((p) => p.kind))];
      return { ...h, problems: mine.length, problemKinds: kinds, status: !h.enrolled ? 'refused' : mine.length > 0 ? 'problems' : 'ok' };
    });
  } finally {
    db.close();
  }
  if (values.json) {
    process.stdout.write(JSON.stringify({ schema: 'baomi.collector-hosts/1', hosts }) + '\n');
  } else if (hosts.length === 0) {
    process.stdout.write('归档中还没有主机 / no hosts in the archive yet\n');
  } else {
    const STATUS = { ok: '正常 ok', problems: '有问题 PROBLEMS', refused: '未登记 NOT ENROLLED' } as const;
    const rows = hosts.map((h) => [
      h.id,
      h.hostname,
      h.fingerprint ?? '—',
      h.lastSeq === null ? '—' : h.epoch !== null && h.epoch > 1 ? `${h.lastSeq} (第 ${h.epoch} 段 / epoch ${h.epoch})` : String(h.lastSeq),
      h.lastImport ?? '—',
      STATUS[h.status as keyof typeof STATUS],
      h.problemKinds.length > 0 ? `${h.problems}: ${h.problemKinds.join(', ')}` : '0',
    ]);
    const header = ['主机标识 host id', '主机名 hostname', '密钥指纹 fingerprint', '最新序号 seq', '最近导入 last import', '状态 status', '问题 problems'];
    // The fingerprint is never cut: it is what the inspector reads out. Piped, nothing is cut.
    const width = process.stdout.isTTY ? Math.max(120, process.stdout.columns ?? 120) : 10_000;
    process.stdout.write(renderTable(header, rows, width, [1, 6]).join('\n') + '\n');
  }
  return hosts.some((h) => h.status !== 'ok') ? 1 : 0;
}
