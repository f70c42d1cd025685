/**
 * Write the genuine systemd journal files that test/logs reads, with systemd's own writer:
 * `systemd-journal-remote -o FILE.journal -` fed the journal export format on stdin
 * (apt-get install systemd-journal-remote). Two files from the same entries:
 *
 *   usb-compact.journal.gz   the writer's default (systemd ≥ 252: compact mode, keyed hash, zstd)
 *   usb-regular.journal.gz   SYSTEMD_JOURNAL_COMPACT=0 (64-bit entry items, no compact DATA fields)
 *
 * The writer allocates 8 MB and a hash table sized for it, mostly zeros: the files are committed
 * gzip-compressed (30 KB each) and unpacked byte for byte by the tests.
 *
 * The entries are known (exported as ENTRIES below) so that tests assert on contents, not on
 * another reader's output. Two boots; kernel USB lines; NetworkManager and dhclient (the latter
 * with _COMM only); a MESSAGE with invalid UTF-8 (binary field); a 2 KB MESSAGE that the writer
 * compresses (zstd, above its 512-byte threshold); 300 filler entries from systemd.
 *
 *   node dist/scripts/gen-journal-fixtures.js [--out DIR] [--entries N] [--file NAME]
 *
 * `--entries N` and `--file NAME` make a big file for the benchmark (N filler entries).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import zlib from 'node:zlib';

const WRITER = '/lib/systemd/systemd-journal-remote';
export const BOOT_A = '1c5b8a2e4f6d4e0a9b3c7d1e2f3a4b5c';
export const BOOT_B = '9f8e7d6c5b4a49382716f5e4d3c2b1a0';
const MACHINE = '3d12aa55bb66cc77dd88ee99ff001122';
/** 2026-11-28T01:31:19Z, i.e. 09:31:19 in Beijing. */
const T0 = Date.UTC(2026, 10, 28, 1, 31, 19) * 1000;

export interface ExportEntry {
  realtimeUs: number;
  bootId: string;
  fields: [string, string | Buffer][];
}

export function fixtureEntries(filler = 300): ExportEntry[] {
  const entries: ExportEntry[] = [];
  let t = T0;
  const kernel = (bootId: string, message: string) => entries.push({
    realtimeUs: (t += 1000), bootId,
    fields: [['_TRANSPORT', 'kernel'], ['SYSLOG_IDENTIFIER', 'kernel'], ['PRIORITY', '6'], ['MESSAGE', message]],
  });
  kernel(BOOT_A, 'usb 1-1: new high-speed USB device number 2 using xhci_hcd');
  kernel(BOOT_A, 'usb 1-1: New USB device found, idVendor=0951, idProduct=1666, bcdDevice= 1.00');
  kernel(BOOT_A, 'usb 1-1: New USB device strings: Mfr=1, Product=2, SerialNumber=3');
  kernel(BOOT_A, 'usb 1-1: Product: DataTraveler 3.0');
  kernel(BOOT_A, 'usb 1-1: SerialNumber: S999');
  entries.push({
    realtimeUs: (t += 1000), bootId: BOOT_A,
    fields: [['_TRANSPORT', 'journal'], ['SYSLOG_IDENTIFIER', 'NetworkManager'], ['_COMM', 'NetworkManager'], ['_PID', '612'],
      ['MESSAGE', '<info>  [1795829479.1234] device (enp1s0): carrier: link connected']],
  });
  entries.push({
    realtimeUs: (t += 1000), bootId: BOOT_A,
    fields: [['_TRANSPORT', 'stdout'], ['_COMM', 'dhclient'], ['_PID', '700'], ['MESSAGE', 'DHCPACK of 192.168.1.23 from 192.168.1.1']],
  });
  entries.push({
    realtimeUs: (t += 1000), bootId: BOOT_A,
    fields: [['_TRANSPORT', 'syslog'], ['SYSLOG_IDENTIFIER', 'label-tool'], ['MESSAGE', Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0xff, 0x21])]],
  });
  entries.push({
    realtimeUs: (t += 1000), bootId: BOOT_A,
    fields: [['_TRANSPORT', 'journal'], ['SYSLOG_IDENTIFIER', 'big-talker'], ['MESSAGE', bigMessage()]],
  });
  for (let i = 0; i < filler; i++) {
    entries.push({
      realtimeUs: (t += 1000), bootId: BOOT_A,
      fields: [['_TRANSPORT', 'journal'], ['SYSLOG_IDENTIFIER', 'systemd'], ['_PID', '1'], ['MESSAGE', `Started session-${i}.scope - Session ${i} of User kylin.`]],
    });
  }
  t += 3_600_000_000;
  kernel(BOOT_B, 'usb 2-1: new SuperSpeed USB device number 3 using xhci_hcd');
  kernel(BOOT_B, 'usb 2-1: USB disconnect, device number 3');
  return entries;
}

