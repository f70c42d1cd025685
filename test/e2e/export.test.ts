/**
 * The inspector's path on real devices: a FAT-formatted QEMU USB stick registered for inspection;
 * in the guest the officer's signed policy is applied, the agent records a scan and exports onto
 * the mounted stick; on the host the files are read out of the stick's FAT image (mtools: the
 * host kernel need not know vfat) and `baomi-collector` imports them.
 */
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { signPolicy } from '../../policies/signed-policy.js';
import { e2eSkipped, policy } from './guest-scans.js';
import { REPO_ROOT, runInVm, vmAvailable } from './vm.js';

const CLI = 'node dist/agent/cli/main.js';
const GUEST = `
set -u
S=/tmp/state T=/tmp/trust
${CLI} officer trust /tmp/officer.pub --trust-dir $T > /dev/null
${CLI} policy apply /tmp/policy.signed.json --state-dir $S --trust-dir $T; echo "@@@ apply $?"
${CLI} scan --state-dir $S --trust-dir $T > /dev/null; echo "@@@ scan $?"
DEV=/dev/$(lsblk -ndo NAME,SERIAL | awk '$2 == "INSPECT1" { print $1 }')
mkdir -p /mnt/stick && mount -t vfat "$DEV" /mnt/stick
${CLI} export --to /mnt/stick --state-dir $S --trust-dir $T; echo "@@@ export $?"
umount /mnt/stick && sync
echo "@@@ image"; gzip -c "$DEV" | base64 -w0; echo; echo "@@@ end"
`;

describe.skipIf(e2eSkipped)('export onto an emulated inspection stick', () => {
  test('the bundle written on the FAT stick in the guest imports on the host', async () => {
    const available = vmAvailable();
    expect(available.ok, `the VM suite cannot run here: ${available.reason}`).toBe(true);
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const inspectionStick = {
      id: 'BM-E2E-INSPECT', label: '检查专用盘', vendorId: '46f4', productId: '0001', serial: 'INSPECT1', capacityBytes: null,
      class: '机密' as const, boundHost: null, owner: '检查组', status: 'active' as const, registeredBy: '保密员', registeredAt: '2026-11-01', role: 'inspection' as const,
    };
    const signed = signPolicy(Buffer.from(JSON.stringify(policy((p) => {
      p.version = 2;
      p.registry = { media: [inspectionStick] };
    }))), privateKey);
    const vm = await runInVm({
      devices: [{ type: 'usb-stick', id: 'inspect', serial: 'INSPECT1', sizeMB: 16, label: 'INSPECT' }],
      files: [
        { path: '/tmp/officer.pub', content: publicKey.export({ type: 'spki', format: 'pem' }).toString() },
        { path: '/tmp/policy.signed.json', content: signed },
      ],
      command: ['bash', '-c', GUEST],
      timeoutSec: 280,
    });
    const context = `status=${vm.status} exit=${vm.exitCode}\n${vm.stdout.slice(0, 4000)}\n${vm.stderr.slice(-3000)}`;
    expect(vm.stdout, context).toContain('@@@ apply 0');
    expect(vm.stdout, context).toContain('@@@ export 0');
    const image = vm.stdout.split('@@@ image')[1]!.split('@@@ end')[0]!.trim();
    const dir = fs.mkdtempSync('/var/tmp/baomi-e2e-stick-');
    const stick = path.join(dir, 'stick');
    try {
      fs.writeFileSync(path.join(dir, 'stick.img'), zlib.gunzipSync(Buffer.from(image, 'base64')));
      fs.mkdirSync(stick);
      const copied = spawnSync('mcopy', ['-s', '-n', '-i', path.join(dir, 'stick.img'), '::/BAOMI', stick], { encoding: 'utf8' });
      expect(copied.status, copied.stderr).toBe(0);
      const collector = (...args: string[]) =>
        spawnSync(process.execPath, [path.join(REPO_ROOT, 'dist/collector/cli/main.js'), ...args, '--archive', path.join(dir, 'archive.db')], { encoding: 'utf8' });
      const imported = collector('import', stick);
      expect(imported.status, `${imported.stdout}\n${imported.stderr}`).toBe(0);
      const { hosts } = JSON.parse(collector('hosts', '--json').stdout);
      const exported = Number(/events 1–(\d+)/.exec(vm.stdout)?.[1]);
      expect(hosts, context).toEqual([expect.objectContaining({ hostname: 'baomi-vm', status: 'ok', problems: 0, lastSeq: exported, enrolled: true })]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
