import type { HostRoot } from '../../host-root.js';
import type { FindingOf } from '../../findings/schema.js';
import { readDhclientLeases } from './dhclient-leases.js';
import { readNetworkdLeases, readNmInternalLeases } from './env-leases.js';
import { readNmProfiles } from './nm-profiles.js';
import { Unreadable } from './unreadable.js';
import { readWpaSupplicant } from './wpa-supplicant.js';

export type NetworkTraceFileFinding = FindingOf<'network-trace'> | FindingOf<'probe-unavailable'>;

/** The probe name of the file readers in a `probe-unavailable` finding (id `probe:network-traces`). */
export const NETWORK_TRACES_PROBE = 'network-traces';

/**
 * Every file-borne trace of past networks: DHCP leases (dhclient, NetworkManager's internal
 * client, systemd-networkd), NetworkManager profiles and wpa_supplicant networks. Synchronous,
 * through HostRoot only. A file or folder the agent may not read is skipped and named in one
 * `probe-unavailable` finding (reason permission-denied) at the end, so that the traces of the
 * files it could read are kept and the inspector learns what was not looked at. Malformed files
 * are skipped without a finding; nothing here throws for what a file contains.
 */
export function readNetworkTraceFiles(host: HostRoot): NetworkTraceFileFinding[] {
  const unreadable = new Unreadable();
  const traces = [
    ...readDhclientLeases(host, unreadable),
    ...readNmInternalLeases(host, unreadable),
    ...readNetworkdLeases(host, unreadable),
    ...readNmProfiles(host, unreadable),
    ...readWpaSupplicant(host, unreadable),
  ];
  return [...traces, ...unreadable.finding(NETWORK_TRACES_PROBE)];
}
