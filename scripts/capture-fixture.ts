/**
 * Capture the parts of a live /sys, /proc, /etc and /run that baomi's probes read into a tree
 * under test/fixtures/<name>/, keeping sysfs symlinks as they are, so that tests run the real
 * probes on real kernel layouts:
 *
 *   node dist/scripts/capture-fixture.js <name> [--out DIR] [--from /]
 *
 * Copied: the entries of the device classes and buses the probes list, the device directories
 * they point to (attributes only, plus partition and rfkill children), every ancestor's
 * attributes up to /sys/devices, the /proc/net routing tables, ALSA's /proc/asound, mountinfo,
 * process names (comm and executable link, never command lines or environments), udev records
 * of block and video devices, CUPS queues and the host identity files.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

const CLASS_DIRS = [
  '/sys/class/net', '/sys/class/bluetooth', '/sys/class/sound', '/sys/class/video4linux',
  '/sys/class/ieee80211', '/sys/class/rfkill', '/sys/block', '/sys/bus/usb/devices',
];
const PROC_FILES = [
  '/proc/net/route', '/proc/net/ipv6_route', '/proc/net/fib_trie', '/proc/net/if_inet6',
  '/proc/asound/cards', '/proc/asound/pcm', '/proc/self/mountinfo',
  '/proc/sys/kernel/hostname', '/proc/sys/kernel/random/boot_id',
];
const ETC_FILES = ['/etc/os-release', '/etc/hostname', '/etc/machine-id', '/etc/cups/printers.conf'];
/** Child directories of a device that the probes read. */
const CHILD_DIRS = /^(rfkill\d+|wireless)$/;
/** Attributes never worth reading (binary windows on hardware, or triggers). */
const SKIP_ATTRIBUTES = new Set(['config', 'rom', 'remove', 'rescan', 'reset', 'new_id', 'remove_id', 'bind', 'unbind', 'uevent_seqnum']);
const MAX_ATTRIBUTE = 64 * 1024;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { out: { type: 'string' }, from: { type: 'string', default: '/' } },
});
if (positionals.length !== 1 || !/^[a-z0-9][a-z0-9._-]*$/.test(positionals[0]!)) {
  process.stderr.write('usage: capture-fixture <name> [--out DIR] [--from /]\n');
  process.exit(2);
}
const source = path.resolve(values.from!);
const out = path.resolve(values.out ?? path.join('test', 'fixtures', positionals[0]!));
const devicesDone = new Set<string>();
let files = 0;
const problems: string[] = [];

/** Do one step of the capture; a failure is reported and the capture goes on (and exits 1 at the end). */
function attempt(what: string, step: () => void): void {
  try {
    step();
  } catch (error) {
    problems.push(`${what}: ${(error as Error).message}`);
  }
}

const live = (hostPath: string) => path.join(source, hostPath);
const dest = (hostPath: string) => path.join(out, hostPath);

function copySymlink(hostPath: string): void {
  const target = fs.readlinkSync(live(hostPath));
  fs.mkdirSync(path.dirname(dest(hostPath)), { recursive: true });
  if (fs.lstatSync(dest(hostPath), { throwIfNoEntry: false })?.isSymbolicLink()) fs.rmSync(dest(hostPath));
  fs.symlinkSync(target, dest(hostPath));
}

/** BAOMI_CAPTURE_TRACE=1 names each file before reading it (to find a read that blocks). */
const trace = process.env.BAOMI_CAPTURE_TRACE === '1';

function copyFile(hostPath: string): void {
  if (trace) process.stderr.write(`read ${hostPath}\n`);
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(live(hostPath));
  } catch {
    return; // unreadable attribute (write-only, EIO, EINVAL): absent in the fixture too
  }
  fs.mkdirSync(path.dirname(dest(hostPath)), { recursive: true });
  fs.writeFileSync(dest(hostPath), bytes.subarray(0, MAX_ATTRIBUTE));
  files++;
}

