/**
 * One record of the system's logs, whatever file it came from: a systemd journal entry, or a line
 * of kern.log / syslog / messages (plain, rotated or gzip-compressed). The deep scan reads every
 * log once and hands each record to the trace parsers (USB attachments, links coming up).
 */
export interface LogRecord {
  /** When it was logged, ISO 8601 UTC; null when the line's time cannot be read. */
  time: string | null;
  /** The syslog identifier: kernel, NetworkManager, dhclient, systemd-networkd, wpa_supplicant …; null when unknown. */
  identifier: string | null;
  /** The message, without the syslog prefix (time, host, identifier[pid]:) nor the kernel's [  12.345678] stamp. */
  message: string;
  /** The boot it belongs to (journal _BOOT_ID), when known. */
  bootId: string | null;
  /** Where it was read: the file as on the host (/var/log/kern.log.2.gz), and its 1-based line or journal seqnum. */
  file: string;
  line: number | null;
  seqnum: number | null;
}

/** A parser of traces: it sees every record once, in file order, then returns what it found. */
export interface LogTraceParser<T> {
  push(record: LogRecord): void;
  finish(): T[];
}
