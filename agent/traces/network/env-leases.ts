import type { HostRoot } from '../../host-root.js';
import type { FindingOf } from '../../findings/schema.js';
import { interfaceOfFileName } from './dhclient-leases.js';
import { leaseFindings } from './lease-finding.js';
import { isoOf, traceSource } from './trace-source.js';
import type { Unreadable } from './unreadable.js';

/**
 * Leases written as KEY=VALUE lines ("# This is private data. Do not parse."):
 *
 * - systemd-networkd, /run/systemd/netif/leases/<ifindex>, by dhcp_lease_save() of
 *   sd-dhcp-lease.c: ADDRESS=, NETMASK=, ROUTER=, SERVER_ADDRESS=, T1=, T2=, LIFETIME= (seconds in
 *   older versions, a timespan such as `1d` in newer ones), DNS=, NTP=, DOMAINNAME=, CLIENTID= …
 *   The file is named after the interface index, mapped to a name with /sys/class/net/* /ifindex
 *   (same boot: both are in /run and /sys).
 * - NetworkManager's internal DHCP client, /var/lib/NetworkManager/internal-<uuid>-<iface>.lease:
 *   the same format in the systemd-based client of older versions, only ADDRESS= in the n-dhcp4
 *   ("nettools") client of current ones (lease_save() of nm-dhcp-nettools.c).
 *
 * Neither records when the lease was obtained. The time given is the file's modification time:
 * when the lease was last written, i.e. obtained or last renewed; every source says so.
 */

export const MTIME_NOTE = '(时间为文件修改时间,即租约最后写入的时间 / time is the file’s modification time: when the lease was last written)';

export function readNetworkdLeases(host: HostRoot, unreadable: Unreadable): FindingOf<'network-trace'>[] {
  const dir = '/run/systemd/netif/leases';
  const names = interfaceNamesByIndex(host, unreadable);
  const findings: FindingOf<'network-trace'>[] = [];
  for (const index of unreadable.list(host, dir)) {
    if (!/^\d+$/.test(index)) continue;
    findings.push(...envLeaseFindings(host, unreadable, `${dir}/${index}`, names.get(index) ?? null));
  }
  return findings;
}

export function readNmInternalLeases(host: HostRoot, unreadable: Unreadable): FindingOf<'network-trace'>[] {
  const dir = '/var/lib/NetworkManager';
  const findings: FindingOf<'network-trace'>[] = [];
  for (const name of unreadable.list(host, dir)) {
    if (!/^internal6?-.+\.lease$/.test(name)) continue;
    findings.push(...envLeaseFindings(host, unreadable, `${dir}/${name}`, interfaceOfFileName(name)));
  }
  return findings;
}

function envLeaseFindings(host: HostRoot, unreadable: Unreadable, file: string, iface: string | null): FindingOf<'network-trace'>[] {
  if (host.isDirectory(file)) return [];
  const text = unreadable.text(host, file);
  if (text === undefined) return [];
  const lease = parseEnvLease(text);
  if (lease === null) return [];
  const modified = unreadable.read(undefined, () => host.modifiedAt(file));
  const time = modified === undefined ? null : isoOf(modified);
  const summary = [`ADDRESS=${lease.address}`, lease.server && `SERVER_ADDRESS=${lease.server}`, lease.lifetime && `LIFETIME=${lease.lifetime}`]
    .filter(Boolean)
    .join(' ');
  return leaseFindings(file, [
    {
      interface: iface,
      address: lease.address,
      server: lease.server,
      time,
      source: traceSource(file, null, null, time, `${MTIME_NOTE} ${summary}`),
    },
  ]);
}

export interface EnvLease {
  address: string;
  server: string | null;
  lifetime: string | null;
}

/** The lease of a KEY=VALUE lease file, or null when it names no address (malformed, empty). */
export function parseEnvLease(text: string): EnvLease | null {
  const values = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    values.set(line.slice(0, eq).trim(), unquote(line.slice(eq + 1).trim()));
  }
  const address = values.get('ADDRESS');
  if (address === undefined || !/^[0-9a-fA-F:.]+$/.test(address)) return null;
  return {
    address,
    server: values.get('SERVER_ADDRESS') ?? values.get('SERVER_IDENTIFIER') ?? null,
    lifetime: values.get('LIFETIME') ?? null,
  };
}

/** env-file values may be quoted (parse_env_file accepts "…" and '…'). */
function unquote(value: string): string {
  const m = /^"(.*)"$|^'(.*)'$/.exec(value);
  return m ? (m[1] ?? m[2] ?? '') : value;
}

/** ifindex → interface name, from /sys/class/net/<name>/ifindex. */
export function interfaceNamesByIndex(host: HostRoot, unreadable: Unreadable): Map<string, string> {
  const names = new Map<string, string>();
  for (const name of unreadable.list(host, '/sys/class/net')) {
    const index = unreadable.read(undefined, () => host.readAttr(`/sys/class/net/${name}/ifindex`));
    if (index !== undefined && /^\d+$/.test(index)) names.set(index, name);
  }
  return names;
}