/** Attributes (files) and links of one directory, not descending. */
function copyAttributes(dir: string, children = false): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(live(dir), { withFileTypes: true });
  } catch {
    return;
  }
  fs.mkdirSync(dest(dir), { recursive: true });
  for (const entry of entries) {
    const hostPath = path.posix.join(dir, entry.name);
    attempt(hostPath, () => {
      if (entry.isSymbolicLink()) copySymlink(hostPath);
      else if (entry.isFile() && !SKIP_ATTRIBUTES.has(entry.name) && readable(hostPath)) copyFile(hostPath);
      else if (children && entry.isDirectory() && (CHILD_DIRS.test(entry.name) || isPartition(hostPath))) copyAttributes(hostPath);
    });
  }
}

function readable(hostPath: string): boolean {
  try {
    return (fs.statSync(live(hostPath)).mode & 0o444) !== 0;
  } catch {
    return false;
  }
}

function isPartition(hostPath: string): boolean {
  return fs.existsSync(live(path.posix.join(hostPath, 'partition')));
}

/** A device directory, its children that matter, what its `device` link points to, and its ancestors. */
function copyDevice(devicePath: string): void {
  if (devicesDone.has(devicePath)) return;
  devicesDone.add(devicePath);
  copyAttributes(devicePath, true);
  for (let dir = path.posix.dirname(devicePath); dir.startsWith('/sys/devices/'); dir = path.posix.dirname(dir)) {
    if (devicesDone.has(dir)) break;
    devicesDone.add(dir);
    copyAttributes(dir);
  }
  const linked = realHostPath(path.posix.join(devicePath, 'device'));
  if (linked) copyDevice(linked);
}

function realHostPath(hostPath: string): string | null {
  try {
    const real = fs.realpathSync(live(hostPath));
    return '/' + path.relative(source, real).split(path.sep).join('/');
  } catch {
    return null;
  }
}

for (const dir of CLASS_DIRS) {
  let names: string[];
  try {
    names = fs.readdirSync(live(dir));
  } catch {
    continue;
  }
  fs.mkdirSync(dest(dir), { recursive: true });
  for (const name of names) {
    const hostPath = path.posix.join(dir, name);
    attempt(hostPath, () => {
      if (!fs.lstatSync(live(hostPath)).isSymbolicLink()) return;
      copySymlink(hostPath);
      const real = realHostPath(hostPath);
      if (real) copyDevice(real);
    });
  }
}
// ALSA devices that are not cards (pcmC0D0c …) are class entries too; their device dirs are above.
for (const file of [...PROC_FILES, ...ETC_FILES]) copyFile(file);
for (const card of safeList('/proc/asound').filter((n) => /^card\d+$/.test(n))) copyFile(`/proc/asound/${card}/id`);
for (const ppd of safeList('/etc/cups/ppd')) copyFile(`/etc/cups/ppd/${ppd}`);
for (const record of safeList('/run/udev/data').filter((n) => /^(b\d+:\d+|c81:\d+)$/.test(n))) copyFile(`/run/udev/data/${record}`);
for (const unit of safeList('/run/systemd/units').filter((n) => n.startsWith('invocation:'))) copySymlink(`/run/systemd/units/${unit}`);
for (const pid of safeList('/proc').filter((n) => /^\d+$/.test(n))) {
  copyFile(`/proc/${pid}/comm`);
  try {
    copySymlink(`/proc/${pid}/exe`);
  } catch {
    // kernel threads have no executable
  }
}

function safeList(dir: string): string[] {
  try {
    return fs.readdirSync(live(dir)).sort();
  } catch {
    return [];
  }
}

process.stdout.write(`captured ${files} files of ${devicesDone.size} device directories into ${out}\n`);
if (problems.length > 0) {
  process.stderr.write(`capture incomplete, ${problems.length} problem(s):\n${problems.map((p) => `  ${p}`).join('\n')}\n`);
  process.exitCode = 1;
}
