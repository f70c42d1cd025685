import cron from 'node-cron';
import { z } from 'zod';
import { HexId } from '../agent/findings/schema.js';

/**
 * The policy language. This zod schema is the single source of truth: the TypeScript types,
 * the validation of every policy file and `policy.schema.json` (for editors) all come from it.
 * Unknown fields are refused, so a misspelt setting is an error rather than silently ignored.
 */

export const POLICY_SCHEMA_ID = 'baomi.policy/1';

/** Text shown to people: Chinese first, English second. */
export const Text = z.strictObject({ zh: z.string().min(1), en: z.string().min(1) });
export type Text = z.infer<typeof Text>;

/** Classification levels, highest first (T3 第四十三条). */
export const CLASSIFICATIONS = ['绝密', '机密', '秘密', '内部', '非涉密'] as const;
export const Classification = z.enum(CLASSIFICATIONS);
export type Classification = z.infer<typeof Classification>;

export const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export const Severity = z.enum(SEVERITIES);
export type Severity = z.infer<typeof Severity>;

/** Rule ids are those of shared/RULES.md section A, plus the agent's own PROBE-UNAVAILABLE. */
export const RULE_IDS = [
  'NET-CABLE',
  'NET-INTERNET',
  'NET-WIRELESS',
  'NET-USB-ADAPTER',
  'NET-BLUETOOTH',
  'MEDIA-UNREGISTERED',
  'MEDIA-WRONG-CLASS',
  'MEDIA-WRONG-HOST',
  'MEDIA-RETIRED',
  'AV-MICROPHONE',
  'AV-CAMERA',
  'PRINTER-SHARED',
  'PRINTER-FAX',
  'SEC-SOFTWARE',
  'SEC-AGENT-GAP',
  'HW-DISK-CHANGE',
  'FILE-INTEGRITY',
  'TRACE-MEDIA',
  'TRACE-NETWORK',
  'PROBE-UNAVAILABLE',
] as const;
export const RuleId = z.enum(RULE_IDS);
export type RuleId = z.infer<typeof RuleId>;

/** An article of the regulation a rule enforces: `T3 第十四条(六)` and its Chinese original. */
export const Citation = z.strictObject({
  ref: z.string().min(1),
  original: z.string().min(1),
});

export const Rule = z.strictObject({
  id: RuleId,
  enabled: z.boolean().default(true),
  severity: Severity,
  title: Text,
  rationale: Text,
  remediation: Text,
  citations: z.array(Citation).min(1, 'every rule cites at least one article'),
});
export type Rule = z.infer<typeof Rule>;

const Name = z.string().min(1).max(200);
const IsoDate = z.iso.date();
const Mac = z.string().regex(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/, 'a MAC address in lowercase, colon-separated');

/** A registered removable medium (U盘, USB disk, SD card). Identity: VID, PID, serial and capacity. */
export const MediaEntry = z.strictObject({
  id: Name,
  label: Name,
  vendorId: HexId.nullable(),
  productId: HexId.nullable(),
  /** As the device reports it; null registers a medium that has no serial (weak identity). */
  serial: z.string().max(256).nullable(),
  capacityBytes: z.number().int().nonnegative().nullable(),
  class: Classification,
  /** Hostname or machine id of the one computer a storage medium may be used on; null: any. */
  boundHost: z.string().min(1).nullable(),
  owner: Name,
  status: z.enum(['active', 'retired', 'lost']),
  registeredBy: Name,
  registeredAt: IsoDate,
  /** `inspection` media carry reports to the inspectors and go from computer to computer. */
  role: z.enum(['storage', 'inspection']),
});
export type MediaEntry = z.infer<typeof MediaEntry>;

/** An approved printer, by device URI and/or USB identity. */
export const PrinterEntry = z.strictObject({
  id: Name,
  label: Name,
  deviceUri: z.string().min(1).nullable(),
  vendorId: HexId.nullable().default(null),
  productId: HexId.nullable().default(null),
  serial: z.string().nullable().default(null),
  boundHost: z.string().min(1).nullable().default(null),
});
export type PrinterEntry = z.infer<typeof PrinterEntry>;

/** An approved network interface of a networked classified terminal (on a classified network only). */
export const NetworkInterfaceEntry = z.strictObject({
  id: Name,
  label: Name,
  mac: Mac,
  boundHost: z.string().min(1).nullable().default(null),
});
export type NetworkInterfaceEntry = z.infer<typeof NetworkInterfaceEntry>;

/** A classified computer: its class and who answers for it (shown in the committee's report). */
export const HostEntry = z.strictObject({
  hostname: Name,
  machineId: z.string().min(1).nullable().default(null),
  class: Classification,
  department: Name,
  owner: Name,
});
export type HostEntry = z.infer<typeof HostEntry>;

/** The enrolled fixed disks of a computer (HW-DISK-CHANGE compares the inventory with them). */
export const DiskEntry = z.strictObject({
  host: Name,
  model: z.string().nullable().default(null),
  serial: z.string().min(1),
});
export type DiskEntry = z.infer<typeof DiskEntry>;

export const Registry = z.strictObject({
  media: z.array(MediaEntry).default([]),
  printers: z.array(PrinterEntry).default([]),
  networkInterfaces: z.array(NetworkInterfaceEntry).default([]),
  hosts: z.array(HostEntry).default([]),
  disks: z.array(DiskEntry).default([]),
});
export type Registry = z.infer<typeof Registry>;

/** Security software every computer must run (each office names its own). */
export const RequiredSoftware = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'lowercase letters, digits, . _ -'),
  name: Text,
  processes: z.array(Name).default([]),
  units: z.array(Name).default([]),
  paths: z.array(z.string().startsWith('/')).default([]),
}).refine((s) => s.processes.length > 0 || s.units.length > 0, {
  message: 'name at least one process or systemd unit to look for',
});
export type RequiredSoftware = z.infer<typeof RequiredSoftware>;

