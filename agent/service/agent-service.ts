import fs from 'node:fs';
import path from 'node:path';
import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import type { EnrolledDisk } from '../findings/schema.js';
import type { HostRoot } from '../host-root.js';
import { enrolledDisks, ensureDisksEnrolled } from '../ledger/baselines.js';
import { gapFindings } from '../ledger/gap-findings.js';
import { recordScan, type RecordScanOptions } from '../ledger/incidents.js';
import { recordDeepScan } from '../ledger/record-deep-scan.js';
import type { PayloadOf } from '../ledger/events.js';
import { Ledger } from '../ledger/ledger.js';
import { ledgerFiles, verifyLedger } from '../ledger/verify.js';
import type { Probe } from '../probes/probe.js';
import { dateIn } from '../schedule/calendar-date.js';
import type { PreHolidayInspection } from '../schedule/pre-holiday.js';
import { DEEP_KINDS, deepScan } from '../scan/deep-scan.js';
import { scan, scanWindows } from '../scan/scan.js';
import type { ScanReport } from '../scan/scan-report.js';
import { performExport } from '../export/perform-export.js';
import { findMedia } from '../../policies/registry.js';
import { writeFileAtomic } from '../state/state-dir.js';
import { AGENT_VERSION } from '../package-root.js';
import { INSTALLED_POLICY_FILE, loadPolicyInForce, type PolicyInForce } from '../../policies/in-force.js';
import { dailyScanMissed, inspectionDue } from './catch-up.js';
import { everyMinutes } from './cron-every.js';
import { DeviceWatcher } from './device-watcher.js';
import type { DeviceArea } from './device-snapshot.js';
import { removePidFile, writePidFile } from './pid-file.js';
import { FULL_PROBES, kindsCovered, probesForAreas, QUICK_PROBES } from './scan-plans.js';

export interface ServiceOptions {
  host: HostRoot;
  stateDir: string;
  trustDir: string;
  logger: Logger;
  now?: () => Date;
  /** Poll period of the device watcher when idle (default 1 s). */
  watchIdleMs?: number;
  /** Use libusb hot-plug events (default: on the live root). */
  libusb?: boolean;
}

type ScanOptions = Omit<RecordScanOptions, 'kinds'> & { probes?: readonly Probe[] };

/** What the log says about earlier runs, read once at start. */
interface History {
  /** When the log began: nothing before it can have been missed by this agent. */
  firstEvent: Date | null;
  cleanShutdown: boolean;
  lastFullScan: Date | null;
  inspectionsDone: Set<string>;
  lastAppliedSha256: string | null;
}

/**
 * `baomi-agent run`: the long-running agent. It records that it started (and whether it had
 * stopped cleanly), puts the policy in force, scans, then scans again on schedule, on every
 * device change and before each holiday, writes heartbeats, and records that it stopped.
 * Everything it does is synchronous against the log, so a stop never interrupts a write.
 */
export class AgentService {
  private policy!: PolicyInForce;
  private tasks: ScheduledTask[] = [];
  private watcher: DeviceWatcher | undefined;
  private policyWatch: fs.FSWatcher | undefined;
  private stopped = false;
  /** Inspection sticks exported to since they were plugged in (finding id @ mount point). */
  private readonly exportedTo = new Set<string>();
  /** Since when this agent has been watching (inspections due before it were never its to miss). */
  private since!: Date;
  private readonly now: () => Date;
  /** The fixed disks enrolled at the first run (read once; null until enrolled). */
  private enrolled: EnrolledDisk[] | null = null;

  private constructor(
    private readonly ledger: Ledger,
    private readonly options: ServiceOptions,
  ) {
    this.now = options.now ?? (() => new Date());
  }

  static async start(options: ServiceOptions): Promise<AgentService> {
    const ledger = await Ledger.open({ stateDir: options.stateDir, host: options.host, now: options.now });
    const service = new AgentService(ledger, options);
    await service.begin();
    return service;
  }

