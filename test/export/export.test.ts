import { spawnSync } from 'node:child_process';
import { createHash, verify } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { publicKeyFromRaw } from '../../agent/crypto/ed25519.js';
import { BundleManifest, manifestSigningMessage } from '../../agent/export/bundle.js';
import { chainHash } from '../../agent/ledger/chain.js';
import { copyFixture, installSignedPolicy, runCli, tempDir, vmStickEntry } from '../helpers.js';

const isRoot = process.getuid?.() === 0;
const mounts: string[] = [];
afterEach(() => {
  for (const dir of mounts.splice(0)) spawnSync('umount', ['-l', dir]);
});

/** The major:minor of the file system a directory is on. */
function deviceOf(dir: string): string {
  const dev = BigInt(fs.statSync(dir).dev);
  return `${(dev >> 8n) & 0xfffn}:${dev & 0xffn}`;
}

/**
 * A computer (the captured VM tree with its Kingston stick) whose stick is "mounted" at `stick`:
 * the tree's /sys/dev/block entry for the file system of `stick` leads to the stick's disk.
 */
function computerWithStick(stick: string, prepare: (root: string) => void = () => {}) {
  const root = copyFixture('vm-stick');
  prepare(root);
  fs.mkdirSync(path.join(root, 'sys/dev/block'), { recursive: true });
  fs.symlinkSync('../../block/sda', path.join(root, 'sys/dev/block', deviceOf(stick)));
  const stateDir = tempDir();
  runCli(['scan', '--root', root, '--state-dir', stateDir, '--trust-dir', path.join(stateDir, 'none')]);
  return { root, stateDir };
}

function exportTo(root: string, stateDir: string, trustDir: string, to: string) {
  return runCli(['export', '--to', to, '--root', root, '--state-dir', stateDir, '--trust-dir', trustDir]);
}

function lastEvent(stateDir: string) {
  const lines = runCli(['log', '--json', '--state-dir', stateDir]).stdout.trim().split('\n');
  return JSON.parse(lines.at(-1)!);
}

function mountTmpfs(options: string): string {
  const dir = tempDir('baomi-stick-');
  const result = spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir]);
  if (result.status !== 0) throw new Error(`mount failed: ${result.stderr}`);
  mounts.push(dir);
  return dir;
}