/** A break of the official holiday schedule, e.g. 春节 2026-02-15 … 2026-02-23 (both days off). */
export const HolidayBreak = z
  .strictObject({ name: Name, from: IsoDate, to: IsoDate })
  .refine((b) => b.from <= b.to, { message: '"from" must not be after "to"', path: ['to'] });

/**
 * One year of the State Council's holiday schedule (国务院办公厅关于部分节假日安排的通知):
 * the breaks, and the weekend days that are working days (调休上班). Years the table does not
 * cover are computed (fixed dates, and the lunar calendar for Spring Festival).
 */
export const HolidayYear = z.strictObject({
  source: Name,
  breaks: z.array(HolidayBreak),
  workdays: z.array(IsoDate).default([]),
});
export type HolidayYear = z.infer<typeof HolidayYear>;

const Cron = z.string().refine((expression) => cron.validate(expression), { message: 'not a valid cron expression' });
const TimeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day, HH:MM');

/** When the service scans and proves it is alive (in the policy's time zone). */
export const Schedule = z.strictObject({
  /** A quick scan of the device probes every N minutes (hot-plug events come on top). */
  quickScanMinutes: z.number().int().min(1).max(1440).default(5),
  /** The daily full scan (all probes), as a cron expression; missed (PC off) it runs at the next start. */
  fullScanCron: Cron.default('0 12 * * *'),
  /** A heartbeat in the log every N minutes: gaps show when the agent did not run. */
  heartbeatMinutes: z.number().int().min(1).max(1440).default(15),
  /** Time of the pre-holiday inspection on the last working day before the break. */
  preHolidayAt: TimeOfDay.default('10:00'),
});
export type Schedule = z.infer<typeof Schedule>;

/** Exports to the inspectors' sticks. */
export const ExportSettings = z.strictObject({
  /** Plugging in a registered inspection stick exports by itself once the stick is mounted. */
  autoExport: z.boolean().default(false),
});

/** The owner's working hours (T1 八.4: changes at other times are reported). Days off come from the holiday table. */
export const WorkingHours = z
  .strictObject({ start: TimeOfDay, end: TimeOfDay })
  .refine((h) => h.start < h.end, { message: '"start" must be before "end"', path: ['end'] });

/** A folder whose files are reviewed against a baseline (FILE-INTEGRITY). */
export const WatchedFolder = z.strictObject({
  /** Absolute path on the computer (/home/… on Linux, C:\\… on Windows). */
  path: z.string().regex(/^(\/|[A-Za-z]:\\)/, 'an absolute path'),
  label: Name.optional(),
});

/** Review of watched folders in the deep scan (T1 八.4). */
export const FileIntegrity = z.strictObject({
  folders: z.array(WatchedFolder).default([]),
  workingHours: WorkingHours.default({ start: '08:30', end: '17:30' }),
  /**
   * all: every added, changed, moved or deleted file is a violation (off-hours ones flagged);
   * off-hours: only changes outside working hours, and every deletion and move.
   */
  report: z.enum(['all', 'off-hours']).default('all'),
});
export type FileIntegrity = z.infer<typeof FileIntegrity>;

/** How findings are counted where the articles leave room. */
export const Detection = z.strictObject({
  /** Count virtual interfaces (bridges, veth, tun) in NET-CABLE and NET-INTERNET. */
  virtualInterfaces: z.boolean().default(false),
  /** Count sound codecs on the mainboard (with a microphone jack) in AV-MICROPHONE, not only USB microphones. */
  onboardAudio: z.boolean().default(true),
});

export const Policy = z
  .strictObject({
    $schema: z.string().optional(),
    schema: z.literal(POLICY_SCHEMA_ID),
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'lowercase letters, digits, . _ -'),
    version: z.number().int().positive(),
    title: Text,
    /** Class of the computers this policy governs, unless registry.hosts says otherwise. */
    computerClass: Classification,
    timezone: z.string().refine(isTimeZone, { message: 'not an IANA time zone' }).default('Asia/Shanghai'),
    schedule: Schedule.default({ quickScanMinutes: 5, fullScanCron: '0 12 * * *', heartbeatMinutes: 15, preHolidayAt: '10:00' }),
    detection: Detection.default({ virtualInterfaces: false, onboardAudio: true }),
    export: ExportSettings.default({ autoExport: false }),
    fileIntegrity: FileIntegrity.default({ folders: [], workingHours: { start: '08:30', end: '17:30' }, report: 'all' }),
    rules: z.array(Rule).min(1),
    requiredSoftware: z.array(RequiredSoftware).default([]),
    registry: Registry.default({ media: [], printers: [], networkInterfaces: [], hosts: [], disks: [] }),
    holidays: z.record(z.string().regex(/^\d{4}$/, 'a year'), HolidayYear).default({}),
  })
  .superRefine((policy, ctx) => {
    policy.rules.forEach((rule, i) => {
      if (policy.rules.findIndex((other) => other.id === rule.id) !== i) {
        ctx.addIssue({ code: 'custom', path: ['rules', i, 'id'], message: `rule ${rule.id} appears twice` });
      }
    });
    policy.registry.media.forEach((entry, i) => {
      if (policy.registry.media.findIndex((other) => other.id === entry.id) !== i) {
        ctx.addIssue({ code: 'custom', path: ['registry', 'media', i, 'id'], message: `registry id ${entry.id} appears twice` });
      }
    });
  });
export type Policy = z.infer<typeof Policy>;

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
export type PolicyInput = z.input<typeof Policy>;
