import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { UsageError } from '../../agent/cli/usage-error.js';
import { DEFAULT_ARCHIVE, openArchiveReadonly } from '../archive.js';
import { hostsCsv, violationsCsv } from '../committee-csv.js';
import { renderCommitteeReport } from '../committee-report.js';
import { loadOfficePolicy } from '../office-policy.js';
import { gatherReport } from '../report-data.js';

export const usage = `baomi-collector report --out FILE.html [--csv FILE.csv] [--since DATE] [--lang zh|en] [--policy FILE] [--archive FILE]
  生成提交保密委员会的汇总报告 / write one report for the secrecy committee from the archive
  --out FILE     the report: one self-contained HTML page (no script), printable on A4
  --csv FILE     also the tables for Excel: FILE per host, FILE-violations.csv per violation
  --since DATE   start of this inspection round (YYYY-MM-DD or ISO time): hosts without a bundle
                 exported since then are "not inspected this round"; counts run from then
  --lang zh|en   the report's language (default zh; the other language is shown beside it)
  --policy FILE  the office's policy: its registry.hosts adds the registered computers never
                 imported, its rules give titles and articles
  --archive FILE the collector's archive (default ./${DEFAULT_ARCHIVE})
exit: 0 written and nothing to flag, 1 written with problems (integrity problems or hosts not
inspected), 2 usage error`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: 'string' },
      csv: { type: 'string' },
      since: { type: 'string' },
      lang: { type: 'string', default: 'zh' },
      policy: { type: 'string' },
      archive: { type: 'string', default: DEFAULT_ARCHIVE },
    },
    strict: true,
    allowPositionals: false,
  });
  if (!values.out) throw new UsageError('report needs --out FILE.html');
  if (values.lang !== 'zh' && values.lang !== 'en') throw new UsageError('--lang takes zh or en');
  const lang = values.lang;
  let since: string | null = null;
  if (values.since !== undefined) {
    const date = new Date(values.since);
    if (!/^\d{4}-\d{2}-\d{2}/.test(values.since) || Number.isNaN(date.getTime())) throw new UsageError('--since takes a date, YYYY-MM-DD (or an ISO time)');
    since = date.toISOString();
  }
  const policy = values.policy === undefined ? null : loadOfficePolicy(values.policy);
  const db = openArchiveReadonly(values.archive);
  let data;
  try {
    data = gatherReport(db, { since, policy });
  } finally {
    db.close();
  }
  fs.writeFileSync(values.out, renderCommitteeReport(data, lang));
  const written = [values.out];
  if (values.csv) {
    const violations = values.csv.replace(/(\.csv)?$/i, '-violations.csv');
    fs.writeFileSync(values.csv, hostsCsv(data, lang));
    fs.writeFileSync(violations, violationsCsv(data, lang));
    written.push(values.csv, violations);
  }
  const enrolled = data.hosts.filter((h) => h.enrolled);
  const troubled = data.hosts.filter((h) => h.problems.length > 0 || !h.enrolled).length + (data.unattributed.length > 0 ? 1 : 0);
  const missing = enrolled.filter((h) => !h.inspectedThisRound).length + data.neverImported.length;
  process.stdout.write(
    `已写入 / written: ${written.join(', ')}\n` +
      `主机 ${enrolled.length} 台,本轮未检查 ${missing} 台,有完整性问题 ${troubled} 台 / ` +
      `${enrolled.length} hosts, ${missing} not inspected this round, ${troubled} with integrity problems\n`,
  );
  return troubled > 0 || missing > 0 ? 1 : 0;
}
