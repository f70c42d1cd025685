/**
 * Typed wrapper around scripts/vm/run.sh: boot a real Linux kernel under QEMU with emulated hardware,
 * run one command in the guest (the host's root read-only + a tmpfs overlay, so the repo's dist/ and
 * node_modules work as they are) and get its exit code, output and timings back.
 *
 * Needs root and a prepared cache (scripts/vm/setup.sh). No dependencies beyond node:*.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const RUN_SH = join(REPO_ROOT, 'scripts', 'vm', 'run.sh');
export const VM_CACHE = process.env['BAOMI_VM_CACHE'] ?? '/var/tmp/baomi-vm';

/** A USB vendor/product id: a number (0x0951) or a hex string ('0951' or '0x0951'). */
export type UsbId = number | string;

/** Identity of an emulated USB device (configfs gadgets accept any of these). */
export interface UsbIdentity {
  vid?: UsbId;
  pid?: UsbId;
  serial?: string;
  manufacturer?: string;
  product?: string;
}

/** Devices that can be unplugged / have their link changed carry an id (default: serial, else type + index). */
interface WithId {
  id?: string;
}

/** QEMU usb-storage on xHCI. Its VID/PID are fixed by QEMU (46f4:0001 "QEMU USB HARDDRIVE"). */
export interface UsbStick extends WithId {
  type: 'usb-stick';
  serial?: string;
  sizeMB?: number;
  removable?: boolean;
  label?: string;
}
/** In-guest mass-storage gadget with any identity. */
export interface GadgetStick extends WithId, UsbIdentity {
  type: 'gadget-stick';
  sizeMB?: number;
  removable?: boolean;
  readOnly?: boolean;
  label?: string;
  /** SCSI INQUIRY "VENDOR  PRODUCT         REV " (8+16+4 chars); default built from manufacturer/product. */
  inquiry?: string;
}
/** Mass-storage gadget whose removable LUN(s) have no medium, like an empty card reader. */
export interface CardReader extends WithId, UsbIdentity {
  type: 'card-reader';
  luns?: number;
}
/** ONE USB device with a mass-storage interface and a HID keyboard interface. */
export interface Composite extends WithId, UsbIdentity {
  type: 'composite';
  sizeMB?: number;
  removable?: boolean;
  label?: string;
}
/** Intel HDA controller + hda-micro codec: an on-board sound card with a capture PCM. */
export interface OnboardMic {
  type: 'onboard-mic';
}
/** USB Audio Class 2 microphone (gadget over USB/IP loopback inside the guest). */
export interface UsbMic extends WithId, UsbIdentity {
  type: 'usb-mic';
  channels?: number;
  rate?: number;
}
/** vivid V4L2 capture device (a platform device, not USB). */
export interface Camera {
  type: 'camera';
}
/** UVC webcam gadget (over USB/IP loopback); enumerates as a camera, streams no frames. */
export interface UsbWebcam extends WithId, UsbIdentity {
  type: 'usb-webcam';
}
/** QEMU NIC on `-netdev user,restrict=on`: the guest can reach no network. */
export interface Nic extends WithId {
  type: 'nic';
  model?: 'e1000' | 'e1000e' | 'virtio' | 'rtl8139' | 'usb';
  /** cable state at boot (default up) */
  link?: 'up' | 'down';
  mac?: string;
  /** static address to assign in the guest, e.g. '10.0.2.15/24' (default: none) */
  ip?: string;
  /** a DHCPv4 client for it (QEMU's user network answers): systemd-networkd, or ISC dhclient as ifupdown runs it */
  dhcp?: 'networkd' | 'dhclient';
}
/** CDC-ECM USB ethernet gadget (USB NIC); its device side is hidden in a separate network namespace. */
export interface GadgetNic extends WithId, UsbIdentity {
  type: 'gadget-nic';
  link?: 'up' | 'down';
  mac?: string;
  ip?: string;
  dhcp?: 'networkd';
  /** the device side serves DHCP from this address, like a phone sharing its connection: 'A.B.C.D/24' */
  dhcpd?: string;
}
/** mac80211_hwsim radios; interfaces are left DOWN unless up is true. */
export interface Wifi {
  type: 'wifi';
  radios?: number;
  up?: boolean;
}
/** Virtual Bluetooth controllers (hci_vhci + btvirt). */
export interface Bluetooth {
  type: 'bluetooth';
  controllers?: number;
}
interface QueueOptions {
  shared?: boolean;
  default?: boolean;
  /** a PPD path in the guest (lpadmin -P) or a driver name (lpadmin -m); default: Generic PostScript */
  model?: string;
  info?: string;
  location?: string;
}
/** USB printer gadget (usblp) + a CUPS queue made by the real cupsd/lpadmin (queue: null for none). */
export interface Printer extends WithId, UsbIdentity, QueueOptions {
  type: 'printer';
  /** IEEE 1284 device id, e.g. 'MFG:HP;MDL:LaserJet P1102;CMD:PJL,PCL;CLS:PRINTER;' */
  pnp?: string;
  queue?: string | null;
}
/** A CUPS queue for a network printer (nothing is contacted). */
export interface NetworkPrinter extends QueueOptions {
  type: 'network-printer';
  queue: string;
  /** default ipp://192.0.2.10/ipp/print */
  uri?: string;
}

