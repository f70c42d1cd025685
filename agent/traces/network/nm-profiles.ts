import type { HostRoot } from '../../host-root.js';
import type { FindingOf, TraceSource } from '../../findings/schema.js';
import { decodeBytes } from '../../text/decode-bytes.js';
import { isVirtualInterface, type Medium } from './interface-kind.js';
import { parseKeyFile, valueOf, type KeyFile } from './key-file.js';
import { idPart, isoOfSeconds, MAX_SOURCES, traceSource } from './trace-source.js';
import type { Unreadable } from './unreadable.js';

/**
 * NetworkManager connection profiles in keyfile format (nm-settings-keyfile(5)): `<name>.nmconnection`,
 * or without extension from versions before 1.16, in /etc, /run and /usr/lib
 * NetworkManager/system-connections/. `[connection]` has id=, uuid=, type= (the setting name or its
 * alias: 802-11-wireless|wifi, 802-3-ethernet|ethernet, gsm, cdma, vpn, wireguard, bluetooth …),
 * interface-name= and timestamp= (last activation, seconds since the epoch). NetworkManager keeps
 * the newer timestamps in /var/lib/NetworkManager/timestamps (`[timestamps]` uuid=seconds) and the
 * access points a Wi-Fi profile was used with in /var/lib/NetworkManager/seen-bssids
 * (`[seen-bssids]` uuid=bssid;…); both are read with the profiles.
 *
 * What is evidence: every Wi-Fi, mobile broadband, VPN and Bluetooth profile (configuring one on a
 * classified computer is itself the breach), and any other profile only when it was used (it has a
 * timestamp).
 */

const DIRS = ['/etc/NetworkManager/system-connections', '/run/NetworkManager/system-connections', '/usr/lib/NetworkManager/system-connections'];
const TIMESTAMPS = '/var/lib/NetworkManager/timestamps';
const SEEN_BSSIDS = '/var/lib/NetworkManager/seen-bssids';

interface TypeInfo {
  medium: Medium;
  /** Evidence even when never used. */
  always: boolean;
  virtual: boolean;
}

const TYPES: Record<string, TypeInfo> = {
  '802-11-wireless': { medium: 'wifi', always: true, virtual: false },
  wifi: { medium: 'wifi', always: true, virtual: false },
  'wifi-p2p': { medium: 'wifi', always: true, virtual: false },
  '802-11-olpc-mesh': { medium: 'wifi', always: true, virtual: false },
  'olpc-mesh': { medium: 'wifi', always: true, virtual: false },
  gsm: { medium: 'mobile', always: true, virtual: false },
  cdma: { medium: 'mobile', always: true, virtual: false },
  wimax: { medium: 'mobile', always: true, virtual: false },
  vpn: { medium: 'vpn', always: true, virtual: false },
  wireguard: { medium: 'vpn', always: true, virtual: false },
  'ip-tunnel': { medium: 'vpn', always: true, virtual: false },
  tun: { medium: 'vpn', always: true, virtual: false },
  bluetooth: { medium: 'bluetooth', always: true, virtual: false },
  pppoe: { medium: 'ethernet', always: true, virtual: false },
  adsl: { medium: 'other', always: true, virtual: false },
  '802-3-ethernet': { medium: 'ethernet', always: false, virtual: false },
  ethernet: { medium: 'ethernet', always: false, virtual: false },
  infiniband: { medium: 'ethernet', always: false, virtual: false },
  bridge: { medium: 'other', always: false, virtual: true },
  dummy: { medium: 'other', always: false, virtual: true },
  veth: { medium: 'other', always: false, virtual: true },
  vrf: { medium: 'other', always: false, virtual: true },
  loopback: { medium: 'other', always: false, virtual: true },
};
const OTHER: TypeInfo = { medium: 'other', always: false, virtual: false };

/** The setting group that holds a type's details (keyfiles use the alias when there is one). */
const WIFI_GROUPS = ['wifi', '802-11-wireless'];

export function readNmProfiles(host: HostRoot, unreadable: Unreadable): FindingOf<'network-trace'>[] {
  const timestamps = readDatabase(host, unreadable, TIMESTAMPS, 'timestamps');
  const seenBssids = readDatabase(host, unreadable, SEEN_BSSIDS, 'seen-bssids');
  const findings: FindingOf<'network-trace'>[] = [];
  for (const dir of DIRS) {
    for (const name of unreadable.list(host, dir)) {
      if (name.startsWith('.') || name.endsWith('.nmmeta')) continue;
      const file = `${dir}/${name}`;
      if (host.isDirectory(file)) continue;
      const text = unreadable.text(host, file);
      if (text === undefined) continue;
      const finding = profileFinding(file, parseKeyFile(text), { timestamps, seenBssids });
      if (finding) findings.push(finding);
    }
  }
  return findings;
}

export interface ProfileDatabases {
  timestamps: KeyFileDatabase | null;
  seenBssids: KeyFileDatabase | null;
}

export interface KeyFileDatabase {
  file: string;
  group: string;
  keyFile: KeyFile;
}