/** 2 KB of text, so that the writer compresses it (its threshold is 512 bytes). */
export function bigMessage(): string {
  return `usb 1-1: big ${'0123456789abcdef'.repeat(128)} end`;
}

/** The journal export format: FIELD=value lines, binary fields as name, LE64 size, bytes. */
export function exportFormat(entries: ExportEntry[]): Buffer {
  const parts: Buffer[] = [];
  entries.forEach((entry, i) => {
    const text = (name: string, value: string) => parts.push(Buffer.from(`${name}=${value}\n`));
    text('__CURSOR', `s=${MACHINE};i=${i + 1}`);
    text('__REALTIME_TIMESTAMP', String(entry.realtimeUs));
    text('__MONOTONIC_TIMESTAMP', String(1_000_000 + i * 1000));
    text('_BOOT_ID', entry.bootId);
    text('_MACHINE_ID', MACHINE);
    text('_HOSTNAME', 'pc-017');
    for (const [name, value] of entry.fields) {
      if (typeof value === 'string' && !value.includes('\n')) text(name, value);
      else {
        const bytes = Buffer.from(value);
        const size = Buffer.alloc(8);
        size.writeBigUInt64LE(BigInt(bytes.length));
        parts.push(Buffer.from(`${name}\n`), size, bytes, Buffer.from('\n'));
      }
    }
    parts.push(Buffer.from('\n'));
  });
  return Buffer.concat(parts);
}

export function writeJournal(file: string, entries: ExportEntry[], env: Record<string, string> = {}): void {
  fs.rmSync(file, { force: true });
  const result = spawnSync(WRITER, ['-o', file, '-'], { input: exportFormat(entries), env: { ...process.env, ...env }, maxBuffer: 1 << 30 });
  if (result.status !== 0) throw new Error(`${WRITER} failed (${result.status}): ${result.stderr.toString()}`);
}

const isMain = process.argv[1] !== undefined && import.meta.url.endsWith(path.basename(process.argv[1]));
if (isMain) {
  const { values } = parseArgs({ options: { out: { type: 'string', default: 'test/fixtures/journal' }, entries: { type: 'string' }, file: { type: 'string' } } });
  fs.mkdirSync(values.out!, { recursive: true });
  if (values.entries !== undefined) {
    const file = path.join(values.out!, values.file ?? 'big.journal');
    writeJournal(file, fixtureEntries(Number(values.entries)));
    process.stdout.write(`${file}: ${fs.statSync(file).size} bytes\n`);
  } else {
    const variants: [string, Record<string, string>][] = [['usb-compact.journal', {}], ['usb-regular.journal', { SYSTEMD_JOURNAL_COMPACT: '0' }]];
    for (const [name, env] of variants) {
      const file = path.join(values.out!, name);
      writeJournal(file, fixtureEntries(), env);
      fs.writeFileSync(`${file}.gz`, zlib.gzipSync(fs.readFileSync(file), { level: 9 }));
      fs.rmSync(file);
      process.stdout.write(`${name}.gz: ${fs.statSync(`${file}.gz`).size} bytes\n`);
    }
  }
}
