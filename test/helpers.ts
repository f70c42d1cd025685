import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HostRoot } from '../agent/host-root.js';
import { BUILTIN_POLICY_FILE, loadPolicyFile, parsePolicy, type LoadedPolicy } from '../policies/load.js';
import { applySignedPolicy } from '../policies/in-force.js';
import type { PolicyInput } from '../policies/schema.js';
import { signPolicy } from '../policies/signed-policy.js';
import { trustOfficerKey } from '../policies/trust-store.js';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const FIXTURES = path.join(REPO, 'test', 'fixtures');
export const CLI = path.join(REPO, 'dist', 'agent', 'cli', 'main.js');

export function fixture(name: string): HostRoot {
  return new HostRoot(path.join(FIXTURES, name));
}

export function builtinPolicy(): LoadedPolicy {
  return loadPolicyFile(BUILTIN_POLICY_FILE);
}

/** The default policy with changes, as an officer would edit it. */
export function policyWith(change: (policy: PolicyInput) => void): LoadedPolicy {
  const json = JSON.parse(fs.readFileSync(BUILTIN_POLICY_FILE, 'utf8')) as PolicyInput;
  change(json);
  return parsePolicy(Buffer.from(JSON.stringify(json)), 'test-policy.json');
}

const tempDirs: string[] = [];

/** A fresh temporary directory, removed when the test file ends (see test/setup.ts). */
export function tempDir(prefix = 'baomi-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

/** Copy a captured tree (keeping symlinks) so a test can change it. */
export function copyFixture(name: string): string {
  const dir = tempDir('baomi-fixture-');
  fs.cpSync(path.join(FIXTURES, name), dir, { recursive: true, verbatimSymlinks: true });
  return dir;
}

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Run the built baomi-agent binary, as a user would. */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): CliResult {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
  });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/**
 * Put an officer-signed policy in force in a state directory (the default policy changed by
 * `change`), the way `policy apply` does, with a key made for the test.
 */
export function installSignedPolicy(stateDir: string, change: (policy: PolicyInput) => void): { trustDir: string } {
  const trustDir = path.join(stateDir, 'trust');
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  fs.writeFileSync(path.join(stateDir, 'officer.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
  trustOfficerKey(path.join(stateDir, 'officer.pub'), trustDir);
  const json = JSON.parse(fs.readFileSync(BUILTIN_POLICY_FILE, 'utf8')) as PolicyInput;
  json.version = 2;
  change(json);
  const signed = path.join(stateDir, 'policy-under-test.signed.json');
  fs.writeFileSync(signed, signPolicy(Buffer.from(JSON.stringify(json, null, 2)), privateKey));
  applySignedPolicy(signed, { stateDir, trustDir });
  return { trustDir };
}

/** A registry entry for the stick captured in test/fixtures/vm-stick (Kingston 0951:1666, serial S123). */
export function vmStickEntry(over: Record<string, unknown> = {}) {
  return {
    id: 'BM-2026-0100',
    label: '检查专用盘',
    vendorId: '0951',
    productId: '1666',
    serial: 'S123',
    capacityBytes: null,
    class: '机密',
    boundHost: null,
    owner: '检查组',
    status: 'active',
    registeredBy: '保密员',
    registeredAt: '2026-11-01',
    role: 'inspection',
    ...over,
  } as const;
}
