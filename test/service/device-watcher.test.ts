import fs from 'node:fs';
import path from 'node:path';
import { pino } from 'pino';
import { describe, expect, test } from 'vitest';
import { HostRoot } from '../../agent/host-root.js';
import { DeviceWatcher } from '../../agent/service/device-watcher.js';
import type { DeviceArea } from '../../agent/service/device-snapshot.js';
import { copyFixture } from '../helpers.js';

/** Wait for the watcher's next report (no timing assertion: the test only bounds how long it waits). */
function nextChange(changes: { areas: DeviceArea[]; cause: string }[], count: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const check = () => (changes.length >= count ? resolve() : Date.now() - started > 10_000 ? reject(new Error('no change seen')) : setTimeout(check, 5));
    check();
  });
}

describe('DeviceWatcher on a captured tree', () => {
  test('reports a new USB device, a cable plugged in, and a new disk, each once', async () => {
    const root = copyFixture('sandbox-host');
    const changes: { areas: DeviceArea[]; cause: string }[] = [];
    const watcher = new DeviceWatcher({
      host: new HostRoot(root),
      logger: pino({ level: 'silent' }),
      onChange: (areas, cause) => changes.push({ areas, cause }),
      idleMs: 20,
      busyMs: 5,
      libusb: false,
    });
    await watcher.start();
    try {
      fs.mkdirSync(path.join(root, 'sys/bus/usb/devices'), { recursive: true });
      fs.symlinkSync('../../../devices/pci0000:00/0000:00:14.0/usb1/1-1', path.join(root, 'sys/bus/usb/devices/1-1'));
      await nextChange(changes, 1);
      fs.writeFileSync(path.join(root, 'sys/class/net/eth0/carrier'), '0\n');
      await nextChange(changes, 2);
      fs.mkdirSync(path.join(root, 'sys/block/sdb'));
      await nextChange(changes, 3);
    } finally {
      watcher.stop();
    }
    expect(changes).toEqual([
      { areas: ['usb'], cause: 'sysfs' },
      { areas: ['net'], cause: 'sysfs' },
      { areas: ['block'], cause: 'sysfs' },
    ]);
  });

  test('on a machine without USB (no /sys/bus/usb) libusb is not needed and nothing throws', async () => {
    const watcher = new DeviceWatcher({ host: new HostRoot(copyFixture('sandbox-host')), logger: pino({ level: 'silent' }), onChange: () => {}, libusb: true });
    await expect(watcher.start()).resolves.toBeUndefined();
    watcher.stop();
  });
});