  private async begin(): Promise<void> {
    const { logger, stateDir } = this.options;
    if (this.ledger.recovery) logger.error({ recovery: this.ledger.recovery }, 'violation log did not verify: moved aside, new chain started');
    const history = this.readHistory();
    this.enrolled = enrolledDisks(this.ledger);
    writePidFile(stateDir, { pid: process.pid, startedAt: this.now().toISOString() });
    this.ledger.append({ type: 'agent.started', payload: { cleanShutdown: history.cleanShutdown, version: AGENT_VERSION, pid: process.pid } });
    logger.info({ cleanShutdown: history.cleanShutdown }, 'agent started');
    this.putPolicyInForce(history.lastAppliedSha256);
    const missed = history.firstEvent !== null && dailyScanMissed(history.lastFullScan, this.now());
    await this.scanNow({ scope: 'full', trigger: missed ? 'catch-up' : 'start' });
    this.since = history.firstEvent ?? this.now();
    await this.inspectIfDue(history.inspectionsDone);
    this.schedule(history.inspectionsDone);
    this.watcher = new DeviceWatcher({
      host: this.options.host,
      logger,
      onChange: (areas) => this.onDevicesChanged(areas),
      idleMs: this.options.watchIdleMs,
      libusb: this.options.libusb,
    });
    await this.watcher.start();
    this.watchPolicyFile();
  }

