import type { HostRoot } from './host-root.js';
import type { WindowsFacts } from './probes/windows/windows-facts.js';

export interface HostIdentity {
  hostname: string;
  machineId: string | null;
  os: string;
  bootId: string | null;
}

/** Who this machine is, from the same host root the probes read (no process spawned). */
export function readHostIdentity(host: HostRoot): HostIdentity {
  const osRelease = parseOsRelease(host.readText('/etc/os-release') ?? host.readText('/usr/lib/os-release') ?? '');
  return {
    hostname: host.readAttr('/proc/sys/kernel/hostname') ?? host.readAttr('/etc/hostname') ?? 'unknown',
    machineId: host.readAttr('/etc/machine-id')?.trim() || null,
    os: osRelease.get('PRETTY_NAME') ?? osRelease.get('NAME') ?? 'Linux',
    bootId: host.readAttr('/proc/sys/kernel/random/boot_id') ?? null,
  };
}

/**
 * Who a Windows machine is, from the facts collected before the scan: the computer name, the
 * MachineGuid (HKLM\SOFTWARE\Microsoft\Cryptography) and the Windows edition and version.
 * Windows has no boot id that systeminformation reports.
 */
export function windowsHostIdentity(facts: Pick<WindowsFacts, 'osInfo' | 'uuid'>): HostIdentity {
  const os = [facts.osInfo.distro, facts.osInfo.codename].map((part) => part.trim()).filter(Boolean).join(' ');
  return {
    hostname: facts.osInfo.hostname.trim() || 'unknown',
    machineId: facts.uuid.os.trim() || null,
    os: os || 'Windows',
    bootId: null,
  };
}

export function parseOsRelease(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (match) values.set(match[1]!, match[2]!.replace(/^(["'])(.*)\1$/, '$2'));
  }
  return values;
}
