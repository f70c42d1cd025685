import { performance } from 'node:perf_hooks';
import type { Finding, FindingKind } from '../findings/schema.js';
import type { HostRoot } from '../host-root.js';
import { checkWatchedFolders, type WatchedFolderCheck, type WatchedFolderResult } from '../file-integrity/check-watched-folders.js';
import { enrolledDisks, recordedFileDigests } from '../ledger/baselines.js';
import type { Ledger } from '../ledger/ledger.js';
import { judgeUsbTraces, readWatchHistory } from '../ledger/watch-history.js';
import { readSystemLogs } from '../logs/system-logs.js';
import { createLinkUpParser, isLinkUpMessage } from '../traces/network/link-up-parser.js';
import { readNetworkTraceFiles } from '../traces/network/read-files.js';
import { createUsbAttachmentParser, isUsbAttachmentMessage } from '../traces/usb/usb-attachments.js';
import type { LoadedPolicy } from '../../policies/load.js';
import { scan, scanWindows } from './scan.js';
import type { ScanReport } from './scan-report.js';

/**
 * The deep scan (`scan --deep`, and the inspection before each holiday): the live scan, plus what
 * the machine's own records say of the past — USB storage attached (TRACE-MEDIA), networks joined
 * (TRACE-NETWORK) — the fixed disks against the enrolled ones (HW-DISK-CHANGE) and the watched
 * folders against their baselines (FILE-INTEGRITY).
 */

/** The finding kinds only a deep scan looks at (so that only a deep scan resolves their incidents). */
export const DEEP_KINDS: readonly FindingKind[] = ['usb-trace', 'network-trace', 'log-source', 'file-change', 'watched-folder'];

export type DeepScanStep =
  | { step: 'logs' }
  | { step: 'files'; folder: string; files: number; bytes: number; phase: string }
  | { step: 'devices' };

export interface DeepScanOptions {
  host: HostRoot;
  policy: LoadedPolicy;
  /** The violation log: what the agent saw live, and the baselines. Null: none (a dry run with no log). */
  ledger: Ledger | null;
  /** Where watched folders' baselines are kept. */
  stateDir: string;
  /** compare: the first look makes a baseline; renew: the officer accepts what is there; read-only: a dry run. */
  fileMode: WatchedFolderCheck['mode'];
  /** Findings from elsewhere (the service's own gaps). */
  extraFindings?: readonly Finding[];
  progress?: (step: DeepScanStep) => void;
  now?: () => Date;
  signal?: AbortSignal;
}

export interface DeepScan {
  report: ScanReport;
  /** Watched-folder baselines made or renewed: the caller records each (files.baselined). */
  baselined: WatchedFolderResult['baselined'];
  /** The baseline store could not be used and was moved aside. */
  fileStoreSetAside: WatchedFolderResult['databaseSetAside'];
}

export async function deepScan(options: DeepScanOptions): Promise<DeepScan> {
  const { host, policy: loaded, ledger, progress, now = () => new Date() } = options;
  const policy = loaded.policy;
  const startedAt = now();
  const started = performance.now();

  progress?.({ step: 'logs' });
  const traces = await readTraces(host, policy.timezone, process.platform);
  const history = ledger === null ? null : readWatchHistory(ledger.db, policy.schedule.heartbeatMinutes);
  const usbTraces = history === null ? traces.usb : judgeUsbTraces(traces.usb, history);

  const files = await checkWatchedFolders({
    host,
    stateDir: options.stateDir,
    folders: policy.fileIntegrity.folders,
    workingHours: policy.fileIntegrity.workingHours,
    timezone: policy.timezone,
    holidays: policy.holidays,
    recordedDigests: ledger === null ? new Map() : recordedFileDigests(ledger),
    mode: ledger === null ? 'read-only' : options.fileMode,
    progress: progress && ((p) => progress({ step: 'files', ...p })),
    now,
    signal: options.signal,
  });

  progress?.({ step: 'devices' });
  const input = {
    host,
    policy: loaded,
    extraFindings: [...(options.extraFindings ?? []), ...traces.other, ...usbTraces, ...files.findings],
    enrolledDisks: ledger === null ? null : enrolledDisks(ledger),
    now: () => startedAt,
  };
  const report = process.platform === 'win32' ? await scanWindows(input) : scan(input);
  return {
    report: { ...report, durationMs: Math.round((performance.now() - started) * 1000) / 1000 },
    baselined: files.baselined,
    fileStoreSetAside: files.databaseSetAside,
  };
}

/** One pass over the system's logs for USB attachments and links that came up, and the lease and profile files. */
async function readTraces(host: HostRoot, timezone: string, platform: NodeJS.Platform) {
  if (platform === 'win32') {
    const unavailable: Finding = {
      id: 'probe:traces',
      kind: 'probe-unavailable',
      probe: 'traces',
      reason: 'unsupported-platform',
      detail: 'the traces of past USB and network use are read from Linux logs only',
    };
    return { usb: [], other: [unavailable] };
  }
  const usb = createUsbAttachmentParser();
  const links = createLinkUpParser();
  const logSources = await readSystemLogs(host, {
    fallbackTimezone: timezone,
    // only what a parser may want is ever built into a record (most of a log is neither)
    wanted: (identifier, message) => isUsbAttachmentMessage(identifier, message) || isLinkUpMessage(identifier, message),
    onRecord(record) {
      usb.push(record);
      links.push(record);
    },
  });
  // No log at all is not "no trace": the past cannot be read (logs cleared, or never kept).
  const noLogs: Finding[] =
    logSources.length === 0
      ? [{ id: 'probe:system-logs', kind: 'probe-unavailable', probe: 'system-logs', reason: 'error', detail: 'no system log found (journal, kern.log, syslog, messages): the traces of the past cannot be read' }]
      : [];
  return { usb: usb.finish(), other: [...logSources, ...noLogs, ...links.finish(), ...readNetworkTraceFiles(host)] };
}