export type Device =
  | UsbStick
  | GadgetStick
  | CardReader
  | Composite
  | OnboardMic
  | UsbMic
  | Camera
  | UsbWebcam
  | Nic
  | GadgetNic
  | Wifi
  | Bluetooth
  | Printer
  | NetworkPrinter;

/** Devices that can be plugged while the command runs. */
export type PluggableDevice = UsbStick | GadgetStick | CardReader | Composite | UsbMic | UsbWebcam | GadgetNic | Printer;

/** `at` is in seconds (fractional ok) from the start of the guest command. */
export type TimedEvent =
  | { at: number; action: 'plug'; device: PluggableDevice }
  | { at: number; action: 'unplug'; id: string }
  | { at: number; action: 'link'; id: string; up: boolean }
  | { at: number; action: 'guest'; shell: string }
  | { at: number; action: 'qmp'; command: Record<string, unknown> };

export interface GuestFile {
  /** absolute path in the guest */
  path: string;
  content: string | Uint8Array;
  /** default 0o644 */
  mode?: number;
}

export interface Scenario {
  devices: Device[];
  events?: TimedEvent[];
  /** argv run in the guest; a single element is run with `bash -c` */
  command: string[];
  /** whole-VM wall-clock limit, default 300 */
  timeoutSec?: number;
  env?: Record<string, string>;
  /** files written into the guest before the command runs (e.g. a policy) */
  files?: GuestFile[];
  /** guest working directory, default the repo root */
  cwd?: string;
  memMB?: number;
  smp?: number;
  /** run systemd-journald with persistent storage (/var/log/journal/<machine-id>); maxFileSize: e.g. '512K' */
  journald?: boolean | { maxFileSize?: string };
  /** run rsyslogd (Debian 12's rsyslog.conf) in this timestamp format */
  syslog?: 'rfc3339' | 'traditional';
  /** run systemd-networkd (implied by a NIC's dhcp: 'networkd'); strings: MACs of more links to run DHCP on */
  networkd?: boolean | string[];
  /** the guest's zone, e.g. 'Asia/Shanghai' */
  timezone?: string;
  /** the guest's /etc/machine-id (32 hex digits) */
  machineId?: string;
  /** guest paths copied to the host after the command, with the daemons stopped, as root trees under hostDir */
  collect?: { guestPath: string; hostDir: string }[];
}

export type VmStatus = 'ok' | 'timeout' | 'vm-failure' | 'setup-failure' | 'usage';

export interface VmTimings {
  /** QEMU start to the command's start (host clock) */
  bootToCommandSec: number;
  /** the command's own duration (guest clock) */
  commandSec: number;
  /** the whole run.sh run */
  totalSec: number;
}

export interface VmResult {
  /** the command's exit code; 124 = timeout, 125 = harness/VM failure (see status) */
  exitCode: number;
  stdout: string;
  stderr: string;
  status: VmStatus;
  timings: VmTimings;
}

