import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { HostRoot } from '../../agent/host-root.js';
import { scan } from '../../agent/scan/scan.js';
import type { PolicyInput, RuleId } from '../../policies/schema.js';
import { builtinPolicy, copyFixture, fixture, policyWith, vmStickEntry } from '../helpers.js';

/**
 * Every rule of the shipped policy, run through the real probes and the evaluator on trees
 * captured from real kernels (ComplianceAsCode's .fail / .pass): one tree where the rule fires,
 * naming exactly these findings, and one where it stays quiet.
 */

type Tree = string | (() => string);
interface Case {
  rule: RuleId;
  fails: { tree: Tree; policy?: (p: PolicyInput) => void; findings: string[] };
  passes: { tree: Tree; policy?: (p: PolicyInput) => void };
}

const S123 = 'storage:usb:0951:1666:S123';
const onlyS123Registered = (over: Record<string, unknown>) => (p: PolicyInput) => {
  p.registry = { media: [vmStickEntry({ role: 'storage', boundHost: 'baomi-vm', class: '秘密', ...over })] };
};
/** The captured CUPS queues with the USB printer's CUPS type bits set to `type` (0x40000: fax). */
const officeLaserOfType = (type: number) => () => {
  const root = copyFixture('vm-printers');
  const conf = path.join(root, 'etc/cups/printers.conf');
  const text = fs.readFileSync(conf, 'utf8');
  const start = text.indexOf('<Printer Office_Laser>');
  fs.writeFileSync(conf, text.slice(0, start) + text.slice(start).replace(/^Type \d+$/m, `Type ${type}`));
  return root;
};

const CASES: Case[] = [
  { rule: 'NET-CABLE', fails: { tree: 'vm-net', findings: ['net:enp0s5@52:54:00:ba:00:01', 'net:enx525400ba0003@52:54:00:ba:00:03'] }, passes: { tree: 'vm-baseline' } },
  { rule: 'NET-INTERNET', fails: { tree: 'vm-net', findings: ['net:enp0s5@52:54:00:ba:00:01'] }, passes: { tree: 'vm-baseline' } },
  { rule: 'NET-WIRELESS', fails: { tree: 'vm-net', findings: ['net:wlan0@02:00:00:00:00:00'] }, passes: { tree: 'vm-media' } },
  { rule: 'NET-USB-ADAPTER', fails: { tree: 'vm-net', findings: ['net:enx525400ba0003@52:54:00:ba:00:03'] }, passes: {
      tree: 'vm-net',
      policy: (p) => (p.registry = { networkInterfaces: [{ id: 'NIC-1', label: '涉密内网', mac: '52:54:00:ba:00:03', boundHost: 'baomi-vm' }] }),
    } },
  { rule: 'NET-BLUETOOTH', fails: { tree: 'vm-net', findings: ['bluetooth:hci0'] }, passes: { tree: 'vm-baseline' } },
  { rule: 'MEDIA-UNREGISTERED', fails: { tree: 'vm-media', findings: ['storage:usb:058f:6366:058F63666485', S123, 'storage:usb:0951:1666:S999', 'storage:usb:1234:5678:COMBO1'] }, passes: { tree: 'vm-stick', policy: onlyS123Registered({}) } },
  { rule: 'MEDIA-WRONG-CLASS', fails: { tree: 'vm-stick', policy: onlyS123Registered({ class: '非涉密' }), findings: [S123] }, passes: { tree: 'vm-stick', policy: onlyS123Registered({}) } },
  { rule: 'MEDIA-WRONG-HOST', fails: { tree: 'vm-stick', policy: onlyS123Registered({ boundHost: 'pc-099' }), findings: [S123] }, passes: { tree: 'vm-stick', policy: onlyS123Registered({}) } },
  { rule: 'MEDIA-RETIRED', fails: { tree: 'vm-stick', policy: onlyS123Registered({ status: 'retired' }), findings: [S123] }, passes: { tree: 'vm-stick', policy: onlyS123Registered({}) } },
  { rule: 'PRINTER-SHARED', fails: { tree: 'vm-printers', findings: ['printer:Net_Printer', 'printer:Office_Laser'] }, passes: { tree: 'vm-baseline' } },
  { rule: 'PRINTER-FAX', fails: { tree: officeLaserOfType(0x40000 | 0x4), findings: ['printer:Office_Laser'] }, passes: { tree: 'vm-printers' } },
  {
    rule: 'SEC-SOFTWARE',
    fails: { tree: 'vm-printers', policy: (p) => (p.requiredSoftware = [{ id: 'qax', name: { zh: '终端安全', en: 'Endpoint security' }, processes: ['qaxsafed'] }]), findings: ['software:qax'] },
    passes: { tree: 'vm-printers', policy: (p) => (p.requiredSoftware = [{ id: 'cups', name: { zh: '打印服务', en: 'CUPS' }, processes: ['cupsd'] }]) },
  },
  {
    rule: 'HW-DISK-CHANGE',
    fails: { tree: 'sandbox-host', policy: (p) => (p.registry = { disks: [{ host: 'vm', serial: 'WD-WCC4N1234567' }] }), findings: ['disk:WD-WCC4N1234567', 'disk:overlayblk'] },
    passes: { tree: 'sandbox-host', policy: (p) => (p.registry = { disks: [{ host: 'vm', serial: 'overlayblk' }] }) },
  },
  {
    rule: 'PROBE-UNAVAILABLE',
    fails: { tree: () => { const root = copyFixture('vm-baseline'); fs.mkdirSync(path.join(root, 'etc/cups/printers.conf'), { recursive: true }); return root; }, findings: ['probe:printers'] },
    passes: { tree: 'vm-baseline' },
  },
];

function violationsOf(rule: RuleId, tree: Tree, change?: (p: PolicyInput) => void): string[] {
  const root = typeof tree === 'string' ? fixture(tree) : new HostRoot(tree());
  const policy = change ? policyWith(change) : builtinPolicy();
  return scan({ host: root, policy })
    .violations.filter((v) => v.rule === rule)
    .map((v) => v.findingId);
}

describe('every rule fires on a captured tree and stays quiet on another', () => {
  test.each(CASES)('$rule', ({ rule, fails, passes }) => {
    expect(violationsOf(rule, fails.tree, fails.policy)).toEqual(fails.findings);
    expect(violationsOf(rule, passes.tree, passes.policy)).toEqual([]);
  });

  test('the table covers every rule of the shipped policy that a probe checks', () => {
    const fromLog: RuleId[] = ['SEC-AGENT-GAP']; // from the agent's own log: test/service/agent-service.test.ts
    const av: RuleId[] = ['AV-MICROPHONE', 'AV-CAMERA']; // test/probes/av-on-fixtures.test.ts
    const deep: RuleId[] = ['TRACE-MEDIA', 'TRACE-NETWORK', 'FILE-INTEGRITY']; // the deep scan: test/scan/deep-scan.test.ts
    const covered = new Set([...CASES.map((c) => c.rule), ...fromLog, ...av, ...deep]);
    expect(builtinPolicy().policy.rules.map((r) => r.id).filter((id) => !covered.has(id))).toEqual([]);
  });
});
