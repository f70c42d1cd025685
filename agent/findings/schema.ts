import { z } from 'zod';

/**
 * The finding vocabulary: what a probe saw. Every finding has a stable `id` (the same device
 * gives the same id from scan to scan, so the ledger can tell a persisting incident from a new
 * one) and a `kind`. Identities are written as sysfs and lsusb write them: vendor and product
 * ids as 4-digit lowercase hex, serials exactly as the device reports them.
 */

export const HexId = z.string().regex(/^[0-9a-f]{4}$/, 'a 4-digit lowercase hex id');

/** The USB device a finding sits on. */
export const UsbIdentity = z.object({
  vendorId: HexId,
  productId: HexId,
  serial: z.string().nullable(),
  manufacturer: z.string().nullable(),
  product: z.string().nullable(),
  /** Kernel name of the device: bus-port path, e.g. "1-2.3". */
  port: z.string(),
});
export type UsbIdentity = z.infer<typeof UsbIdentity>;

/** Bus of the physical device: the sysfs subsystem of its nearest bus device. */
export const Bus = z.enum(['usb', 'pci', 'platform', 'sdio', 'mmc', 'virtual', 'other']);
export type Bus = z.infer<typeof Bus>;

const base = { id: z.string().min(1) };

export const NetworkInterfaceFinding = z.object({
  ...base,
  kind: z.literal('network-interface'),
  name: z.string(),
  mac: z.string().nullable(),
  bus: Bus,
  driver: z.string().nullable(),
  loopback: z.boolean(),
  /** No physical device behind it (bridge, veth, tun, docker0 …). */
  virtual: z.boolean(),
  wireless: z.boolean(),
  wwan: z.boolean(),
  operstate: z.string().nullable(),
  /** Link detected (cable plugged / associated); null when the kernel cannot tell (interface down). */
  carrier: z.boolean().nullable(),
  adminUp: z.boolean(),
  ipv4: z.array(z.string()),
  ipv6: z.array(z.string()),
  defaultRoute: z.boolean(),
  usb: UsbIdentity.nullable(),
});

export const BluetoothAdapterFinding = z.object({
  ...base,
  kind: z.literal('bluetooth-adapter'),
  /** hciN, or null for a Bluetooth USB interface that no driver has claimed. */
  name: z.string().nullable(),
  bus: Bus,
  driver: z.string().nullable(),
  /** From rfkill; null when the kernel exposes no switch for it. */
  softBlocked: z.boolean().nullable(),
  hardBlocked: z.boolean().nullable(),
  usb: UsbIdentity.nullable(),
});

export const AudioCaptureFinding = z.object({
  ...base,
  kind: z.literal('audio-capture'),
  /** ALSA card number, or null for a USB audio interface that no driver has claimed. */
  card: z.number().int().nullable(),
  cardId: z.string().nullable(),
  name: z.string().nullable(),
  bus: Bus,
  driver: z.string().nullable(),
  /** A device on an external bus (USB) rather than a codec on the mainboard. */
  external: z.boolean(),
  /** Capture PCM devices, e.g. "pcmC0D0c". */
  capturePcms: z.array(z.string()),
  usb: UsbIdentity.nullable(),
});

export const VideoNode = z.object({
  node: z.string(),
  name: z.string().nullable(),
  /** From udev's v4l_id (ID_V4L_CAPABILITIES); null when udev did not record them. */
  capabilities: z.array(z.string()).nullable(),
});

export const VideoCaptureFinding = z.object({
  ...base,
  kind: z.literal('video-capture'),
  name: z.string().nullable(),
  bus: Bus,
  driver: z.string().nullable(),
  external: z.boolean(),
  /**
   * Every /dev/video* node of this physical device (a UVC camera makes several); empty for a
   * USB video function no driver has claimed.
   */
  nodes: z.array(VideoNode),
  usb: UsbIdentity.nullable(),
});

export const BlockPartition = z.object({
  name: z.string(),
  sizeBytes: z.number().int().nonnegative(),
  mountpoints: z.array(z.string()),
});

export const RemovableStorageFinding = z.object({
  ...base,
  kind: z.literal('removable-storage'),
  /** Block device name (sdb, mmcblk0, sr0), or null for a mass-storage interface with no disk yet. */
  device: z.string().nullable(),
  bus: Bus,
  vendor: z.string().nullable(),
  model: z.string().nullable(),
  capacityBytes: z.number().int().nonnegative(),
  /** False for an empty card reader slot or an empty optical drive. */
  mediaPresent: z.boolean(),
  readOnly: z.boolean().nullable(),
  partitions: z.array(BlockPartition),
  /** Mount points of the whole disk and of its partitions. */
  mountpoints: z.array(z.string()),
  usb: UsbIdentity.nullable(),
  /** The medium's serial: the USB serial, or for other buses the kernel's (SD card CID, udev ID_SERIAL_SHORT). */
  serial: z.string().nullable(),
  /** The medium reports no serial: its identity is weak (VID, PID and capacity only). */
  noSerial: z.boolean(),
});

