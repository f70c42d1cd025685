import { describe, expect, test } from 'vitest';
import { UsbTraceFinding } from '../../agent/findings/schema.js';
import type { LogRecord } from '../../agent/logs/log-record.js';
import { createUsbAttachmentParser } from '../../agent/traces/usb/usb-attachments.js';

/** Kernel lines as Linux 6.1 writes them for a USB stick (usb-storage) and a UAS disk, and a keyboard. */
const STICK = [
  'usb 1-1: new high-speed USB device number 2 using xhci_hcd',
  'usb 1-1: New USB device found, idVendor=0951, idProduct=1666, bcdDevice= 1.00',
  'usb 1-1: New USB device strings: Mfr=1, Product=2, SerialNumber=3',
  'usb 1-1: Product: DataTraveler 3.0',
  'usb 1-1: Manufacturer: Kingston',
  'usb 1-1: SerialNumber: S999',
  'usb-storage 1-1:1.0: USB Mass Storage device detected',
  'scsi host2: usb-storage 1-1:1.0',
  'sd 2:0:0:0: [sdb] 30277632 512-byte logical blocks: (15.5 GB/14.4 GiB)',
];
const UAS_DISK = [
  'usb 2-1: New USB device found, idVendor=174c, idProduct=55aa, bcdDevice= 1.00',
  'usb 2-1: Product: ASM1153E',
  'usb 2-1: SerialNumber: 1234567890AB',
  'scsi host3: uas',
];
const KEYBOARD = [
  'usb 1-2: New USB device found, idVendor=046d, idProduct=c31c, bcdDevice=64.00',
  'usb 1-2: Product: USB Keyboard',
  'input: Logitech USB Keyboard as /devices/pci0000:00/0000:00:14.0/usb1/1-2/1-2:1.0/0003:046D:C31C.0001/input/input5',
];

function records(file: string, lines: string[], start: string, options: { bootId?: string | null; journal?: boolean; firstLine?: number } = {}): LogRecord[] {
  return lines.map((message, i) => ({
    time: new Date(Date.parse(start) + i * 3).toISOString(),
    identifier: 'kernel',
    message,
    bootId: options.bootId ?? null,
    file,
    line: options.journal ? null : (options.firstLine ?? 1) + i,
    seqnum: options.journal ? 1000 + i : null,
  }));
}

function parse(all: LogRecord[]) {
  const parser = createUsbAttachmentParser();
  for (const record of all) parser.push(record);
  return parser.finish().map((finding) => UsbTraceFinding.parse(finding));
}

describe('USB storage attachments from kernel messages', () => {
  test('a stick: identity, time, boot and the lines that prove it', () => {
    const [trace, ...rest] = parse(records('/var/log/kern.log', STICK, '2026-11-20T01:02:03.000Z', { firstLine: 40 }));
    expect(rest).toEqual([]);
    expect(trace).toMatchObject({
      kind: 'usb-trace',
      time: '2026-11-20T01:02:03.003Z',
      usb: { vendorId: '0951', productId: '1666', serial: 'S999', manufacturer: 'Kingston', product: 'DataTraveler 3.0', port: '1-1' },
      agentSaw: 'unknown',
    });
    expect(trace!.id).toBe('usb-trace:0951:1666:S999:2026-11-20T01:02:03');
    expect(trace!.sources.map((s) => [s.file, s.line, s.text])).toEqual([
      ['/var/log/kern.log', 41, STICK[1]],
      ['/var/log/kern.log', 45, STICK[5]],
      ['/var/log/kern.log', 46, STICK[6]],
    ]);
  });

  test('a UAS disk (the scsi host names no port) counts; a keyboard does not', () => {
    const traces = parse([
      ...records('/var/log/syslog', KEYBOARD, '2026-11-20T02:00:00.000Z'),
      ...records('/var/log/syslog', UAS_DISK, '2026-11-20T02:00:05.000Z', { firstLine: 10 }),
    ]);
    expect(traces.map((t) => `${t.usb.vendorId}:${t.usb.productId}:${t.usb.serial}`)).toEqual(['174c:55aa:1234567890AB']);
  });

  test('the same attachment in the journal and in kern.log is one trace, with the boot from the journal', () => {
    const journal = records('/var/log/journal/m/system.journal', STICK, '2026-11-20T01:02:03.412Z', { journal: true, bootId: 'b00t' });
    const kernLog = records('/var/log/kern.log.2.gz', STICK, '2026-11-20T01:02:03.000Z');
    const [trace, ...rest] = parse([...kernLog, ...journal]);
    expect(rest).toEqual([]);
    expect(trace!.bootId).toBe('b00t');
    expect(new Set(trace!.sources.map((s) => s.file))).toEqual(new Set(['/var/log/kern.log.2.gz', '/var/log/journal/m/system.journal']));
  });

  test('the same stick plugged twice is two traces; lines interleaved with another port stay apart', () => {
    const first = records('/var/log/kern.log', STICK, '2026-11-20T01:00:00.000Z');
    const second = records('/var/log/kern.log', STICK, '2026-11-21T09:30:00.000Z');
    const other = records('/var/log/kern.log', STICK.map((l) => l.replaceAll('1-1', '1-4').replace('S999', 'OTHER')), '2026-11-21T09:30:00.001Z');
    const interleaved = second.flatMap((r, i) => [r, other[i]!]);
    const traces = parse([...first, ...interleaved]);
    expect(traces.map((t) => `${t.usb.serial}@${t.usb.port} ${t.time.slice(0, 10)}`)).toEqual([
      'S999@1-1 2026-11-20',
      'S999@1-1 2026-11-21',
      'OTHER@1-4 2026-11-21',
    ]);
  });

  test('a stick with no serial is known by its port; lines without a time are not traces', () => {
    const noSerial = STICK.filter((l) => !l.includes('SerialNumber: '));
    const [trace] = parse(records('/var/log/kern.log', noSerial, '2026-11-20T01:00:00.000Z'));
    expect(trace!.usb.serial).toBeNull();
    expect(trace!.id).toBe('usb-trace:0951:1666:@1-1:2026-11-20T01:00:00');
    expect(parse(records('/var/log/kern.log', STICK, '2026-11-20T01:00:00.000Z').map((r) => ({ ...r, time: null })))).toEqual([]);
  });

  test('hostile device strings stay data', () => {
    const evil = STICK.map((l) => l.replace('Product: DataTraveler 3.0', 'Product: <script>alert(1)</script>\u001b[2J'));
    const [trace] = parse(records('/var/log/kern.log', evil, '2026-11-20T01:00:00.000Z'));
    expect(trace!.usb.product).toBe('<script>alert(1)</script>\u001b[2J');
  });
});
