import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { HostRoot } from '../agent/host-root.js';
import { tempDir } from './helpers.js';

describe('HostRoot', () => {
  test('reads sysfs attributes without the trailing newline, absent files as undefined', () => {
    const root = tempDir();
    fs.mkdirSync(path.join(root, 'sys/class/net/eth0'), { recursive: true });
    fs.writeFileSync(path.join(root, 'sys/class/net/eth0/address'), '52:54:00:12:34:56\n');
    const host = new HostRoot(root);
    expect(host.readAttr('/sys/class/net/eth0/address')).toBe('52:54:00:12:34:56');
    expect(host.readAttr('/sys/class/net/eth0/carrier')).toBeUndefined();
    expect(host.list('/sys/class/net')).toEqual(['eth0']);
    expect(host.list('/sys/class/nothing')).toEqual([]);
  });

  test('resolves relative sysfs links inside the root and re-roots absolute ones', () => {
    const root = tempDir();
    fs.mkdirSync(path.join(root, 'sys/devices/pci0000:00/0000:00:03.0/net/eth0'), { recursive: true });
    fs.mkdirSync(path.join(root, 'sys/class/net'), { recursive: true });
    fs.symlinkSync('../../devices/pci0000:00/0000:00:03.0/net/eth0', path.join(root, 'sys/class/net/eth0'));
    fs.symlinkSync('../../../0000:00:03.0', path.join(root, 'sys/devices/pci0000:00/0000:00:03.0/net/eth0/device'));
    // An absolute link must never lead the probe out of the captured tree into the tester's /etc.
    fs.mkdirSync(path.join(root, 'etc'));
    fs.symlinkSync('/usr/lib/os-release', path.join(root, 'etc/os-release'));
    fs.mkdirSync(path.join(root, 'usr/lib'), { recursive: true });
    fs.writeFileSync(path.join(root, 'usr/lib/os-release'), 'NAME=Fixture\n');
    const host = new HostRoot(root);
    expect(host.resolve('/sys/class/net/eth0/device')).toBe('/sys/devices/pci0000:00/0000:00:03.0');
    expect(host.resolve('/etc/os-release')).toBe('/usr/lib/os-release');
    expect(host.resolve('/sys/class/net/missing')).toBeUndefined();
  });

  test('gives up on symlink loops instead of hanging', () => {
    const root = tempDir();
    fs.symlinkSync('b', path.join(root, 'a'));
    fs.symlinkSync('a', path.join(root, 'b'));
    expect(new HostRoot(root).resolve('/a')).toBeUndefined();
  });

  test('keeps invalid UTF-8 in device strings as visible escapes', () => {
    const root = tempDir();
    fs.writeFileSync(path.join(root, 'product'), Buffer.from([0x4b, 0xff, 0xe4, 0xb8, 0xad, 0x0a]));
    expect(new HostRoot(root).readAttr('/product')).toBe('K\\xff中');
  });
});
