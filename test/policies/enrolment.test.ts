import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { generateOfficerKey } from '../../policies/officer-key.js';
import { trustOfficerKey } from '../../policies/trust-store.js';
import { FIXTURES, runCli, tempDir } from '../helpers.js';

const media = path.join(FIXTURES, 'vm-media'); // two Kingston 0951:1666 sticks: S123 (sda) and S999 (sdb)

test('enrol a captured stick, sign, apply, scan: it is registered, its twin with another serial is not', () => {
  const dir = tempDir();
  const stateDir = path.join(dir, 'state');
  const trustDir = path.join(dir, 'trust');
  const pair = generateOfficerKey('officer passphrase');
  fs.writeFileSync(path.join(dir, 'officer.key'), pair.privateKeyFile);
  fs.writeFileSync(path.join(dir, 'officer.pub'), pair.publicKeyPem);
  fs.writeFileSync(path.join(dir, 'pass'), 'officer passphrase\n');
  trustOfficerKey(path.join(dir, 'officer.pub'), trustDir);
  const places = ['--state-dir', stateDir, '--trust-dir', trustDir];
  const draft = path.join(dir, 'draft.json');

  const listed = JSON.parse(runCli(['media', 'list', '--json', '--root', media, ...places]).stdout);
  expect(listed.map((m: { device: string; serial: string; registry: unknown }) => [m.device, m.serial, m.registry])).toEqual([
    ['sda', 'S123', null],
    ['sdb', 'S999', null],
    ['sdc', '058F63666485', null],
    ['sdd', 'COMBO1', null],
  ]);

  const enrolled = runCli(['media', 'enroll', 'sda', '--owner', '张三', '--class', '秘密', '--by', '保密员李四', '--policy', draft, '--root', media, ...places]);
  expect(enrolled.stderr).toBe('');
  expect(enrolled.stdout).toContain('BM-');
  const entry = JSON.parse(fs.readFileSync(draft, 'utf8')).registry.media[0];
  expect(entry).toMatchObject({ vendorId: '0951', productId: '1666', serial: 'S123', capacityBytes: 33554432, class: '秘密', owner: '张三', boundHost: 'baomi-vm', status: 'active', role: 'storage', registeredBy: '保密员李四' });
  expect(JSON.parse(fs.readFileSync(draft, 'utf8')).version).toBe(2); // newer than the policy in force, ready to apply
  // Enrolling the same stick again is refused, not duplicated.
  expect(runCli(['media', 'enroll', '/dev/sda', '--owner', '张三', '--class', '秘密', '--policy', draft, '--root', media, ...places]).stderr).toMatch(/already registered/);

  expect(runCli(['policy', 'sign', draft, '--key', path.join(dir, 'officer.key'), '--passphrase-file', path.join(dir, 'pass')]).status).toBe(0);
  expect(runCli(['policy', 'apply', path.join(dir, 'draft.signed.json'), ...places]).status).toBe(0);

  const report = JSON.parse(runCli(['scan', '--json', '--root', media, ...places]).stdout);
  const unregistered = report.violations.filter((v: { rule: string }) => v.rule === 'MEDIA-UNREGISTERED').map((v: { findingId: string }) => v.findingId);
  expect(unregistered).toEqual(['storage:usb:058f:6366:058F63666485', 'storage:usb:0951:1666:S999', 'storage:usb:1234:5678:COMBO1']);
  expect(report.policy.version).toBe(2);

  // Retiring it in a new draft makes it a violation again, of another rule.
  expect(runCli(['media', 'retire', entry.id, '--policy', draft, ...places]).status).toBe(0);
  expect(runCli(['policy', 'sign', draft, '--key', path.join(dir, 'officer.key'), '--passphrase-file', path.join(dir, 'pass')]).status).toBe(0);
  expect(runCli(['policy', 'apply', path.join(dir, 'draft.signed.json'), ...places]).status).toBe(0);
  const after = JSON.parse(runCli(['scan', '--json', '--root', media, ...places]).stdout);
  expect(after.violations.filter((v: { findingId: string }) => v.findingId === 'storage:usb:0951:1666:S123').map((v: { rule: string }) => v.rule)).toEqual(['MEDIA-RETIRED']);
});

test('enrolling an unknown device names what is connected', () => {
  const result = runCli(['media', 'enroll', 'sdz', '--owner', 'x', '--class', '秘密', '--policy', path.join(tempDir(), 'd.json'), '--root', media, '--state-dir', tempDir()]);
  expect(result.status).toBe(2);
  expect(result.stderr).toContain('no connected medium sdz (connected: sda, sdb, sdc, sdd)');
});
