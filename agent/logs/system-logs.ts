import fs from 'node:fs';
import { Finding, type FindingOf } from '../findings/schema.js';
import { HostAccessError, type HostRoot } from '../host-root.js';
import { hostTimezone } from './host-timezone.js';
import { readJournalFile } from './journal-file.js';
import type { LogReadSummary } from './log-read.js';
import type { LogRecord } from './log-record.js';
import { readTextLog } from './text-log.js';
import { isKnownZone } from './zoned-time.js';

export interface SystemLogsOptions {
  /** The zone for traditional syslog times when the host names none (/etc/timezone, /etc/localtime). */
  fallbackTimezone: string;
  onRecord(record: LogRecord): void;
  /** Cheap pre-filter: records it rejects are counted in their source but never built. */
  wanted?(identifier: string | null, message: string): boolean;
}

type Format = FindingOf<'log-source'>['format'];
interface Source { hostPath: string; format: Format }

const JOURNAL_DIRS = ['/var/log/journal', '/run/log/journal'];
const TEXT_LOGS = ['kern.log', 'syslog', 'messages'];

/**
 * One pass over every system log of the host: the systemd journal files (persistent and
 * volatile, `*.journal` and journald's dirty `*.journal~`), then kern.log, syslog and messages,
 * each with its rotations oldest first (`.4.gz` … `.2.gz`, `.1`, the current file). Every record
 * goes to onRecord in file order. Returns one `log-source` finding per file (or per directory
 * that cannot be listed): records read, first and last time, and what went wrong — a file that
 * cannot be read is reported (`unreadable`), never thrown. Links are followed inside the root
 * only (HostRoot.resolve); anything that is not a regular file is skipped.
 */
export async function readSystemLogs(host: HostRoot, options: SystemLogsOptions): Promise<FindingOf<'log-source'>[]> {
  if (!isKnownZone(options.fallbackTimezone)) throw new RangeError(`unknown time zone: ${options.fallbackTimezone}`);
  const timezone = hostTimezone(host) ?? options.fallbackTimezone;
  const findings: FindingOf<'log-source'>[] = [];
  const { sources, denied } = listSources(host);
  findings.push(...denied);
  for (const source of sources) {
    findings.push(await readSource(host, source, timezone, options));
    // A journal file is read synchronously (≤ 128 MB each): between files the service's
    // event loop gets its turn (hot-plug events, heartbeats) during a long inspection.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return findings;
}

function listSources(host: HostRoot): { sources: Source[]; denied: FindingOf<'log-source'>[] } {
  const sources: Source[] = [];
  const denied: FindingOf<'log-source'>[] = [];
  const list = (dir: string, format: Format): string[] => {
    try {
      return host.list(dir);
    } catch (error) {
      denied.push(finding(dir, format, unreadable(dir, error)));
      return [];
    }
  };
  for (const root of JOURNAL_DIRS) {
    for (const machine of list(root, 'journal')) {
      const dir = `${root}/${machine}`;
      if (!host.isDirectory(dir)) continue;
      for (const name of list(dir, 'journal')) {
        if (name.endsWith('.journal') || name.endsWith('.journal~')) sources.push({ hostPath: `${dir}/${name}`, format: 'journal' });
      }
    }
  }
  const varLog = list('/var/log', 'text');
  for (const base of TEXT_LOGS) {
    const rotations: { n: number; name: string }[] = [];
    for (const name of varLog) {
      const m = new RegExp(`^${base.replace('.', '\\.')}(?:\\.(\\d+)(\\.gz)?)?$`).exec(name);
      if (m !== null) rotations.push({ n: m[1] === undefined ? 0 : Number(m[1]), name });
    }
    rotations.sort((a, b) => b.n - a.n || a.name.localeCompare(b.name));
    for (const { name } of rotations) sources.push({ hostPath: `/var/log/${name}`, format: name.endsWith('.gz') ? 'gzip' : 'text' });
  }
  return { sources, denied };
}

async function readSource(host: HostRoot, source: Source, timezone: string, options: SystemLogsOptions): Promise<FindingOf<'log-source'>> {
  const resolved = host.resolve(source.hostPath);
  if (resolved === undefined) {
    return finding(source.hostPath, source.format, failed('unreadable', 'a link that leads nowhere inside the root'));
  }
  const real = host.path(resolved);
  try {
    const stat = fs.statSync(real);
    if (!stat.isFile()) return finding(source.hostPath, source.format, failed('unsupported', 'not a regular file'));
    const read = { file: source.hostPath, onRecord: options.onRecord, ...(options.wanted ? { wanted: options.wanted } : {}) };
    const summary = source.format === 'journal'
      ? readJournalFile(real, read)
      : await readTextLog(real, { ...read, timezone, gzip: source.format === 'gzip' });
    return finding(source.hostPath, source.format, summary);
  } catch (error) {
    return finding(source.hostPath, source.format, unreadable(source.hostPath, error));
  }
}

/** The error's code and the host path (not the path in a captured root, nor a stack). */
function unreadable(hostPath: string, error: unknown): LogReadSummary {
  const code = error instanceof HostAccessError ? error.code : (error as NodeJS.ErrnoException).code;
  return failed('unreadable', code !== undefined ? `${code}: ${hostPath}` : `${hostPath}: ${String(error)}`);
}

function failed(problem: LogReadSummary['problem'], detail: string): LogReadSummary {
  return { records: 0, from: null, to: null, problem, detail };
}

function finding(hostPath: string, format: Format, summary: LogReadSummary): FindingOf<'log-source'> {
  return Finding.parse({
    id: `log:${hostPath}`, kind: 'log-source', file: hostPath, format,
    records: summary.records, from: summary.from, to: summary.to, problem: summary.problem, detail: summary.detail,
  }) as FindingOf<'log-source'>;
}
