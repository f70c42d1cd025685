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
  capacityBytes: z.number().int().nonnegative(),
});

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
]);
export type Finding = z.infer<typeof Finding>;
export type FindingKind = Finding['kind'];
export type FindingOf<K extends FindingKind> = Extract<Finding, { kind: K }>;