export const PrinterFinding = z.object({
  ...base,
  kind: z.literal('printer'),
  queue: z.string(),
  deviceUri: z.string().nullable(),
  /** URI scheme that reaches the printer over a network (ipp, ipps, http, socket, lpd, smb, dnssd …). */
  network: z.boolean(),
  /** The queue is shared with other computers (printers.conf `Shared Yes`). */
  shared: z.boolean(),
  makeModel: z.string().nullable(),
  info: z.string().nullable(),
  location: z.string().nullable(),
  /** Fax queue or a device with fax function (URI scheme, CUPS type bits, PPD). */
  fax: z.boolean(),
  /** Multifunction device (scanner/fax/copier with memory). */
  multifunction: z.boolean(),
  usb: UsbIdentity.nullable(),
});

export const SecuritySoftwareFinding = z.object({
  ...base,
  kind: z.literal('security-software'),
  /** The id of the required software in the policy. */
  software: z.string(),
  installed: z.boolean(),
  running: z.boolean(),
  /** What proved it: matching processes and systemd units. */
  processes: z.array(z.object({ pid: z.number().int(), name: z.string() })),
  units: z.array(z.object({ unit: z.string(), active: z.boolean() })),
});

export const UsbInterface = z.object({
  number: z.string(),
  class: z.string(),
  subclass: z.string(),
  protocol: z.string(),
  driver: z.string().nullable(),
});

export const UsbDeviceFinding = z.object({
  ...base,
  kind: z.literal('usb-device'),
  usb: UsbIdentity,
  deviceClass: z.string(),
  speedMbps: z.number().nullable(),
  interfaces: z.array(UsbInterface),
  /** Names of the interface classes (storage, hid, audio, video, wireless, communications …). */
  classes: z.array(z.string()),
  /** A cellular modem (wwan, qmi, mbim, AT-command modem). */
  modem: z.boolean(),
});

export const FixedDiskFinding = z.object({
  ...base,
  kind: z.literal('fixed-disk'),
  device: z.string(),
  bus: Bus,
  model: z.string().nullable(),
  serial: z.string().nullable(),
  /** World Wide Name (udev ID_WWN, sysfs wwid), when the disk has one. */
  wwn: z.string().nullable(),
  capacityBytes: z.number().int().nonnegative(),
});

/** A fixed disk as enrolled in the baseline (recorded in the violation log; HW-DISK-CHANGE compares with it). */
export const EnrolledDisk = FixedDiskFinding.pick({ device: true, model: true, serial: true, wwn: true, capacityBytes: true }).strict();
export type EnrolledDisk = z.infer<typeof EnrolledDisk>;

/**
 * A time the agent was not watching, read from its own log (not from a probe): killed, crashed
 * or powered off without an orderly stop, or silent while it should have been beating.
 */
export const AgentGapFinding = z.object({
  ...base,
  kind: z.literal('agent-gap'),
  gap: z.enum(['unclean-stop', 'silence']),
  from: z.iso.datetime(),
  to: z.iso.datetime(),
  minutes: z.number().int().nonnegative(),
  fromSeq: z.number().int().nonnegative(),
  toSeq: z.number().int().nonnegative(),
});

export const ProbeUnavailableFinding = z.object({
  ...base,
  kind: z.literal('probe-unavailable'),
  probe: z.string(),
  reason: z.enum(['permission-denied', 'unsupported-platform', 'error']),
  detail: z.string(),
});

/**
 * Where a trace was read: a log, lease or profile file of the host and the place in it. Traces
 * are what the deep scan finds of the past (TRACE-MEDIA, TRACE-NETWORK): each carries its sources.
 */
export const TraceSource = z.object({
  /** The path as on the host (not under --root), e.g. /var/log/kern.log.2.gz. */
  file: z.string(),
  /** 1-based line of a text file; null for a binary journal file. */
  line: z.number().int().positive().nullable(),
  /** The journal entry's sequence number; null for a text file. */
  seqnum: z.number().int().nonnegative().nullable(),
  /** When it was written, when the source says. */
  time: z.iso.datetime().nullable(),
  /** The line or message itself, cut to 500 characters. */
  text: z.string().max(500),
});
export type TraceSource = z.infer<typeof TraceSource>;

