import type { FindingOf } from '../../findings/schema.js';
import { windowsProbe } from '../windows/windows-probe.js';
import type { WindowsFacts } from '../windows/windows-facts.js';
import type { SoftwareToFind } from './linux.js';

/**
 * Whether each piece of security software the policy requires is installed and running: its
 * processes (Win32_Process caption, e.g. "MsMpEng.exe") and its services (the policy's `units`
 * are Windows service names there, e.g. "WinDefend"). A service is installed when
 * Win32_Service knows it (systeminformation answers a name it does not know with an empty
 * start mode) and running when started. The policy's `paths` are POSIX paths and not looked at.
 */
export const softwareProbe = windowsProbe('software', ['security-software'], (facts, requiredSoftware) =>
  requiredSoftware.map((software) => toFinding(software, facts)),
);

export function toFinding(software: SoftwareToFind, facts: Pick<WindowsFacts, 'processes' | 'services'>): FindingOf<'security-software'> {
  const processes = facts.processes.list.filter((p) => software.processes.some((name) => sameProgram(p.name, name)));
  const services = software.units.map((unit) => {
    const service = facts.services.find((s) => s.name.toLowerCase() === unit.toLowerCase());
    return { unit, active: service?.running === true, installed: service !== undefined && service.startmode !== '' };
  });
  const running = processes.length > 0 || services.some((s) => s.active);
  return {
    id: `software:${software.id}`,
    kind: 'security-software',
    software: software.id,
    installed: running || services.some((s) => s.installed),
    running,
    processes: processes.map((p) => ({ pid: p.pid, name: p.name })),
    units: services.map(({ unit, active }) => ({ unit, active })),
  };
}

/** Windows names are case-insensitive; a policy may leave out the ".exe". */
function sameProgram(actual: string, wanted: string): boolean {
  const a = actual.toLowerCase();
  const w = wanted.toLowerCase();
  return a === w || a === `${w}.exe`;
}
