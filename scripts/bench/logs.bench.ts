import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { readJournalFile } from '../../agent/logs/journal-file.js';
import type { LogReadSummary } from '../../agent/logs/log-read.js';
import { readTextLog } from '../../agent/logs/text-log.js';
import { fixtureEntries, writeJournal } from '../gen-journal-fixtures.js';
import { formatMs, measure } from './measure.js';

/**
 * The log reader of the deep scan: records/s and MB/s (median of 5 runs) on ~90 MB of journal
 * files written by systemd-journal-remote (skipped when it is not installed; MB/s counts the
 * written objects, not the space journald allocated ahead) and on a 100 MB
 * syslog, plain and gzip, each read whole and with a `wanted` filter keeping kernel USB lines.
 */
const MB = 1024 * 1024;
const JOURNAL_ENTRIES = 300_000;
const WANTED = (identifier: string | null, message: string) => identifier === 'kernel' && message.startsWith('usb ');

export async function run(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'baomi-bench-logs-'));
  try {
    if (fs.existsSync('/lib/systemd/systemd-journal-remote')) {
      // the writer rotates at about 50 MB: the entries end up in two files, read one after the other
      const journalDir = path.join(dir, 'journal');
      fs.mkdirSync(journalDir);
      writeJournal(path.join(journalDir, 'big.journal'), fixtureEntries(JOURNAL_ENTRIES));
      const files = fs.readdirSync(journalDir).sort().map((name) => path.join(journalDir, name));
      const bytes = files.reduce((n, file) => n + writtenBytes(file), 0);
      const readAll = (wanted?: typeof WANTED) => files.map((file) => readJournalFile(file, { file, onRecord: () => undefined, ...(wanted ? { wanted } : {}) }))
        .reduce((sum, s) => ({ ...sum, records: sum.records + s.records }));
      await bench(`journal, ${files.length} files`, bytes, () => readAll());
      await bench('journal, wanted = kernel usb', bytes, () => readAll(WANTED));
    } else {
      process.stdout.write('journal: skipped (no /lib/systemd/systemd-journal-remote to write one)\n');
    }
    const syslog = path.join(dir, 'syslog');
    writeSyslog(syslog, 100 * MB);
    const size = fs.statSync(syslog).size;
    const text = { file: syslog, timezone: 'Asia/Shanghai', gzip: false, onRecord: () => undefined };
    await bench('syslog, 100 MB', size, () => readTextLog(syslog, text));
    await bench('syslog, wanted = kernel usb', size, () => readTextLog(syslog, { ...text, wanted: WANTED }));
    const gz = `${syslog}.gz`;
    fs.writeFileSync(gz, zlib.gzipSync(fs.readFileSync(syslog), { level: 6 }));
    await bench(`syslog.gz (${(fs.statSync(gz).size / MB).toFixed(1)} MB, 100 MB of text)`, size, () => readTextLog(gz, { ...text, gzip: true }));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function bench(name: string, bytes: number, read: () => LogReadSummary | Promise<LogReadSummary>): Promise<void> {
  let records = 0;
  const m = await measure(name, async () => { records = (await read()).records; }, 5, 1);
  const seconds = m.medianMs / 1000;
  process.stdout.write(`${name.padEnd(48)} ${formatMs(m.medianMs).padStart(9)}  ${Math.round(records / seconds).toLocaleString('en').padStart(11)} records/s  ${(bytes / MB / seconds).toFixed(0).padStart(5)} MB/s  (${records.toLocaleString('en')} records, ${(bytes / MB).toFixed(1)} MB)\n`);
}

/** The bytes of a journal file that hold objects (journald allocates ahead in 8 MB steps). */
function writtenBytes(file: string): number {
  const fd = fs.openSync(file, 'r');
  try {
    const header = Buffer.alloc(272);
    fs.readSync(fd, header, 0, 272, 0);
    const tail = Number(header.readBigUInt64LE(136));
    const object = Buffer.alloc(16);
    fs.readSync(fd, object, 0, 16, tail);
    return tail + Number(object.readBigUInt64LE(8));
  } finally {
    fs.closeSync(fd);
  }
}

/** A syslog of traditional lines as rsyslog writes them: kernel USB and network lines among daemons' chatter. */
function writeSyslog(file: string, bytes: number): void {
  const fd = fs.openSync(file, 'w');
  try {
    const templates = [
      (i: number) => `kernel: [${(i / 100).toFixed(6).padStart(12)}] usb 1-1: New USB device found, idVendor=0951, idProduct=1666, bcdDevice= 1.00`,
      (i: number) => `NetworkManager[612]: <info>  [1795829479.${i % 10000}] device (enp1s0): state change: activated -> deactivating`,
      (i: number) => `systemd[1]: Started session-${i}.scope - Session ${i} of User kylin.`,
      (i: number) => `CRON[${1000 + (i % 30000)}]: (root) CMD (command -v debian-sa1 > /dev/null && debian-sa1 1 1)`,
      (i: number) => `kernel: [${(i / 100).toFixed(6).padStart(12)}] e1000e 0000:00:1f.6 enp0s31f6: NIC Link is Up 1000 Mbps Full Duplex`,
    ];
    let written = 0;
    let i = 0;
    while (written < bytes) {
      const lines: string[] = [];
      for (let k = 0; k < 10000; k++, i++) {
        const second = Math.floor(i / 40);
        const time = `Nov ${String(1 + Math.floor(second / 86400) % 28).padStart(2)} ${hms(second % 86400)}`;
        lines.push(`${time} pc-017 ${templates[i % templates.length]!(i)}`);
      }
      const block = Buffer.from(lines.join('\n') + '\n');
      fs.writeSync(fd, block);
      written += block.length;
    }
  } finally {
    fs.closeSync(fd);
  }
}

function hms(s: number): string {
  return [Math.floor(s / 3600), Math.floor(s / 60) % 60, s % 60].map((n) => String(n).padStart(2, '0')).join(':');
}

