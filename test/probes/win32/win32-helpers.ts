import fs from 'node:fs';
import path from 'node:path';
import type { Finding, FindingOf, FindingKind } from '../../../agent/findings/schema.js';
import { HostRoot } from '../../../agent/host-root.js';
import type { Probe, ProbeContext } from '../../../agent/probes/probe.js';
import { runProbes } from '../../../agent/probes/run-probes.js';
import type { SoftwareToFind } from '../../../agent/probes/software/linux.js';
import { parseWindowsFacts, type WindowsFacts } from '../../../agent/probes/windows/windows-facts.js';
import type { LoadedPolicy } from '../../../policies/load.js';
import { FIXTURES, policyWith } from '../../helpers.js';

export const WIN32_FIXTURES = path.join(FIXTURES, 'win32');

/** The snapshot recorded as test/fixtures/win32/<name>.facts.json, as JSON (before validation). */
export function factsJson(name: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(WIN32_FIXTURES, `${name}.facts.json`), 'utf8')) as Record<string, unknown>;
}

export function loadFacts(name: string): WindowsFacts {
  return parseWindowsFacts(factsJson(name), `${name}.facts.json`);
}

/** The security software the fixtures were recorded for (services asked for by these names). */
export const REQUIRED_SOFTWARE: SoftwareToFind[] = [
  { id: 'host-audit', processes: ['HostAuditAgent.exe'], units: ['HostAuditSvc'], paths: [] },
  { id: 'antivirus', processes: ['MsMpEng.exe'], units: ['WinDefend'], paths: [] },
];

/** The default policy, requiring the software above. */
export function windowsPolicy(): LoadedPolicy {
  return policyWith((p) => {
    p.requiredSoftware = [
      { id: 'host-audit', name: { zh: '主机审计系统', en: 'host audit agent' }, processes: ['HostAuditAgent.exe'], units: ['HostAuditSvc'] },
      { id: 'antivirus', name: { zh: '防病毒软件', en: 'antivirus' }, processes: ['MsMpEng.exe'], units: ['WinDefend'] },
    ];
  });
}

/** Nothing on a Windows host is read through a host root; one that does not exist proves it. */
export const NO_HOST = new HostRoot('/nonexistent-baomi-windows-host');

export function context(facts: WindowsFacts | undefined): ProbeContext {
  return { host: NO_HOST, requiredSoftware: REQUIRED_SOFTWARE, windowsFacts: facts };
}

/** Run one probe the way the scan does (through the runner, which validates every finding). */
export function findingsOf<K extends FindingKind>(probe: Probe, facts: WindowsFacts | undefined): FindingOf<K>[] {
  return runProbes(context(facts), [probe]).findings as FindingOf<K>[];
}

export const ids = (findings: readonly Finding[]) => findings.map((f) => f.id);

/** The H390's product string in the devices fixture: control characters, bidi overrides, markup, 4 KB. */
export const HOSTILE_HEADSET_NAME = `Logitech USB Headset H390\u0000\u0007\u001b[2J\u001b]0;owned\u0007<script>alert(document.cookie)</script>\u202egnp.exe\u202c 麦${'A'.repeat(4096)}`;