/** A past attachment of USB storage, read from the system's logs (kernel, journal, syslog). */
export const UsbTraceFinding = z.object({
  ...base,
  kind: z.literal('usb-trace'),
  /** When the device was attached. */
  time: z.iso.datetime(),
  bootId: z.string().nullable(),
  usb: UsbIdentity,
  /**
   * What the agent's own log says of that moment (the deep scan fills it in from the ledger):
   * recorded: the agent saw the device live; not-recorded: the agent was running and has no record
   * of it; agent-stopped: the agent was installed but not running; before-agent: before its log
   * begins; unknown: no log to compare with.
   */
  agentSaw: z.enum(['recorded', 'not-recorded', 'agent-stopped', 'before-agent', 'unknown']),
  sources: z.array(TraceSource).min(1),
});

/** A past network connection: a DHCP lease, a saved connection profile, a Wi-Fi network, a link that came up. */
export const NetworkTraceFinding = z.object({
  ...base,
  kind: z.literal('network-trace'),
  trace: z.enum(['dhcp-lease', 'connection-profile', 'wpa-network', 'link-up']),
  medium: z.enum(['ethernet', 'wifi', 'mobile', 'vpn', 'bluetooth', 'usb-tether', 'other']),
  interface: z.string().nullable(),
  /** A bridge, veth, tun, docker … interface (counted only with the policy's detection.virtualInterfaces). */
  virtual: z.boolean(),
  /** The SSID, APN, profile name or DHCP server, as the trace names it. */
  name: z.string().nullable(),
  /** The address obtained, when the trace records one. */
  address: z.string().nullable(),
  /** When the link came up, the lease was obtained or the profile last used; null when not recorded. */
  time: z.iso.datetime().nullable(),
  sources: z.array(TraceSource).min(1),
});

/** A file of a watched folder that differs from the folder's baseline (FILE-INTEGRITY). */
export const FileChangeFinding = z.object({
  ...base,
  kind: z.literal('file-change'),
  /** The watched folder, as the policy names it. */
  folder: z.string(),
  change: z.enum(['added', 'changed', 'moved', 'deleted']),
  /** Host path of the file (for a moved file: where it is now). */
  path: z.string(),
  /** Where a moved file was in the baseline. */
  previousPath: z.string().nullable(),
  sizeBytes: z.number().int().nonnegative().nullable(),
  /** The file's modification time (for a deleted file: its last known one). */
  mtime: z.iso.datetime().nullable(),
  sha256: z.string().nullable(),
  previousSha256: z.string().nullable(),
  /** The modification time falls outside the policy's working hours or on a day off. */
  offHours: z.boolean(),
});

/** A watched folder and the state of its baseline. */
export const WatchedFolderFinding = z.object({
  ...base,
  kind: z.literal('watched-folder'),
  folder: z.string(),
  /**
   * baseline-created: first look, the baseline was made; verified: compared with its baseline;
   * baseline-tampered: the stored baseline does not match the digest the violation log holds;
   * missing: the folder does not exist or is not a folder.
   */
  state: z.enum(['baseline-created', 'verified', 'baseline-tampered', 'missing']),
  files: z.number().int().nonnegative(),
  /** Entries not hashed: special files, symbolic links, unreadable files. */
  skipped: z.number().int().nonnegative(),
  baselineAt: z.iso.datetime().nullable(),
  detail: z.string().nullable(),
});

/** A system log the deep scan read, and the time it covers: how far back the traces can go. */
export const LogSourceFinding = z.object({
  ...base,
  kind: z.literal('log-source'),
  file: z.string(),
  format: z.enum(['journal', 'text', 'gzip']),
  records: z.number().int().nonnegative(),
  from: z.iso.datetime().nullable(),
  to: z.iso.datetime().nullable(),
  /** Read only in part (truncated, corrupt), not at all (unreadable), or in a format not supported. */
  problem: z.enum(['truncated', 'corrupt', 'unreadable', 'unsupported']).nullable(),
  detail: z.string().nullable(),
});

export const Finding = z.discriminatedUnion('kind', [
  NetworkInterfaceFinding,
  BluetoothAdapterFinding,
  AudioCaptureFinding,
  VideoCaptureFinding,
  RemovableStorageFinding,
  PrinterFinding,
  SecuritySoftwareFinding,
  UsbDeviceFinding,
  FixedDiskFinding,
  AgentGapFinding,
  ProbeUnavailableFinding,
  UsbTraceFinding,
  NetworkTraceFinding,
  FileChangeFinding,
  WatchedFolderFinding,
  LogSourceFinding,
]);
export type Finding = z.infer<typeof Finding>;
export type FindingKind = Finding['kind'];
export type FindingOf<K extends FindingKind> = Extract<Finding, { kind: K }>;