function readDatabase(host: HostRoot, unreadable: Unreadable, file: string, group: string): KeyFileDatabase | null {
  const text = unreadable.text(host, file);
  return text === undefined ? null : { file, group, keyFile: parseKeyFile(text) };
}

/** The finding of one keyfile, or null when it is no profile (no type) or not evidence (an unused wired profile). */
export function profileFinding(file: string, keyFile: KeyFile, databases: ProfileDatabases = { timestamps: null, seenBssids: null }): FindingOf<'network-trace'> | null {
  const connection = keyFile.get('connection');
  const type = valueOf(keyFile, 'connection', 'type')?.value;
  if (connection === undefined || type === undefined || type === '') return null;
  const info = TYPES[type] ?? OTHER;
  const id = valueOf(keyFile, 'connection', 'id')?.value ?? null;
  const uuid = valueOf(keyFile, 'connection', 'uuid')?.value ?? null;
  const iface = valueOf(keyFile, 'connection', 'interface-name')?.value || null;

  const sources: TraceSource[] = [];
  const own = [connection.entries.get('id'), connection.entries.get('type'), connection.entries.get('interface-name'), connection.entries.get('timestamp')];
  let time = secondsOf(valueOf(keyFile, 'connection', 'timestamp')?.value);

  let name: string | null = id;
  if (info.medium === 'wifi') {
    const group = WIFI_GROUPS.find((g) => keyFile.has(g));
    const ssid = group ? valueOf(keyFile, group, 'ssid') : undefined;
    if (ssid) {
      name = decodeSsid(ssid.value);
      own.push(ssid);
    }
  } else if (type === 'gsm') {
    const apn = valueOf(keyFile, 'gsm', 'apn');
    if (apn && apn.value !== '') {
      name = apn.value;
      own.push(apn);
    }
  } else if (type === 'vpn') {
    const service = valueOf(keyFile, 'vpn', 'service-type');
    if (service) own.push(service);
    const gateway = valueOf(keyFile, 'vpn', 'remote') ?? valueOf(keyFile, 'vpn', 'gateway');
    if (gateway) own.push(gateway);
  } else if (type === 'wireguard') {
    const endpoint = [...keyFile.values()].find((g) => g.name.startsWith('wireguard-peer'))?.entries.get('endpoint');
    if (endpoint) own.push(endpoint);
  }
  const address = (valueOf(keyFile, 'ipv4', 'address1')?.value ?? valueOf(keyFile, 'ipv4', 'addresses1')?.value)?.split(',')[0] ?? null;

  const profileText = own
    .filter((e) => e !== undefined)
    .map((e) => e.raw.trim())
    .join(' ');
  sources.push(traceSource(file, connection.line, null, time, profileText));

  if (uuid !== null && databases.timestamps) {
    const entry = valueOf(databases.timestamps.keyFile, databases.timestamps.group, uuid);
    const recorded = secondsOf(entry?.value);
    if (entry && recorded !== null) {
      // The database is written at every activation; the keyfile only when the profile is saved.
      if (time === null || recorded > time) time = recorded;
      sources.push(traceSource(databases.timestamps.file, entry.line, null, recorded, entry.raw.trim()));
    }
  }
  if (uuid !== null && databases.seenBssids) {
    const entry = valueOf(databases.seenBssids.keyFile, databases.seenBssids.group, uuid);
    if (entry && entry.value.replace(/;/g, '').trim() !== '') sources.push(traceSource(databases.seenBssids.file, entry.line, null, null, entry.raw.trim()));
  }

  const used = time !== null || sources.length > 1;
  if (!info.always && !used) return null;
  return {
    id: `net-trace:profile:${idPart(file)}`,
    kind: 'network-trace',
    trace: 'connection-profile',
    medium: info.medium,
    interface: iface,
    virtual: info.virtual || (iface !== null && isVirtualInterface(iface)),
    name,
    address,
    time,
    sources: sources.slice(0, MAX_SOURCES),
  };
}

function secondsOf(value: string | undefined): string | null {
  if (value === undefined || !/^\d+$/.test(value.trim())) return null;
  return isoOfSeconds(Number(value.trim()));
}

/**
 * An SSID as NetworkManager reads it (get_bytes() of nm-keyfile.c): a list of decimal bytes
 * `77;121;…;` (written for any SSID with a byte that is not printable ASCII, so every Chinese
 * SSID), else the string with `\;` unescaped. The bytes are decoded as UTF-8, any invalid byte
 * kept as the text `\xNN`. NetworkManager has no hex form: `ssid=4d79…` is that literal text.
 */
export function decodeSsid(value: string): string {
  // As in NetworkManager: every number (1 to 3 digits) is followed by a `;`, else it is a string.
  if (/^(\s*\d{1,3}\s*;)+\s*$/.test(value)) {
    const parts = value.split(';').map((p) => p.trim());
    parts.pop();
    const bytes = parts.map((p) => (/^\d{1,3}$/.test(p) ? Number(p) : NaN));
    if (bytes.length > 0 && bytes.every((b) => b >= 0 && b <= 255)) return decodeBytes(Uint8Array.from(bytes));
  }
  return value.replace(/\\;/g, ';');
}