/** Is the harness usable here (QEMU installed, cache prepared, running as root)? */
export function vmAvailable(): { ok: boolean; reason: string } {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    return { ok: false, reason: `needs linux/x64, this is ${process.platform}/${process.arch}` };
  }
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    return { ok: false, reason: 'needs root (QEMU exports / over 9p; setup.sh installs packages)' };
  }
  const qemu = spawnSync('qemu-system-x86_64', ['--version'], { encoding: 'utf8' });
  if (qemu.error || qemu.status !== 0) {
    return { ok: false, reason: 'qemu-system-x86_64 not found: run scripts/vm/setup.sh as root' };
  }
  const kernel = existsSync(join(VM_CACHE, 'vmlinux.elf')) || existsSync(join(VM_CACHE, 'kernel.version'));
  if (!kernel || !existsSync(join(VM_CACHE, 'initramfs.cpio.gz'))) {
    return { ok: false, reason: `no kernel/initramfs in ${VM_CACHE}: run scripts/vm/setup.sh as root` };
  }
  if (!existsSync(RUN_SH)) return { ok: false, reason: `${RUN_SH} missing` };
  return { ok: true, reason: (qemu.stdout.split('\n')[0] ?? 'qemu').trim() };
}

// ------------------------------------------------------------------ scenario -> run.sh arguments

function specValue(v: string | number | boolean): string {
  const s = typeof v === 'boolean' ? (v ? '1' : '0') : String(v);
  if (/[\n\r\t]/.test(s)) throw new Error(`runInVm: device option values cannot contain newlines or tabs: ${JSON.stringify(s)}`);
  return s.replace(/,/g, '\\,');
}

function usbId(v: UsbId): string {
  if (typeof v === 'number') return '0x' + v.toString(16).padStart(4, '0');
  const hex = v.toLowerCase().replace(/^0x/, '');
  if (!/^[0-9a-f]{1,4}$/.test(hex)) throw new Error(`runInVm: bad USB id ${v}`);
  return '0x' + hex.padStart(4, '0');
}

/** The SPEC string (key=value,...) for a device, without its type. */
function spec(device: Device): string {
  const kv: string[] = [];
  const add = (key: string, v: string | number | boolean | null | undefined): void => {
    if (v !== undefined && v !== null) kv.push(`${key}=${specValue(v)}`);
  };
  const d = device as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(d)) {
    if (key === 'type' || value === undefined) continue;
    switch (key) {
      case 'vid':
      case 'pid':
        add(key, usbId(value as UsbId));
        break;
      case 'sizeMB':
        add('size', `${Number(value)}M`);
        break;
      case 'readOnly':
        add('ro', Boolean(value));
        break;
      case 'queue':
        add('queue', value === null ? 'none' : String(value));
        break;
      default:
        if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') add(key, value);
        else throw new Error(`runInVm: unsupported option ${key} on ${device.type}`);
    }
  }
  return kv.join(',');
}

function deviceArg(device: Device): string {
  const s = spec(device);
  return s ? `--${device.type}=${s}` : `--${device.type}`;
}

function eventArg(ev: TimedEvent): string {
  if (!(ev.at >= 0)) throw new Error(`runInVm: event time must be >= 0 (got ${ev.at})`);
  const at = String(ev.at);
  switch (ev.action) {
    case 'plug': {
      const s = spec(ev.device);
      return `${at}:plug:${ev.device.type}${s ? ':' + s : ''}`;
    }
    case 'unplug':
      return `${at}:unplug:${ev.id}`;
    case 'link':
      return `${at}:link:${ev.id}:${ev.up ? 'up' : 'down'}`;
    case 'guest':
      if (/[\n\t]/.test(ev.shell)) throw new Error('runInVm: guest event shell must be one line without tabs');
      return `${at}:guest:${ev.shell}`;
    case 'qmp':
      return `${at}:qmp:${JSON.stringify(ev.command)}`;
  }
}

