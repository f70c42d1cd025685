import type { FindingOf, TraceSource, UsbIdentity } from '../../findings/schema.js';
import type { LogRecord, LogTraceParser } from '../../logs/log-record.js';

/**
 * Past attachments of USB storage, from the kernel's own messages (journal, kern.log, syslog):
 *
 *   usb 1-1: New USB device found, idVendor=0951, idProduct=1666, bcdDevice= 1.00
 *   usb 1-1: Product: DataTraveler 3.0
 *   usb 1-1: Manufacturer: Kingston
 *   usb 1-1: SerialNumber: S999
 *   usb-storage 1-1:1.0: USB Mass Storage device detected      (or: scsi host2: uas)
 *
 * The lines of one attachment follow each other in one file; the same attachment read from two
 * files (the journal and kern.log) is one trace. Only mass-storage attachments become findings;
 * each keeps, per log, the lines that prove it: device found, its serial, mass storage.
 */

const NEW_DEVICE = /^usb (\d+-[\d.]+): New USB device found, idVendor=([0-9a-fA-F]{4}), idProduct=([0-9a-fA-F]{4})/;
const STRING = /^usb (\d+-[\d.]+): (Product|Manufacturer|SerialNumber): (.*)$/;
const USB_STORAGE = /^(?:usb-storage (\d+-[\d.]+):\d+\.\d+: USB Mass Storage device detected|scsi host\d+: usb-storage (\d+-[\d.]+):\d+\.\d+)/;
const UAS = /^scsi host\d+: uas\b/;
const DISCONNECT = /^usb (\d+-[\d.]+): USB disconnect/;

/** A UAS disk names no port: it belongs to the attachment announced just before it (seconds). */
const UAS_WINDOW_MS = 10_000;
/** The same attachment in two logs: times agree to this (syslog has whole seconds, the journal µs). */
const SAME_ATTACHMENT_MS = 2_000;
/** Sources kept per trace: the proving lines (device found, serial, mass storage) of up to three logs. */
const MAX_SOURCES = 9;

interface Attachment {
  time: string;
  bootId: string | null;
  usb: UsbIdentity;
  storage: boolean;
  sources: TraceSource[];
}

/** What a parser of this kind wants to see: a cheap test before a record is built. */
export function isUsbAttachmentMessage(identifier: string | null, message: string): boolean {
  return (identifier === null || identifier === 'kernel') && (message.startsWith('usb') || message.startsWith('scsi host'));
}

export function createUsbAttachmentParser(): LogTraceParser<FindingOf<'usb-trace'>> {
  const attachments: Attachment[] = [];
  /** Per file: the attachment being announced on each port, and the latest one (for UAS). */
  const open = new Map<string, Map<string, Attachment>>();
  const latest = new Map<string, Attachment>();

  return {
    push(record: LogRecord) {
      if (!isUsbAttachmentMessage(record.identifier, record.message) || record.time === null) return;
      const ports = open.get(record.file) ?? new Map<string, Attachment>();
      open.set(record.file, ports);
      const message = record.message.trimEnd();

      const found = NEW_DEVICE.exec(message);
      if (found) {
        const [, port, vendorId, productId] = found as unknown as [string, string, string, string];
        const attachment: Attachment = {
          time: record.time,
          bootId: record.bootId,
          usb: { vendorId: vendorId.toLowerCase(), productId: productId.toLowerCase(), serial: null, manufacturer: null, product: null, port },
          storage: false,
          sources: [sourceOf(record)],
        };
        ports.set(port, attachment);
        latest.set(record.file, attachment);
        attachments.push(attachment);
        return;
      }
      const string = STRING.exec(message);
      if (string) {
        const attachment = ports.get(string[1]!);
        if (!attachment) return;
        const value = string[3]!.trim() || null;
        if (string[2] === 'SerialNumber') {
          attachment.usb.serial = value;
          attachment.sources.push(sourceOf(record));
        } else if (string[2] === 'Product') attachment.usb.product = value;
        else attachment.usb.manufacturer = value;
        return;
      }
      const storage = USB_STORAGE.exec(message);
      if (storage) {
        const attachment = ports.get(storage[1] ?? storage[2]!);
        if (attachment) markStorage(attachment, record);
        return;
      }
      if (UAS.test(message)) {
        const attachment = latest.get(record.file);
        if (attachment && Date.parse(record.time) - Date.parse(attachment.time) <= UAS_WINDOW_MS) markStorage(attachment, record);
        return;
      }
      const gone = DISCONNECT.exec(message);
      if (gone) ports.delete(gone[1]!);
    },

    finish() {
      return merge(attachments.filter((a) => a.storage)).map(toFinding);
    },
  };
}

function markStorage(attachment: Attachment, record: LogRecord): void {
  if (!attachment.storage) attachment.sources.push(sourceOf(record));
  attachment.storage = true;
}

function sourceOf(record: LogRecord): TraceSource {
  return { file: record.file, line: record.line, seqnum: record.seqnum, time: record.time, text: record.message.slice(0, 500) };
}

function identityKey(usb: UsbIdentity): string {
  return `${usb.vendorId}:${usb.productId}:${usb.serial ?? ''}@${usb.port}`;
}

/**
 * One trace per attachment: the same attachment read from several logs is merged. The journal's
 * copy leads (it has the boot and the exact time; syslog has whole seconds), its lines first.
 */
function merge(attachments: Attachment[]): Attachment[] {
  const byTime = [...attachments].sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
  const clusters: Attachment[][] = [];
  const recent = new Map<string, Attachment[]>();
  for (const attachment of byTime) {
    const key = identityKey(attachment.usb);
    const cluster = recent.get(key);
    if (cluster && Date.parse(attachment.time) - Date.parse(cluster[0]!.time) <= SAME_ATTACHMENT_MS) {
      cluster.push(attachment);
      continue;
    }
    recent.set(key, [attachment]);
    clusters.push(recent.get(key)!);
  }
  return clusters.map((cluster) => {
    const ordered = [...cluster].sort((a, b) => Number(fromJournal(b)) - Number(fromJournal(a)));
    const lead = ordered[0]!;
    return {
      ...lead,
      bootId: ordered.find((a) => a.bootId !== null)?.bootId ?? null,
      usb: {
        ...lead.usb,
        manufacturer: ordered.find((a) => a.usb.manufacturer !== null)?.usb.manufacturer ?? null,
        product: ordered.find((a) => a.usb.product !== null)?.usb.product ?? null,
      },
      sources: ordered.flatMap((a) => a.sources).slice(0, MAX_SOURCES),
    };
  });
}

function fromJournal(attachment: Attachment): boolean {
  return attachment.sources[0]?.seqnum !== null;
}

function toFinding(attachment: Attachment): FindingOf<'usb-trace'> {
  const { usb } = attachment;
  const second = attachment.time.slice(0, 19);
  return {
    id: `usb-trace:${usb.vendorId}:${usb.productId}:${usb.serial ?? `@${usb.port}`}:${second}`,
    kind: 'usb-trace',
    time: attachment.time,
    bootId: attachment.bootId,
    usb,
    agentSaw: 'unknown',
    sources: attachment.sources,
  };
}
