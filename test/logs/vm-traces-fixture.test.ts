/**
 * The log fixtures captured in the VM (scripts/vm/capture-traces.sh) hold what their READMEs say: real
 * kernel lines of the sticks, real rotation, real journal files, real DHCP leases. Checked with node's own
 * zlib and, when present, the system's journalctl — not with the project's parsers, which these fixtures
 * are there to test.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FIXTURES } from '../helpers.js';

const TRADITIONAL = path.join(FIXTURES, 'vm-traces');
const RFC3339 = path.join(FIXTURES, 'vm-traces-rfc3339');
const TREES = [
  { name: 'vm-traces', root: TRADITIONAL, stamp: /^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d baomi-vm \S+: / },
  { name: 'vm-traces-rfc3339', root: RFC3339, stamp: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+08:00 baomi-vm \S+: / },
].filter((t) => fs.existsSync(t.root));

const read = (root: string, file: string): string => {
  const bytes = fs.readFileSync(path.join(root, file));
  return (file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
};
const lines = (root: string, file: string): string[] => read(root, file).split('\n').filter((l) => l !== '');
/** The serials of the USB devices (not root hubs) whose attachment the kernel logged, sorted. */
const serials = (text: string): string[] => [...text.matchAll(/usb \d+-[\d.]+: SerialNumber: (\S+)/g)].map((m) => m[1]!).sort();
const JOURNAL_DIR = path.join(TRADITIONAL, 'var/log/journal');
const journals = (): string[] =>
  fs.readdirSync(JOURNAL_DIR).flatMap((mid) => fs.readdirSync(path.join(JOURNAL_DIR, mid)).map((f) => path.join(JOURNAL_DIR, mid, f)));

