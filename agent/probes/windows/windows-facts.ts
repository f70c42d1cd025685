import { z } from 'zod';
import type { SoftwareToFind } from '../software/linux.js';

/**
 * The Windows "host root": one snapshot of what systeminformation reports, taken before the
 * probes run. systeminformation is asynchronous and shells out to PowerShell (one process per
 * query); the probes are synchronous mappings from these facts to findings, so tests run the
 * real Windows probes on recorded facts (test/fixtures/win32/*.facts.json).
 *
 * Each schema below holds the fields the probes read, in the shape the `_windows` branch of
 * systeminformation 5.x writes them (its index.d.ts is not exact for Windows: `usb().deviceId`
 * is the PnP instance id string, `blockDevices().size` a string). Other fields of a recorded
 * file are ignored.
 */

/** networkInterfaces(): os.networkInterfaces() joined with Win32_NetworkAdapter by MAC. */
export const SiNetworkInterface = z.object({
  /** NetConnectionID ("Ethernet", "Wi-Fi"), else the os.networkInterfaces() name. */
  iface: z.string(),
  /** The adapter's Name ("Intel(R) Ethernet Connection (13) I219-LM"). */
  ifaceName: z.string(),
  default: z.boolean(),
  /** The last IPv4 address only; '' when none. */
  ip4: z.string(),
  /** The first non-link-local IPv6 address, else a link-local one; '' when none. */
  ip6: z.string(),
  mac: z.string(),
  /** Absent for adapters that are not up (not in os.networkInterfaces()). */
  internal: z.boolean().optional(),
  virtual: z.boolean(),
  /** 'up' when NetConnectionStatus is 2 (connected), else 'down'. */
  operstate: z.string(),
  /** 'wireless' (AdapterTypeID 9, or a Wi-Fi / wireless / WLAN name), 'wired', or ''. */
  type: z.string(),
});

/** usb(): CIM_LogicalDevice whose Description matches "USB", of the few classes it can name. */
export const SiUsb = z.object({
  /** PnP device instance id, e.g. USB\VID_0951&PID_1666\S123. */
  deviceId: z.string(),
  name: z.string(),
  /** Storage, Hub, Controller, Keyboard, Mouse, Microphone: from CreationClassName and name. */
  type: z.string(),
  /** The driver package's provider ("Compatible USB storage device"), not the device's string. */
  manufacturer: z.string().nullable(),
});

/** blockDevices(): one entry per Win32_LogicalDisk (drive letter), matched to its Win32_DiskDrive. */
export const SiBlockDevice = z.object({
  name: z.string(),
  fsType: z.string(),
  mount: z.string(),
  /** Bytes, as the text WMI printed ('' for an empty drive). */
  size: z.union([z.number(), z.string()]),
  /** DriveType: Unknown, NoRoot, Removable, Local, Network, CD/DVD, RAM. */
  physical: z.string(),
  removable: z.boolean(),
  label: z.string(),
  /** The Win32_DiskDrive DeviceID (\\.\PHYSICALDRIVE1) holding the volume, '' when not found. */
  device: z.string().optional(),
});

/** diskLayout(): Win32_DiskDrive, with BusType and MediaType from Get-PhysicalDisk. */
export const SiDiskLayout = z.object({
  /** \\.\PHYSICALDRIVE0 */
  device: z.string(),
  type: z.string(),
  /** Caption: "Samsung SSD 860 EVO 500GB", "Kingston DataTraveler 3.0 USB Device". */
  name: z.string(),
  vendor: z.string(),
  /** Win32_DiskDrive.Size: whole cylinders only, so a little under the medium's capacity. */
  size: z.number().int().nonnegative(),
  serialNum: z.string(),
  /** Get-PhysicalDisk BusType (SATA, NVMe, USB, SD, RAID …), else Win32 InterfaceType (IDE, SCSI, USB). */
  interfaceType: z.string(),
});

/** audio(): Win32_SoundDevice. */
export const SiAudio = z.object({
  /** DeviceID: the PnP instance id, e.g. USB\VID_046D&PID_0A44&MI_00\6&2A1B3C4D&0&0000. */
  id: z.union([z.string(), z.number()]),
  name: z.string(),
  manufacturer: z.string().nullable(),
  /** Always null on Windows: WMI does not say whether a sound device captures or plays. */
  in: z.boolean().nullable(),
  out: z.boolean().nullable(),
  type: z.string(),
});

/** bluetoothDevices(): Win32_PNPEntity of class Bluetooth that no driver service runs: paired devices, not radios. */
export const SiBluetoothDevice = z.object({
  name: z.string(),
  manufacturer: z.string().nullable(),
  type: z.string(),
});

/** printer(): Win32_Printer. */
export const SiPrinter = z.object({
  name: z.string(),
  /** DriverName */
  model: z.string(),
  /** Always null on Windows (the port is not queried). */
  uri: z.string().nullable(),
  local: z.boolean(),
  shared: z.boolean(),
});

/** services(names): Win32_Service; a name not found comes back with running false and startmode ''. */
export const SiService = z.object({
  /** Lowercase service name. */
  name: z.string(),
  running: z.boolean(),
  startmode: z.string(),
});

/** processes(): Win32_Process, reduced to what the probes need (no command lines are kept). */
export const SiProcesses = z.object({
  list: z.array(z.object({ pid: z.number().int(), name: z.string() })),
});