  /** Stop: no new work, the agent.stopped event, the log closed. Safe to call twice. */
  async stop(reason: string): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.watcher?.stop();
    this.policyWatch?.close();
    for (const task of this.tasks) await task.destroy();
    this.ledger.append({ type: 'agent.stopped', payload: { reason } });
    this.ledger.close();
    removePidFile(this.options.stateDir, process.pid);
    this.options.logger.info({ reason }, 'agent stopped');
  }

  private readHistory(): History {
    let firstEvent: Date | null = null;
    for (const event of this.ledger.events()) {
      firstEvent = new Date(event.time);
      break; // closes the statement
    }
    const history: History = {
      firstEvent,
      cleanShutdown: true,
      lastFullScan: null,
      inspectionsDone: new Set(),
      lastAppliedSha256: null,
    };
    for (const event of this.ledger.events({ types: ['agent.started', 'agent.stopped', 'scan.completed', 'policy.applied'] })) {
      if (event.type === 'agent.started') history.cleanShutdown = false;
      else if (event.type === 'agent.stopped') history.cleanShutdown = true;
      else if (event.type === 'policy.applied') history.lastAppliedSha256 = (event.payload as PayloadOf<'policy.applied'>).sha256;
      else {
        const payload = event.payload as PayloadOf<'scan.completed'>;
        if (payload.scope === 'full' || payload.scope === 'deep') history.lastFullScan = new Date(event.time);
        if (payload.inspection) history.inspectionsDone.add(payload.inspection.due);
      }
    }
    return history;
  }

  /** Load the policy in force; record when it changed since the last recorded, or was refused. */
  private putPolicyInForce(lastAppliedSha256: string | null): void {
    const { inForce, refused } = loadPolicyInForce({ stateDir: this.options.stateDir, trustDir: this.options.trustDir });
    if (refused) {
      this.ledger.append({ type: 'policy.refused', payload: { source: refused.source, field: refused.field, reason: refused.reason } });
      this.options.logger.error({ source: refused.source, field: refused.field, reason: refused.reason }, 'installed policy refused: the built-in policy applies');
    }
    if (inForce.sha256 !== lastAppliedSha256) {
      this.ledger.append({
        type: 'policy.applied',
        payload: { id: inForce.policy.id, version: inForce.policy.version, sha256: inForce.sha256, signer: inForce.signer },
      });
    }
    this.policy = inForce;
  }

  /**
   * Run probes (all of them by default), evaluate, record; a full scan also looks at the agent's
   * own gaps. Synchronous on Linux (sysfs); on Windows the facts are collected first.
   */
  private async scanNow(options: ScanOptions): Promise<ScanReport | undefined> {
    if (this.stopped) return undefined;
    const probes = options.probes ?? FULL_PROBES;
    const full = options.probes === undefined;
    const extraFindings = full ? gapFindings(this.ledger, this.policy.policy.schedule.heartbeatMinutes) : [];
    const input = { host: this.options.host, policy: this.policy, probes, extraFindings, now: this.now, enrolledDisks: this.enrolled };
    const report = process.platform === 'win32' ? await scanWindows(input) : scan(input);
    if (this.stopped) return undefined;
    const recorded = recordScan(this.ledger, report, { ...options, kinds: kindsCovered(probes, full ? ['agent-gap'] : []) });
    if (this.enrolled === null && ensureDisksEnrolled(this.ledger, report.findings)) this.enrolled = enrolledDisks(this.ledger);
    this.options.logger.info(
      { scope: options.scope, trigger: options.trigger, durationMs: report.durationMs, opened: recorded.opened.length, resolved: recorded.resolved.length },
      'scan recorded',
    );
    return report;
  }

  private onDevicesChanged(areas: DeviceArea[]): void {
    this.scanNow({ scope: 'hotplug', trigger: 'hotplug', probes: probesForAreas(areas) }).then(
      (report) => report && this.policy.policy.export.autoExport && this.autoExport(report),
      (error) => this.options.logger.error({ err: error }, 'hot-plug scan failed'),
    );
  }

  /**
   * With `export.autoExport`, a registered inspection stick exports by itself once it is
   * mounted: once per plug-in (a stick that goes away and comes back exports again).
   */
  private autoExport(report: ScanReport): void {
    if (report.probes.storage === undefined) return;
    const mounted = new Set<string>();
    for (const finding of report.findings) {
      if (finding.kind !== 'removable-storage' || finding.mountpoints.length === 0) continue;
      const entry = findMedia(this.policy.policy, finding);
      if (entry?.role !== 'inspection' || entry.status !== 'active') continue;
      const key = `${finding.id}@${finding.mountpoints[0]}`;
      mounted.add(key);
      if (this.exportedTo.has(key)) continue;
      this.exportedTo.add(key);
      const outcome = performExport(this.ledger, this.options.host, this.policy, finding.mountpoints[0]!);
      if (outcome.ok) this.options.logger.info({ bundle: outcome.result.dir, medium: entry.id }, 'exported to the inspection stick');
      else this.options.logger.error({ reason: outcome.reason.en, medium: entry.id }, 'automatic export failed');
    }
    for (const key of this.exportedTo) if (!mounted.has(key)) this.exportedTo.delete(key);
  }

  private schedule(inspectionsDone: Set<string>): void {
    const { schedule, timezone } = this.policy.policy;
    const every = (expression: string, name: string, work: () => unknown) =>
      this.tasks.push(
        cron.schedule(expression, async () => {
          try {
            await work();
          } catch (error) {
            this.options.logger.error({ err: error, task: name }, 'scheduled work failed');
          }
        }, { timezone, name, noOverlap: true }),
      );
    every(everyMinutes(schedule.quickScanMinutes), 'quick-scan', () => this.scanNow({ scope: 'quick', trigger: 'schedule', probes: QUICK_PROBES }));
    every(schedule.fullScanCron, 'full-scan', () => this.scanNow({ scope: 'full', trigger: 'schedule' }));
    every(everyMinutes(schedule.heartbeatMinutes), 'heartbeat', () => {
      if (this.stopped) return;
      this.ledger.append({ type: 'agent.heartbeat', payload: {} });
      this.ledger.checkpoint(); // the unsigned tail of the log is never older than one heartbeat
    });
    const [hour, minute] = schedule.preHolidayAt.split(':').map(Number);
    every(`${minute} ${hour} * * *`, 'pre-holiday', () => this.inspectIfDue(inspectionsDone));
  }

  /** Today's pre-holiday inspection once its time has come, or one missed while the computer was off. */
  private async inspectIfDue(done: Set<string>): Promise<void> {
    const { timezone, holidays, schedule } = this.policy.policy;
    const now = this.now();
    const time = new Intl.DateTimeFormat('en-GB', { timeZone: timezone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(now);
    const due = inspectionDue(dateIn(now, timezone), time, schedule.preHolidayAt, holidays, done, dateIn(this.since, timezone));
    if (due === null || this.stopped) return;
    await this.inspect(due.inspection, due.catchUp);
    done.add(due.inspection.inspectionDate);
  }

  /**
   * The deep scan before a holiday (T1 九.3): every probe, the traces of the past in the system's
   * logs, the disks against the enrolled ones, the watched folders against their baselines, the
   * log verified, and a report kept in the state directory for the inspector.
   */
  private async inspect(inspection: PreHolidayInspection, catchUp: boolean): Promise<void> {
    const { stateDir, logger } = this.options;
    const { file, headFile } = ledgerFiles(stateDir);
    const verified = await verifyLedger({ file, headFile, key: this.ledger.key });
    const extraFindings = gapFindings(this.ledger, this.policy.policy.schedule.heartbeatMinutes);
    const deep = await deepScan({ host: this.options.host, policy: this.policy, ledger: this.ledger, stateDir, fileMode: 'compare', extraFindings, now: this.now });
    if (this.stopped) return;
    if (deep.fileStoreSetAside) logger.error(deep.fileStoreSetAside, 'watched folders: the baseline store could not be used and was moved aside');
    const report = deep.report;
    const reportFile = path.join(stateDir, 'reports', `inspection-${inspection.inspectionDate}-${inspection.holiday}.json`);
    fs.mkdirSync(path.dirname(reportFile), { recursive: true, mode: 0o700 });
    writeFileAtomic(reportFile, JSON.stringify({ inspection, catchUp, ledgerVerified: verified.ok, scan: report }, null, 2) + '\n');
    recordDeepScan(this.ledger, deep, {
      kinds: kindsCovered(FULL_PROBES, ['agent-gap', ...DEEP_KINDS]),
      trigger: catchUp ? 'catch-up' : 'schedule',
      inspection: { holiday: inspection.holiday, due: inspection.inspectionDate, report: path.basename(reportFile) },
    });
    this.enrolled = enrolledDisks(this.ledger);
    logger.info({ holiday: inspection.holiday, due: inspection.inspectionDate, catchUp, ledgerVerified: verified.ok, durationMs: report.durationMs }, 'pre-holiday inspection recorded');
  }

  /** An officer applying a policy while the agent runs: put it in force and scan with it. */
  private watchPolicyFile(): void {
    try {
      this.policyWatch = fs.watch(this.options.stateDir, (_event, name) => {
        if (name !== INSTALLED_POLICY_FILE || this.stopped) return;
        const previous = this.policy.sha256;
        this.putPolicyInForce(previous);
        if (this.policy.sha256 !== previous) {
          this.rescheduleForPolicy();
          void this.scanNow({ scope: 'full', trigger: 'policy-change' }).catch((error) => this.options.logger.error({ err: error }, 'scan failed'));
        }
      });
    } catch (error) {
      this.options.logger.warn({ err: error }, 'cannot watch the state directory: a new policy applies at the next start');
    }
  }

  private rescheduleForPolicy(): void {
    const done = new Set<string>();
    for (const event of this.ledger.events({ types: ['scan.completed'] })) {
      const inspection = (event.payload as PayloadOf<'scan.completed'>).inspection;
      if (inspection) done.add(inspection.due);
    }
    for (const task of this.tasks) void task.destroy();
    this.tasks = [];
    this.schedule(done);
  }
}
