import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { ScanReport } from '../../agent/scan/scan-report.js';
import { displayWidth } from '../../agent/text/terminal.js';
import { copyFixture, runCli } from '../helpers.js';

/** The captured Kingston stick, renamed by an attacker: every string it reports is hostile. */
function hostileStick(): string {
  const root = copyFixture('vm-stick');
  let usb = fs.realpathSync(path.join(root, 'sys/block/sda/device'));
  while (!fs.existsSync(path.join(usb, 'idVendor'))) usb = path.dirname(usb);
  fs.writeFileSync(path.join(usb, 'product'), Buffer.concat([Buffer.from('<script>alert(1)</script>\x1b[2J\x07\u202Egpj.exe '), Buffer.from([0xff, 0xfe, 0xc0]), Buffer.from('\n')]));
  fs.writeFileSync(path.join(usb, 'manufacturer'), 'A'.repeat(4096) + '\n');
  fs.writeFileSync(path.join(usb, 'serial'), 'S123\r\n\t"quoted"\n');
  return root;
}

test('hostile device strings are kept exactly as evidence, and neither crash nor break the table', () => {
  const root = hostileStick();
  const json = runCli(['scan', '--root', root, '--json', '--dry-run']);
  expect(json.status).toBe(1);
  const report = ScanReport.parse(JSON.parse(json.stdout));
  const stick = report.findings.find((f) => f.kind === 'removable-storage')!;
  expect(stick.kind === 'removable-storage' && stick.usb).toMatchObject({
    product: '<script>alert(1)</script>\x1b[2J\x07\u202Egpj.exe \\xff\\xfe\\xc0', // invalid UTF-8 as visible \xNN
    manufacturer: 'A'.repeat(4096),
    serial: 'S123\r\n\t"quoted"',
  });
  const violation = report.violations.find((v) => v.rule === 'MEDIA-UNREGISTERED')!;
  expect(violation.evidence.device).toContain('<script>alert(1)</script>');

  for (const lang of ['zh', 'en']) {
    const table = runCli(['scan', '--root', root, '--dry-run', '--lang', lang]);
    expect(table.status).toBe(1);
    expect(table.stdout).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f\u202e]/); // nothing reaches the terminal raw
    for (const line of table.stdout.split('\n')) expect(displayWidth(line)).toBeLessThanOrEqual(120);
    expect(table.stdout).toContain('MEDIA-UNREGISTERED');
  }
});