describe('baomi-agent export', () => {
  test('writes a whole, signed, verifiable bundle onto the registered inspection stick', () => {
    const stick = tempDir('baomi-stick-');
    const { root, stateDir } = computerWithStick(stick);
    const { trustDir } = installSignedPolicy(stateDir, (p) => {
      p.registry = { media: [vmStickEntry()], hosts: [{ hostname: 'baomi-vm', class: '机密', department: '办公室', owner: '张三' }] };
    });
    const result = exportTo(root, stateDir, trustDir, stick);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);

    const hostDirs = fs.readdirSync(path.join(stick, 'BAOMI'));
    expect(hostDirs).toHaveLength(1);
    const bundles = fs.readdirSync(path.join(stick, 'BAOMI', hostDirs[0]!));
    expect(bundles).toEqual([expect.stringMatching(/^\d{8}T\d{6}Z$/)]);
    const dir = path.join(stick, 'BAOMI', hostDirs[0]!, bundles[0]!);
    expect(fs.readdirSync(dir).sort()).toEqual(['events.ndjson', 'manifest.json', 'manifest.sig', 'report.csv', 'report.html']);

    const manifestBytes = fs.readFileSync(path.join(dir, 'manifest.json'));
    const manifest = BundleManifest.parse(JSON.parse(manifestBytes.toString('utf8')));
    expect(manifest.host).toMatchObject({ hostname: 'baomi-vm', class: '机密', department: '办公室', owner: '张三' });
    expect(manifest.medium).toEqual({ registryId: 'BM-2026-0100', vendorId: '0951', productId: '1666', serial: 'S123' });
    const publicKey = publicKeyFromRaw(Buffer.from(manifest.agent.publicKey, 'base64'));
    const signature = Buffer.from(fs.readFileSync(path.join(dir, 'manifest.sig'), 'utf8').trim(), 'base64');
    expect(verify(null, manifestSigningMessage(manifestBytes), publicKey, signature)).toBe(true);
    for (const [file, sha] of Object.entries(manifest.files)) {
      expect(createHash('sha256').update(fs.readFileSync(path.join(dir, file))).digest('hex')).toBe(sha);
    }
    // Every line is a stored body: the chain recomputes from prevHash to the signed head.
    const lines = fs.readFileSync(path.join(dir, 'events.ndjson'), 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(manifest.ledger.lastSeq - manifest.ledger.firstSeq + 1);
    let hash: Buffer = Buffer.from(manifest.ledger.prevHash, 'hex');
    for (const line of lines) hash = chainHash(hash, line);
    expect(hash.toString('hex')).toBe(manifest.ledger.headHash);
    expect(manifest.ledger.checkpoint.hash).toBe(manifest.ledger.headHash);

    const html = fs.readFileSync(path.join(dir, 'report.html'), 'utf8');
    expect(html).toContain('涉密计算机保密检查报告');
    expect(html).not.toMatch(/<script|<link|src="http|href="http/i);
    expect(fs.readFileSync(path.join(dir, 'report.csv')).subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(lastEvent(stateDir)).toMatchObject({
      type: 'export.performed',
      payload: { firstSeq: 1, lastSeq: manifest.ledger.lastSeq, headHash: manifest.ledger.headHash, medium: { registryId: 'BM-2026-0100', serial: 'S123' } },
    });
    expect(runCli(['verify', '--state-dir', stateDir]).status).toBe(0);
  });

  test.each([
    ['an unregistered stick', () => [], /not registered/],
    ['a stick registered for storage, not inspection', () => [vmStickEntry({ role: 'storage', boundHost: 'baomi-vm' })], /not registered as an inspection medium/],
    ['a lost inspection stick', () => [vmStickEntry({ status: 'lost' })], /is lost/],
  ])('refuses %s, and records the refusal', (_name, media, reason) => {
    const stick = tempDir('baomi-stick-');
    const { root, stateDir } = computerWithStick(stick);
    const { trustDir } = installSignedPolicy(stateDir, (p) => {
      p.registry = { media: media() as never };
    });
    const result = exportTo(root, stateDir, trustDir, stick);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(reason);
    expect(fs.readdirSync(stick)).toEqual([]);
    expect(lastEvent(stateDir)).toMatchObject({ type: 'export.failed', payload: { destination: stick, medium: { vendorId: '0951', serial: 'S123' } } });
  });

  test('a directory that is not on removable media is refused', () => {
    const { root, stateDir } = computerWithStick(tempDir('baomi-stick-'));
    const { trustDir } = installSignedPolicy(stateDir, (p) => {
      p.registry = { media: [vmStickEntry()] };
    });
    const elsewhere = '/proc';
    const result = exportTo(root, stateDir, trustDir, elsewhere);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/not on a block device|not on removable media/);
  });

  test('never follows a symlink planted on the stick', () => {
    const stick = tempDir('baomi-stick-');
    const { root, stateDir } = computerWithStick(stick);
    const { trustDir } = installSignedPolicy(stateDir, (p) => {
      p.registry = { media: [vmStickEntry()] };
    });
    const victim = tempDir('baomi-victim-');
    fs.symlinkSync(victim, path.join(stick, 'BAOMI'));
    const result = exportTo(root, stateDir, trustDir, stick);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/symbolic link/);
    expect(fs.readdirSync(victim)).toEqual([]);
    expect(lastEvent(stateDir).type).toBe('export.failed');
  });

  test.runIf(isRoot)('a full stick fails cleanly: a clear message, no bundle, nothing half-claimed', () => {
    const stick = mountTmpfs('size=4k'); // one page: the events fit, the report does not
    const { root, stateDir } = computerWithStick(stick);
    const { trustDir } = installSignedPolicy(stateDir, (p) => {
      p.registry = { media: [vmStickEntry()] };
    });
    const result = exportTo(root, stateDir, trustDir, stick);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('the medium is full');
    const hostDir = path.join(stick, 'BAOMI', fs.readdirSync(path.join(stick, 'BAOMI'))[0]!);
    expect(fs.readdirSync(hostDir)).toEqual([]);
    expect(lastEvent(stateDir)).toMatchObject({ type: 'export.failed', payload: { reason: 'the medium is full' } });
  });

  test.runIf(isRoot)('a read-only stick fails cleanly', () => {
    const stick = mountTmpfs('size=1m,ro');
    const { root, stateDir } = computerWithStick(stick);
    const { trustDir } = installSignedPolicy(stateDir, (p) => {
      p.registry = { media: [vmStickEntry()] };
    });
    const result = exportTo(root, stateDir, trustDir, stick);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('read-only');
    expect(lastEvent(stateDir)).toMatchObject({ type: 'export.failed', payload: { reason: 'the medium is read-only (write-protected)' } });
  });

  test('hostile device strings are escaped in report.html and neutralised in report.csv', () => {
    const stick = tempDir('baomi-stick-');
    // The stick says its name is an attack; the first scan (before it is registered) records it.
    const { root, stateDir } = computerWithStick(stick, (tree) => {
      let usbDevice = fs.realpathSync(path.join(tree, 'sys/block/sda/device'));
      while (!fs.existsSync(path.join(usbDevice, 'idVendor'))) usbDevice = path.dirname(usbDevice);
      fs.writeFileSync(path.join(usbDevice, 'product'), '<script>alert(1)</script><img src=x onerror=alert(2)>\n');
      fs.writeFileSync(path.join(usbDevice, 'manufacturer'), '=HYPERLINK("http://evil","click")\n');
    });
    const { trustDir } = installSignedPolicy(stateDir, (p) => {
      p.registry = { media: [vmStickEntry()] };
    });
    expect(exportTo(root, stateDir, trustDir, stick).status).toBe(0);
    const report = fs.readdirSync(path.join(stick, 'BAOMI'), { recursive: true, withFileTypes: true }).find((d) => d.name === 'report.html')!;
    const html = fs.readFileSync(path.join(report.parentPath, 'report.html'), 'utf8');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;');
    expect(html).not.toMatch(/<script|<img/i);
    const csv = fs.readFileSync(path.join(report.parentPath, 'report.csv'), 'utf8');
    expect(csv).toContain('=HYPERLINK'); // kept as evidence …
    expect(csv).not.toMatch(/(^|,)"?[=+\-@]/m); // … but no cell starts like a formula
  });
});
