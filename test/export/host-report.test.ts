import { expect, test } from 'vitest';
import { BUNDLE_SCHEMA } from '../../agent/export/bundle.js';
import { renderHostCsv, renderHostReport, type HostReportData, type ReportedViolation } from '../../agent/export/host-report.js';

/** A trace violation in the inspector's report: where the system's records show it, as text. */
const trace: ReportedViolation = {
  seq: 7,
  time: '2026-11-28T10:05:00.000Z',
  rule: 'TRACE-MEDIA',
  severity: 'high',
  title: { zh: '系统日志显示曾接入未登记的移动存储介质', en: 'System logs show unregistered removable media were attached' },
  citation: 'T3 第十四条(五)',
  device: 'USB 0951:1666 Kingston <b>DT</b> S/N S999',
  reason: { zh: '2026-11-28 18:00 曾接入未登记的 USB 存储设备(当时代理未运行)', en: 'unregistered USB storage was attached at 2026-11-28 18:00' },
  sources: [
    { file: '/var/log/journal/ba0d/system.journal', line: null, seqnum: 546, time: '2026-11-28T10:00:32.595Z', text: 'usb 3-1: New USB device found' },
    { file: '/var/log/kern.log.1', line: 8, seqnum: null, time: '2026-11-28T10:00:32.000Z', text: 'usb 3-1: SerialNumber: S999' },
    { file: '/var/log/<script>.log', line: 9, seqnum: null, time: null, text: 'x' },
    { file: '/var/log/syslog.1', line: 10, seqnum: null, time: null, text: 'y' },
  ],
  resolvedAt: null,
};

const data: HostReportData = {
  manifest: {
    schema: BUNDLE_SCHEMA,
    createdAt: '2026-11-28T11:00:00.000Z',
    host: { id: 'baomi-vm', hostname: 'baomi-vm', machineId: null, os: 'Linux', class: null, department: null, owner: null },
    agent: { version: 't', fingerprint: 'sha256:00', publicKey: 'AA==' },
    policy: { id: 'p', version: 1, sha256: '0'.repeat(64), signer: 'builtin' },
    ledger: { firstSeq: 1, lastSeq: 9, prevHash: '0'.repeat(64), headHash: '0'.repeat(64), checkpoint: { seq: 9, hash: '0'.repeat(64), machineId: null, signature: 'AA==', time: '2026-11-28T11:00:00.000Z' } },
    counts: { events: 9, violationsOpened: 1, violationsResolved: 0, violationsOpen: 1, heartbeatGaps: 0 },
    medium: { registryId: 'BM-1', vendorId: null, productId: null, serial: null },
  },
  open: [trace],
  period: [trace],
  periodTruncated: 0,
  gaps: [],
  inspections: [],
};

test('a trace shows its first sources in report.html, escaped, and all of them in the CSV', () => {
  const html = renderHostReport(data);
  expect(html).toContain('见 /var/log/journal/ba0d/system.journal #546');
  expect(html).toContain('见 /var/log/kern.log.1:8');
  expect(html).toContain('见 /var/log/&lt;script&gt;.log:9');
  expect(html).not.toContain('<script>');
  expect(html).not.toContain('/var/log/syslog.1:10'); // the fourth stays in the bundle's events
  const csv = renderHostCsv(data);
  expect(csv.split('\r\n')[0]).toContain('痕迹来源');
  expect(csv).toContain('/var/log/syslog.1:10');
});
