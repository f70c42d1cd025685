import { parseArgs } from 'node:util';
import { UsageError } from '../../agent/cli/usage-error.js';
import { DEFAULT_ARCHIVE, openArchive } from '../archive.js';
import { importPaths } from '../import-run.js';
import { loadOfficePolicy } from '../office-policy.js';
import { progress } from '../progress.js';
import { renderImport } from '../render-import.js';

export const usage = `baomi-collector import PATH… [--archive FILE] [--expect-fingerprint FP] [--policy FILE]
  导入检查包:逐一验证签名、哈希链与文件摘要,核对与已归档日志的连续性,存入归档
  import bundles: verify each (signature, chain, file hashes), check continuity with the archive, archive them
  PATH                     a stick's mount point, its BAOMI/, a host's directory or one bundle
                           (links below PATH are never followed; .partial- directories are reported)
  --archive FILE           the collector's archive (default ./${DEFAULT_ARCHIVE}, created 0600)
  --expect-fingerprint FP  strict enrolment: a new host is enrolled only if its key has this
                           fingerprint (as \`baomi-agent identity\` prints it on the computer)
  --policy FILE            the office's policy, for its heartbeat period (default: the built-in policy)
exit: 0 everything imported (or harmless duplicates), 1 problems found (printed per host, with
their evidence, and kept in the archive), 2 usage error`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      archive: { type: 'string', default: DEFAULT_ARCHIVE },
      'expect-fingerprint': { type: 'string' },
      policy: { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length === 0) throw new UsageError('import needs at least one PATH');
  const expect = values['expect-fingerprint'];
  if (expect !== undefined && expect.toLowerCase().replace(/^sha256:/, '').replace(/[\s:]/g, '').length !== 64) {
    throw new UsageError('--expect-fingerprint takes a fingerprint as `baomi-agent identity` prints it (sha256: and 64 hex digits)');
  }
  const heartbeatMinutes = loadOfficePolicy(values.policy).schedule.heartbeatMinutes;
  const db = openArchive(values.archive);
  try {
    const result = await importPaths(db, positionals, { expectFingerprint: expect, heartbeatMinutes, progress: (total) => progress(total, process.stderr) });
    process.stdout.write(renderImport(result));
    const problems = result.notices.length + result.outcomes.reduce((n, o) => n + o.problems.length, 0);
    return problems > 0 || result.outcomes.length === 0 ? 1 : 0;
  } finally {
    db.close();
  }
}
