import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { copyFixture, installSignedPolicy, REPO, runCli, tempDir, vmStickEntry, type CliResult } from '../helpers.js';

/**
 * Real bundles for the collector's tests, made the way an inspector makes them: the captured VM
 * tree (test/fixtures/vm-stick) is a computer whose Kingston stick is "mounted" on a temporary
 * directory (its /sys/dev/block entry for that directory's file system leads to the stick), the
 * real `baomi-agent scan` records, the real `baomi-agent export` writes onto the stick.
 */

export const COLLECTOR = path.join(REPO, 'dist', 'collector', 'cli', 'main.js');

export function runCollector(args: string[]): CliResult {
  const result = spawnSync(process.execPath, [COLLECTOR, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: process.env.HOME } });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

export interface Computer {
  root: string;
  stateDir: string;
  trustDir: string;
  hostname: string;
}

export interface ComputerOptions {
  hostname?: string;
  machineId?: string;
  department?: string;
  owner?: string;
  /** Change the captured tree before the first scan (hostile device strings …). */
  prepare?: (root: string) => void;
}

/** The major:minor of the file system a directory is on. */
function deviceOf(dir: string): string {
  const dev = BigInt(fs.statSync(dir).dev);
  return `${(dev >> 8n) & 0xfffn}:${dev & 0xffn}`;
}

/**
 * A computer that has scanned once under the built-in policy (the stick is unregistered then: a
 * violation), then received the office's signed policy registering the stick for inspection
 * and itself in registry.hosts.
 */
export function computer(stick: string, options: ComputerOptions = {}): Computer {
  const root = copyFixture('vm-stick');
  const hostname = options.hostname ?? 'baomi-vm';
  fs.writeFileSync(path.join(root, 'proc/sys/kernel/hostname'), `${hostname}\n`);
  fs.writeFileSync(path.join(root, 'etc/hostname'), `${hostname}\n`);
  if (options.machineId) fs.writeFileSync(path.join(root, 'etc/machine-id'), `${options.machineId}\n`);
  options.prepare?.(root);
  fs.mkdirSync(path.join(root, 'sys/dev/block'), { recursive: true });
  fs.symlinkSync('../../block/sda', path.join(root, 'sys/dev/block', deviceOf(stick)));
  const stateDir = tempDir('baomi-state-');
  const scan = runCli(['scan', '--root', root, '--state-dir', stateDir, '--trust-dir', path.join(stateDir, 'none')]);
  if (scan.status !== 1) throw new Error(`scan: ${scan.status} ${scan.stderr}`);
  const { trustDir } = installSignedPolicy(stateDir, (p) => {
    p.registry = {
      media: [vmStickEntry()],
      hosts: [{ hostname, class: '机密', department: options.department ?? '办公室', owner: options.owner ?? '张三' }],
    } as never;
  });
  return { root, stateDir, trustDir, hostname };
}

/** `baomi-agent scan` under the policy in force. */
export function scan(c: Computer): CliResult {
  return runCli(['scan', '--root', c.root, '--state-dir', c.stateDir, '--trust-dir', c.trustDir]);
}

/** `baomi-agent export` onto the stick; returns the new bundle's directory. */
export function exportBundle(c: Computer, stick: string, since?: number): string {
  const before = bundlesOn(stick);
  const result = runCli(['export', '--to', stick, '--root', c.root, '--state-dir', c.stateDir, '--trust-dir', c.trustDir, ...(since ? ['--since', String(since)] : [])]);
  if (result.status !== 0) throw new Error(`export: ${result.status} ${result.stderr}`);
  const added = bundlesOn(stick).filter((b) => !before.includes(b));
  if (added.length !== 1) throw new Error(`export made ${added.length} bundles`);
  return added[0]!;
}

/** The bundle directories on a stick (BAOMI/<host>/<time>). */
export function bundlesOn(stick: string): string[] {
  const root = path.join(stick, 'BAOMI');
  if (!fs.existsSync(root)) return [];
  return fs.readdirSync(root).flatMap((host) => fs.readdirSync(path.join(root, host)).map((b) => path.join(root, host, b)));
}

/** A fresh stick holding copies of these bundles, each at BAOMI/<host dir>/<name>. */
export function stickWith(...bundles: { dir: string; host?: string; name?: string }[]): string {
  const stick = tempDir('baomi-stick-');
  for (const b of bundles) {
    const target = path.join(stick, 'BAOMI', b.host ?? path.basename(path.dirname(b.dir)), b.name ?? path.basename(b.dir));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.cpSync(b.dir, target, { recursive: true });
  }
  return stick;
}

export function hostIdOf(bundle: string): string {
  return path.basename(path.dirname(bundle));
}

/** Counts of the archive's tables, read directly. */
export function archiveCounts(file: string): Record<'hosts' | 'events' | 'imported' | 'refused' | 'problems', number> {
  const db = new Database(file, { readonly: true });
  try {
    const n = (sql: string) => db.prepare(sql).pluck().get() as number;
    return {
      hosts: n(`SELECT count(*) FROM hosts`),
      events: n(`SELECT count(*) FROM events`),
      imported: n(`SELECT count(*) FROM bundles WHERE status = 'imported'`),
      refused: n(`SELECT count(*) FROM bundles WHERE status = 'refused'`),
      problems: n(`SELECT count(*) FROM problems`),
    };
  } finally {
    db.close();
  }
}

export function readManifest(bundle: string): Record<string, any> {
  return JSON.parse(fs.readFileSync(path.join(bundle, 'manifest.json'), 'utf8'));
}