export const SiOsInfo = z.object({
  platform: z.literal('Windows', { error: 'expected "Windows": this snapshot was not taken on Windows' }),
  /** Win32_OperatingSystem Caption; '' when PowerShell gave no answer. */
  distro: z.string(),
  release: z.string(),
  codename: z.string(),
  hostname: z.string(),
  build: z.string(),
});

export const SiUuid = z.object({
  /** MachineGuid (HKLM\SOFTWARE\Microsoft\Cryptography), lowercase. */
  os: z.string(),
  /** Win32_ComputerSystemProduct UUID, lowercase. */
  hardware: z.string(),
});

export const WindowsFacts = z.object({
  /** Who recorded the snapshot (capture script), for the reader of a fixture. */
  source: z.object({ systeminformation: z.string(), capturedAt: z.string() }).partial().optional(),
  networkInterfaces: z.array(SiNetworkInterface),
  /** networkInterfaceDefault(): the interface of the 0.0.0.0 route, else the first one with an address. */
  defaultInterface: z.string().optional(),
  usb: z.array(SiUsb),
  blockDevices: z.array(SiBlockDevice),
  diskLayout: z.array(SiDiskLayout),
  audio: z.array(SiAudio),
  bluetoothDevices: z.array(SiBluetoothDevice),
  printer: z.array(SiPrinter),
  processes: SiProcesses,
  services: z.array(SiService),
  osInfo: SiOsInfo,
  uuid: SiUuid,
});
export type WindowsFacts = z.infer<typeof WindowsFacts>;
export type SiNetworkInterface = z.infer<typeof SiNetworkInterface>;
export type SiUsb = z.infer<typeof SiUsb>;
export type SiBlockDevice = z.infer<typeof SiBlockDevice>;
export type SiDiskLayout = z.infer<typeof SiDiskLayout>;
export type SiAudio = z.infer<typeof SiAudio>;
export type SiPrinter = z.infer<typeof SiPrinter>;

/** A snapshot that cannot be used, with where and why: `source: field: reason`. */
export class WindowsFactsError extends Error {
  constructor(
    readonly source: string,
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${source}: ${field ? `${field}: ` : ''}${reason}`);
  }
}

/** Validate a snapshot (parsed JSON). Throws WindowsFactsError naming the first bad field. */
export function parseWindowsFacts(json: unknown, source: string): WindowsFacts {
  const result = WindowsFacts.safeParse(json);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const missing = issue.code === 'invalid_type' && issue.message.includes('received undefined');
  throw new WindowsFactsError(source, formatPath(issue.path), missing ? `missing (expected ${issue.expected})` : issue.message);
}

/** usb[3].deviceId */
function formatPath(parts: readonly PropertyKey[]): string {
  return parts.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
}

/** The systeminformation calls the snapshot makes (injectable: tests and the fixture synthesizer pass their own). */
export type SystemInformation = Pick<
  typeof import('systeminformation'),
  | 'networkInterfaces'
  | 'networkInterfaceDefault'
  | 'usb'
  | 'blockDevices'
  | 'diskLayout'
  | 'audio'
  | 'bluetoothDevices'
  | 'printer'
  | 'processes'
  | 'services'
  | 'osInfo'
  | 'uuid'
  | 'version'
>;

/**
 * Ask systeminformation, all queries in parallel, and return its answers as they are (what the
 * capture script records), except that processes keep only pid and name. Services are asked
 * for only by the names the policy requires: with no name, systeminformation lists them all.
 * The module is loaded here, not at the top, so that the Linux agent never loads it.
 */
export async function readWindowsSnapshot(
  requiredSoftware: readonly SoftwareToFind[],
  si?: SystemInformation,
): Promise<Record<string, unknown>> {
  const lib: SystemInformation = si ?? (await import('systeminformation')).default;
  const units = [...new Set(requiredSoftware.flatMap((software) => software.units))];
  const [networkInterfaces, defaultInterface, usb, blockDevices, diskLayout, audio, bluetoothDevices, printer, processes, services, osInfo, uuid] =
    await Promise.all([
      lib.networkInterfaces(),
      lib.networkInterfaceDefault(),
      lib.usb(),
      lib.blockDevices(),
      lib.diskLayout(),
      lib.audio(),
      lib.bluetoothDevices(),
      lib.printer(),
      lib.processes(),
      units.length > 0 ? lib.services(units.join(',')) : Promise.resolve([]),
      lib.osInfo(),
      lib.uuid(),
    ]);
  return {
    source: { systeminformation: lib.version(), capturedAt: new Date().toISOString() },
    networkInterfaces,
    defaultInterface,
    usb,
    blockDevices,
    diskLayout,
    audio,
    bluetoothDevices,
    printer,
    processes: { list: (processes?.list ?? []).map(({ pid, name }) => ({ pid, name })) },
    services,
    osInfo,
    uuid,
  };
}

/** Collect and validate the facts the Windows probes read. */
export async function collectWindowsFacts(
  requiredSoftware: readonly SoftwareToFind[],
  si?: SystemInformation,
): Promise<WindowsFacts> {
  return parseWindowsFacts(await readWindowsSnapshot(requiredSoftware, si), 'systeminformation');
}