/** run.sh's argv for a scenario (exported for debugging: print it and run the script by hand). */
export function runShArgs(scenario: Scenario, resultFile?: string, tmpDir?: string): string[] {
  if (scenario.command.length === 0) throw new Error('runInVm: empty command');
  const args: string[] = [];
  for (const d of scenario.devices) args.push(deviceArg(d));
  for (const ev of scenario.events ?? []) args.push('--at', eventArg(ev));
  for (const [k, v] of Object.entries(scenario.env ?? {})) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new Error(`runInVm: bad env name ${k}`);
    args.push('--env', `${k}=${v}`);
  }
  (scenario.files ?? []).forEach((f, i) => {
    if (!f.path.startsWith('/')) throw new Error(`runInVm: guest file path must be absolute: ${f.path}`);
    if (!tmpDir) throw new Error('runInVm: files need a temp dir');
    const host = join(tmpDir, `file-${i}`);
    writeFileSync(host, f.content, { mode: f.mode ?? 0o644 });
    args.push('--file', `${f.path}=${host}`);
  });
  args.push('--timeout', String(Math.ceil(scenario.timeoutSec ?? 300)));
  if (scenario.cwd) args.push('--cwd', scenario.cwd);
  if (scenario.memMB) args.push('--mem', String(scenario.memMB));
  if (scenario.smp) args.push('--smp', String(scenario.smp));
  const j = scenario.journald;
  if (j) args.push(typeof j === 'object' && j.maxFileSize ? `--journald=max=${j.maxFileSize}` : '--journald');
  if (scenario.syslog) args.push(`--syslog=${scenario.syslog}`);
  const n = scenario.networkd;
  if (n) args.push(Array.isArray(n) && n.length > 0 ? `--networkd=${n.join(',')}` : '--networkd');
  if (scenario.timezone) args.push('--timezone', scenario.timezone);
  if (scenario.machineId) args.push('--machine-id', scenario.machineId);
  for (const c of scenario.collect ?? []) args.push('--collect', `${c.guestPath}=${c.hostDir}`);
  if (resultFile) args.push('--result-file', resultFile);
  args.push('--', ...scenario.command);
  return args;
}

interface ResultFile {
  status?: VmStatus;
  exitCode?: number;
  bootToCommandSec?: number;
  commandSec?: number;
  totalSec?: number;
}

/** Boot a VM with the scenario's devices, run its command, return exit code, output and timings. */
export async function runInVm(scenario: Scenario): Promise<VmResult> {
  const tmp = mkdtempSync(join(tmpdir(), 'baomi-vm-'));
  const resultFile = join(tmp, 'result.json');
  try {
    const args = runShArgs(scenario, resultFile, tmp);
    const started = Date.now();
    const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolvePromise, reject) => {
      const child = spawn(RUN_SH, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (b: Buffer) => out.push(b));
      child.stderr.on('data', (b: Buffer) => err.push(b));
      // run.sh enforces timeoutSec itself; this is only a backstop if the script itself hangs
      const backstop = setTimeout(() => child.kill('SIGTERM'), ((scenario.timeoutSec ?? 300) + 60) * 1000);
      const onExit = (): void => {
        child.kill('SIGTERM');
      };
      process.once('exit', onExit);
      child.on('error', (e) => {
        clearTimeout(backstop);
        process.off('exit', onExit);
        reject(e);
      });
      child.on('close', (c, signal) => {
        clearTimeout(backstop);
        process.off('exit', onExit);
        resolvePromise({
          code: c ?? (signal ? 128 + 15 : 125),
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
        });
      });
    });
    let r: ResultFile = {};
    try {
      r = JSON.parse(readFileSync(resultFile, 'utf8')) as ResultFile;
    } catch {
      // run.sh died before writing it
    }
    const total = (Date.now() - started) / 1000;
    return {
      exitCode: r.exitCode ?? code,
      stdout,
      stderr,
      status: r.status ?? (code === 124 ? 'timeout' : 'vm-failure'),
      timings: {
        bootToCommandSec: r.bootToCommandSec ?? -1,
        commandSec: r.commandSec ?? -1,
        totalSec: r.totalSec ?? total,
      },
    };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
