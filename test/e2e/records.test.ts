/**
 * The harness's record keepers: with journald, rsyslog (traditional format) and systemd-networkd in the
 * guest, a stick plugged and unplugged and a cable plugged in leave real journal files, kern.log lines
 * and a DHCP lease, which --collect brings back to the host after the daemons have stopped.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { runInVm, vmAvailable } from './vm.js';

const skip = process.env['BAOMI_SKIP_E2E'] === '1' || !vmAvailable().ok;
const out = fs.mkdtempSync(path.join(os.tmpdir(), 'baomi-records-'));
afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

test.skipIf(skip)('journald, rsyslog and networkd record a stick and a link; --collect copies their files out', async () => {
  const mid = '0123456789abcdef0123456789abcdef';
  const r = await runInVm({
    devices: [{ type: 'nic', id: 'lan', link: 'down', dhcp: 'networkd', mac: '52:54:00:ba:00:31' }],
    events: [
      { at: 1, action: 'plug', device: { type: 'gadget-stick', id: 's', vid: 0x0951, pid: 0x1666, serial: 'S999' } },
      { at: 5, action: 'unplug', id: 's' },
      { at: 6, action: 'link', id: 'lan', up: true },
    ],
    // wait for the lease (by ifindex), then print which ifindex the NIC has
    command: [
      'for i in $(seq 150); do [ -n "$(ls /run/systemd/netif/leases)" ] && break; sleep 0.2; done; sleep 1; ' +
        'for n in /sys/class/net/*; do [ "$(cat $n/address)" = 52:54:00:ba:00:31 ] && cat $n/ifindex; done; ' +
        'cat /run/systemd/netif/leases/*',
    ],
    journald: { maxFileSize: '512K' },
    syslog: 'traditional',
    timezone: 'Asia/Shanghai',
    machineId: mid,
    collect: [
      { guestPath: '/var/log', hostDir: out },
      { guestPath: '/etc/machine-id', hostDir: out },
    ],
    timeoutSec: 240,
  });
  const context = `status=${r.status} exit=${r.exitCode}\n${r.stdout}\n${r.stderr.slice(-3000)}`;
  expect(r.exitCode, context).toBe(0);
  expect(r.stdout, context).toMatch(/^ADDRESS=10\.0\.2\.15$/m);

  const kern = fs.readFileSync(path.join(out, 'var/log/kern.log'), 'utf8');
  expect(kern).toMatch(/^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d baomi-vm kernel: \[ *\d+\.\d+\] usb \d+-\d+: SerialNumber: S999$/m);
  expect(kern).toMatch(/usb \d+-\d+: USB disconnect/);
  expect(fs.readFileSync(path.join(out, 'var/log/syslog'), 'utf8')).toMatch(/systemd-networkd\[\d+\]: enp0s\d+: DHCPv4 address 10\.0\.2\.15\/24 acquired from 10\.0\.2\.2/);
  expect(fs.readFileSync(path.join(out, 'etc/machine-id'), 'utf8').trim()).toBe(mid);

  const dir = path.join(out, 'var/log/journal', mid);
  const files = fs.readdirSync(dir).map((f) => path.join(dir, f));
  expect(files.map((f) => path.basename(f))).toEqual(['system.journal']);
  const header = fs.readFileSync(files[0]!).subarray(0, 17);
  expect(header.subarray(0, 8).toString('latin1')).toBe('LPKSHHRH');
  expect(header[16], 'state OFFLINE: journald was stopped before the copy').toBe(0);
  const jc = spawnSync('journalctl', ['--file', files[0]!, '-o', 'cat', '--no-pager'], { encoding: 'utf8' });
  if (jc.status === 0) {
    expect(jc.stdout).toMatch(/usb \d+-\d+: SerialNumber: S999/);
    expect(jc.stdout).toMatch(/Gained carrier/);
  }
});
