import type { FindingOf, TraceSource } from '../../findings/schema.js';
import { isVirtualInterface, mediumOfInterface } from './interface-kind.js';
import { idPart, MAX_SOURCES } from './trace-source.js';

/** One DHCP lease as read from a client's lease file, whatever the client. */
export interface Lease {
  interface: string | null;
  address: string | null;
  /** The DHCP server (server identifier), when recorded. */
  server: string | null;
  /** When the lease was obtained, as well as the file tells; null when it does not. */
  time: string | null;
  source: TraceSource;
}

/**
 * The findings of one lease file: one per (interface, address, server), so that a file that holds
 * the leases of several networks names each, and renewals of the same lease are one finding whose
 * time is the earliest start. The id names the file and the lease, stable from scan to scan.
 */
export function leaseFindings(file: string, leases: readonly Lease[]): FindingOf<'network-trace'>[] {
  const groups = new Map<string, Lease[]>();
  for (const lease of leases) {
    const key = `${lease.interface ?? ''}/${lease.address ?? ''}@${lease.server ?? ''}`;
    const group = groups.get(key) ?? [];
    group.push(lease);
    groups.set(key, group);
  }
  const findings: FindingOf<'network-trace'>[] = [];
  for (const [key, group] of groups) {
    const first = group[0]!;
    const times = group.map((l) => l.time).filter((t): t is string => t !== null).sort();
    findings.push({
      id: `net-trace:lease:${idPart(file)}#${idPart(key)}`,
      kind: 'network-trace',
      trace: 'dhcp-lease',
      medium: mediumOfInterface(first.interface),
      interface: first.interface,
      virtual: first.interface !== null && isVirtualInterface(first.interface),
      name: first.server,
      address: first.address,
      time: times[0] ?? null,
      sources: group.slice(0, MAX_SOURCES).map((l) => l.source),
    });
  }
  return findings;
}