describe.each(TREES)('$name', ({ root, stamp }) => {
  it('has each stick in the kern.log of its phase, with its serial, and the rotated files in order', () => {
    expect(serials(read(root, 'var/log/kern.log.2.gz'))).toEqual(['QM00042', 'S123']);
    expect(serials(read(root, 'var/log/kern.log.1'))).toEqual(['S999']);
    const plain = read(root, 'var/log/kern.log');
    expect(plain).toContain('SerialNumber: S999');
    expect(plain).toContain('SerialNumber: S123');
    expect(serials(plain)).toEqual(['S123', 'S999', 'TETHER01']);
    expect(read(root, 'var/log/kern.log.2.gz')).toMatch(/usb \d+-\d+: New USB device found, idVendor=0951, idProduct=1666/);
    for (const f of ['kern.log.2.gz', 'syslog.2.gz', 'messages.2.gz']) {
      expect(fs.readFileSync(path.join(root, 'var/log', f)).subarray(0, 2).toString('hex'), f).toBe('1f8b');
    }
  });

  it('writes every line in the format of its rsyslog template', () => {
    for (const base of ['kern.log', 'syslog', 'messages']) {
      for (const f of [`${base}.2.gz`, `${base}.1`, base]) {
        const bad = lines(root, `var/log/${f}`).filter((l) => !stamp.test(l));
        expect(bad, f).toEqual([]);
      }
    }
  });

  it('rotated at rsyslog HUPs: syslog.1 and syslog each start with "rsyslogd was HUPed"', () => {
    expect(lines(root, 'var/log/syslog.2.gz').some((l) => l.includes('rsyslogd: [origin software="rsyslogd"') && l.endsWith('start'))).toBe(true);
    expect(lines(root, 'var/log/syslog.1')[0]).toMatch(/rsyslogd was HUPed$/);
    expect(lines(root, 'var/log/syslog')[0]).toMatch(/rsyslogd was HUPed$/);
  });

  it('has the DHCP clients\' messages and lease files, the lease named by an ifindex that sys/class/net maps to a link', () => {
    const syslog = ['syslog.2.gz', 'syslog.1', 'syslog'].map((f) => read(root, `var/log/${f}`)).join('\n');
    expect(syslog).toMatch(/dhclient\[\d+\]: DHCPACK of 10\.0\.2\.15 from 10\.0\.2\.2/);
    expect(syslog).toMatch(/systemd-networkd\[\d+\]: enp0s5: DHCPv4 address 10\.0\.2\.15\/24 acquired from 10\.0\.2\.2/);
    expect(syslog).toMatch(/systemd-networkd\[\d+\]: enx525400ba00e1: DHCPv4 address 192\.168\.42\.\d+\/24, gateway 192\.168\.42\.129 acquired/);
    const names = new Map(
      fs.readdirSync(path.join(root, 'sys/class/net')).map((n) => [read(root, `sys/class/net/${n}/ifindex`).trim(), n] as const),
    );
    const leases = Object.fromEntries(
      fs.readdirSync(path.join(root, 'run/systemd/netif/leases')).map((i) => [names.get(i), read(root, `run/systemd/netif/leases/${i}`)]),
    );
    expect(Object.keys(leases).sort()).toEqual(['enp0s5', 'enx525400ba00e1']);
    expect(leases['enp0s5']).toMatch(/^ADDRESS=10\.0\.2\.15$/m);
    expect(leases['enx525400ba00e1']).toMatch(/^ROUTER=192\.168\.42\.129$/m);
    expect(read(root, 'var/lib/dhcp/dhclient.enp0s6.leases')).toMatch(/lease \{\n\s+interface "enp0s6";\n\s+fixed-address 10\.0\.2\.15;/);
    expect(read(root, 'etc/timezone').trim()).toBe('Asia/Shanghai');
    expect(fs.readlinkSync(path.join(root, 'etc/localtime'))).toBe('/usr/share/zoneinfo/Asia/Shanghai');
  });

  it('says in its README what its logs hold: each stick row names a kern.log line at that time with that serial', () => {
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    const rows = [...readme.matchAll(/^\| `(kern\.log[^`]*)` \| (\d\d:\d\d:\d\d)[^|]*\|[^|]*\|[^|]*\|[^|]*\*\*(\w+)\*\*/gm)];
    expect(rows.length).toBe(5);
    for (const [, file, time, serial] of rows) {
      const clock = stamp.source.startsWith('^\\d') ? `T${time}.` : ` ${time} `;
      expect(lines(root, `var/log/${file!}`).some((l) => l.includes(clock) && l.endsWith(`SerialNumber: ${serial!}`)), `${file} ${time} ${serial}`).toBe(true);
    }
  });
});

describe('vm-traces journal', () => {
  it('holds journal files as journald wrote them: LPKSHHRH, this machine-id, one archived and one offline', () => {
    const mid = read(TRADITIONAL, 'etc/machine-id').trim();
    expect(fs.readdirSync(JOURNAL_DIR)).toEqual([mid]);
    const states = journals().map((f) => {
      const h = fs.readFileSync(f).subarray(0, 72);
      expect(h.subarray(0, 8).toString('latin1'), f).toBe('LPKSHHRH');
      expect(h.subarray(40, 56).toString('hex'), f).toBe(mid); // header.machine_id
      return [path.basename(f).startsWith('system@') ? 'archived-name' : path.basename(f), h[16]] as const; // header.state
    });
    expect(states.filter(([name]) => name === 'system.journal')).toEqual([['system.journal', 0]]); // OFFLINE: closed cleanly
    const archived = states.filter(([name]) => name === 'archived-name');
    expect(archived.length).toBeGreaterThanOrEqual(1);
    expect(archived.every(([, state]) => state === 2)).toBe(true); // ARCHIVED
  });

  it.skipIf(spawnSync('journalctl', ['--version']).status !== 0)('lists the sticks and the links in journalctl -o export', () => {
    const r = spawnSync('journalctl', [...journals().flatMap((f) => ['--file', f]), '-o', 'export', '--no-pager'], { encoding: 'utf8', maxBuffer: 64 << 20 });
    expect(r.status, r.stderr).toBe(0);
    const entries = r.stdout.split('\n\n').filter((e) => e.trim() !== '').map((e) => new Map(e.split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)])));
    const kernel = entries.filter((e) => e.get('_TRANSPORT') === 'kernel').map((e) => e.get('MESSAGE') ?? '');
    expect(serials(kernel.join('\n'))).toEqual(['QM00042', 'S123', 'S123', 'S999', 'S999', 'TETHER01']);
    expect(new Set(entries.filter((e) => e.has('_BOOT_ID')).map((e) => e.get('_BOOT_ID')))).toHaveProperty('size', 1);
    const networkd = entries.filter((e) => e.get('SYSLOG_IDENTIFIER') === 'systemd-networkd').map((e) => `${e.get('INTERFACE') ?? ''} ${e.get('MESSAGE') ?? ''}`);
    expect(networkd).toContain('enp0s5 enp0s5: Gained carrier');
    expect(networkd.some((m) => m.startsWith('enx525400ba00e1 enx525400ba00e1: DHCPv4 address 192.168.42.'))).toBe(true);
    expect(entries.some((e) => e.get('SYSLOG_IDENTIFIER') === 'dhclient' && e.get('MESSAGE')?.startsWith('bound to 10.0.2.15'))).toBe(true);
  });
});
