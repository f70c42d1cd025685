import path from 'node:path';
import type { HostRoot } from '../../host-root.js';
import type { FindingOf } from '../../findings/schema.js';
import type { Probe } from '../probe.js';

/** What the policy asks the probe to look for (see `requiredSoftware` in the policy schema). */
export interface SoftwareToFind {
  id: string;
  /** Process names: matched against /proc/<pid>/comm, the executable's and argv[0]'s base names. */
  processes: readonly string[];
  /** systemd units (e.g. "avd.service"): installed when a unit file exists, active when systemd says so. */
  units: readonly string[];
  /** Files whose presence shows the software is installed. */
  paths: readonly string[];
}

const UNIT_DIRS = ['/etc/systemd/system', '/run/systemd/system', '/usr/lib/systemd/system', '/lib/systemd/system'];
/** Linux truncates comm to 15 bytes. */
const COMM_LENGTH = 15;

/**
 * Whether each piece of security software the policy requires is installed and running, from
 * /proc (processes) and systemd's runtime directory (/run/systemd/units/invocation:<unit> exists
 * while a unit is active) — no `systemctl`, no `ps`.
 */
export const softwareProbe: Probe = {
  name: 'software',
  kinds: ['security-software'],
  run: ({ host, requiredSoftware }) => {
    if (requiredSoftware.length === 0) return [];
    const processes = listProcesses(host);
    return requiredSoftware.map((software): FindingOf<'security-software'> => {
      const matching = processes.filter((p) => software.processes.some((name) => p.names.has(name) || p.names.has(name.slice(0, COMM_LENGTH))));
      const units = software.units.map((unit) => ({ unit, active: host.exists(`/run/systemd/units/invocation:${unit}`) }));
      const unitInstalled = software.units.some((unit) => UNIT_DIRS.some((dir) => host.exists(`${dir}/${unit}`)));
      const running = matching.length > 0 || units.some((u) => u.active);
      return {
        id: `software:${software.id}`,
        kind: 'security-software',
        software: software.id,
        installed: running || unitInstalled || software.paths.some((p) => host.exists(p)),
        running,
        processes: matching.map((p) => ({ pid: p.pid, name: p.comm })),
        units,
      };
    });
  },
};

interface ProcessInfo {
  pid: number;
  comm: string;
  names: Set<string>;
}

function listProcesses(host: HostRoot): ProcessInfo[] {
  const processes: ProcessInfo[] = [];
  for (const entry of host.list('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const comm = host.readAttr(`/proc/${entry}/comm`);
    if (comm === undefined) continue; // exited while we looked
    const names = new Set([comm]);
    const exe = host.readLink(`/proc/${entry}/exe`);
    if (exe) names.add(path.posix.basename(exe.replace(/ \(deleted\)$/, '')));
    const argv0 = host.readText(`/proc/${entry}/cmdline`)?.split('\0')[0];
    if (argv0) names.add(path.posix.basename(argv0));
    processes.push({ pid: Number(entry), comm, names });
  }
  return processes;
}
