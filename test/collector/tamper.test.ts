import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { rawPublicKey } from '../../agent/crypto/ed25519.js';
import { manifestSigningMessage } from '../../agent/export/bundle.js';
import { checkpointMessage } from '../../agent/ledger/checkpoint.js';
import { formatFingerprint } from '../../agent/state/agent-key.js';
import { runCli, tempDir } from '../helpers.js';
import { archiveCounts, computer, exportBundle, hostIdOf, readManifest, runCollector, scan, stickWith, type Computer } from './collector-helpers.js';

/**
 * The tamper campaign: real bundles from the real agent, changed the ways someone hiding a
 * violation would change them. Each change is detected and named, the bundle is refused whole
 * (nothing of it in the archive), and the problem is kept with its evidence.
 */

let stick: string;
let pc: Computer;
/** Exported after the office's policy was applied (a violation open), and after a scan resolved it. */
let a1: string;
let a2: string;
/** From a copy of the computer's state taken after a1, restored later: exported after a2 (rollback), then after a new scan (fork). */
let rolledBack: string;
let forked: string;
/** `export --since` leaving out seqs after a1. */
let skipping: string;
/** Another computer (another hostname and machine id). */
let other: string;
/** The same tree (same host id) with another agent key: another machine claiming this host's id. */
let impostor: string;

beforeAll(() => {
  stick = tempDir('baomi-stick-');
  pc = computer(stick);
  a1 = exportBundle(pc, stick);
  const snapshot = tempDir('baomi-state-');
  fs.cpSync(pc.stateDir, snapshot, { recursive: true });
  expect(scan(pc).status).toBe(0);
  a2 = exportBundle(pc, stick);
  skipping = exportBundle(pc, tempDir('baomi-stick-'), readManifest(a1).ledger.lastSeq + 3);
  const restored: Computer = { ...pc, stateDir: snapshot };
  rolledBack = exportBundle(restored, tempDir('baomi-stick-'));
  expect(scan(restored).status).toBe(0);
  expect(scan(restored).status).toBe(0);
  forked = exportBundle(restored, tempDir('baomi-stick-'));
  const otherStick = tempDir('baomi-stick-');
  other = exportBundle(computer(otherStick, { hostname: 'pc-017', machineId: 'aaaabbbbccccddddeeeeffff00001111' }), otherStick);
  const cloneStick = tempDir('baomi-stick-');
  impostor = exportBundle(computer(cloneStick), cloneStick);
}, 600_000);

function newArchive(): string {
  return path.join(tempDir('baomi-archive-'), 'archive.db');
}

function importInto(archive: string, ...paths: string[]) {
  return runCollector(['import', ...paths, '--archive', archive]);
}

function editFile(bundle: string, name: string, change: (text: string) => string): void {
  const file = path.join(bundle, name);
  fs.writeFileSync(file, change(fs.readFileSync(file, 'utf8')));
}

/** Replace the agent key of a bundle: checkpoint and manifest re-signed, fingerprint consistent. */
function resign(bundle: string, privateKey: KeyObject): string {
  const m = readManifest(bundle);
  const raw = rawPublicKey(privateKey);
  m.agent.publicKey = raw.toString('base64');
  m.agent.fingerprint = formatFingerprint(raw);
  const cp = m.ledger.checkpoint;
  cp.signature = sign(null, checkpointMessage(cp.seq, Buffer.from(cp.hash, 'hex'), cp.machineId), privateKey).toString('base64');
  const bytes = Buffer.from(JSON.stringify(m, null, 2) + '\n');
  fs.writeFileSync(path.join(bundle, 'manifest.json'), bytes);
  fs.writeFileSync(path.join(bundle, 'manifest.sig'), sign(null, manifestSigningMessage(bytes), privateKey).toString('base64') + '\n');
  return m.agent.fingerprint;
}

/** The bundle of this stick at BAOMI/<host>/<name>. */
function onStick(stickDir: string, bundle: string): string {
  return path.join(stickDir, 'BAOMI', hostIdOf(bundle), path.basename(bundle));
}

describe('a changed bundle is refused whole, and the change is named', () => {
  test.each([
    ['an edited event line (still canonical JSON)', a1Of, 'events.ndjson', (t: string) => t.replace('Kingston', 'Kingst0n'), ['chain', 'file-hash']],
    ['an event line rewritten with spaces', a1Of, 'events.ndjson', (t: string) => t.replace('{"bootId"', '{ "bootId"'), ['not-canonical', 'chain', 'file-hash']],
    ['a removed event line', a2Of, 'events.ndjson', (t: string) => t.split('\n').filter((_, i) => i !== 1).join('\n'), ['seq-break', 'chain', 'file-hash']],
    ['an edited manifest', a1Of, 'manifest.json', (t: string) => t.replace('"department": "办公室"', '"department": "无"'), ['bad-signature']],
    ['a changed report.html', a1Of, 'report.html', (t: string) => t.replace('MEDIA-UNREGISTERED', 'NOTHING'), ['file-hash']],
  ])('%s', (_name, which, file, change, kinds) => {
    const copy = stickWith({ dir: which() });
    const bundle = onStick(copy, which());
    editFile(bundle, file, change);
    const archive = newArchive();
    const result = importInto(archive, copy);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('REFUSED, nothing imported');
    for (const kind of kinds) expect(result.stdout).toContain(`[${kind}]`);
    expect(archiveCounts(archive)).toMatchObject({ hosts: 0, events: 0, imported: 0, refused: 1, problems: kinds.length });
    // verify alone says the same, one failed check at a time
    const verify = runCollector(['verify', bundle]);
    expect(verify.status).toBe(1);
    for (const kind of kinds) expect(verify.stdout).toContain(`[${kind}]`);
  });
});

test('the same campaign in one import: several bundles are verified ahead by worker threads, with the same verdicts', () => {
  const changes: [() => string, string, (t: string) => string, string][] = [
    [a1Of, 'events.ndjson', (t) => t.replace('Kingston', 'Kingst0n'), 'chain'],
    [a1Of, 'events.ndjson', (t) => t.replace('{"bootId"', '{ "bootId"'), 'not-canonical'],
    [a2Of, 'events.ndjson', (t) => t.split('\n').filter((_, i) => i !== 1).join('\n'), 'seq-break'],
    [a1Of, 'manifest.json', (t) => t.replace('"department": "办公室"', '"department": "无"'), 'bad-signature'],
    [a1Of, 'report.html', (t) => t.replace('MEDIA-UNREGISTERED', 'NOTHING'), 'file-hash'],
  ];
  const sticks = changes.map(([which, file, change]) => {
    const copy = stickWith({ dir: which() });
    editFile(onStick(copy, which()), file, change);
    return copy;
  });
  const archive = newArchive();
  const result = importInto(archive, ...sticks);
  expect(result.status).toBe(1);
  expect(result.stdout.match(/REFUSED, nothing imported/g)).toHaveLength(changes.length);
  for (const [, , , kind] of changes) expect(result.stdout).toContain(`[${kind}]`);
  expect(archiveCounts(archive)).toMatchObject({ hosts: 0, events: 0, imported: 0, refused: changes.length });
});

function a1Of() {
  return a1;
}
function a2Of() {
  return a2;
}

describe('continuity with the archive', () => {
  test('a bundle re-signed by another agent key verifies alone, but is refused: not the enrolled key', () => {
    const copy = stickWith({ dir: a1 }, { dir: a2 });
    const { privateKey } = generateKeyPairSync('ed25519');
    const foreign = resign(onStick(copy, a2), privateKey);
    expect(runCollector(['verify', onStick(copy, a2)]).status).toBe(0);
    const archive = newArchive();
    const result = importInto(archive, copy);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('[wrong-key]');
    expect(result.stdout).toContain(`signed by ${foreign}, but host ${hostIdOf(a1)} is enrolled with ${readManifest(a1).agent.fingerprint}`);
    expect(archiveCounts(archive)).toMatchObject({ hosts: 1, imported: 1, refused: 1, events: readManifest(a1).ledger.lastSeq });
  });

  test('a bundle from another machine under this host id (same name, another agent key) is refused and named', () => {
    expect(hostIdOf(impostor)).toBe(hostIdOf(a1));
    const archive = newArchive();
    expect(importInto(archive, stickWith({ dir: a1 })).status).toBe(0);
    const result = importInto(archive, stickWith({ dir: impostor }));
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('[wrong-key]');
    expect(result.stdout).toContain(`signed by ${readManifest(impostor).agent.fingerprint}`);
    expect(archiveCounts(archive)).toMatchObject({ hosts: 1, imported: 1, refused: 1 });
  });

  test("another host's bundle placed under this host's directory is refused and named", () => {
    const archive = newArchive();
    const copy = stickWith({ dir: a1 }, { dir: other, host: hostIdOf(a1), name: '20991231T000000Z' });
    const result = importInto(archive, copy);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('[other-host]');
    expect(result.stdout).toContain(`this bundle is host ${hostIdOf(other)}'s (pc-017), found under ${hostIdOf(a1)}'s directory`);
    expect(archiveCounts(archive)).toMatchObject({ hosts: 1, imported: 1, refused: 1 });
    const hosts = JSON.parse(runCollector(['hosts', '--json', '--archive', archive]).stdout).hosts;
    expect(hosts).toEqual([expect.objectContaining({ id: hostIdOf(a1), status: 'problems', problemKinds: ['other-host'] })]);
  });

  test('an older bundle replayed after a newer one is detected; presenting the newer one again is a harmless duplicate', () => {
    const archive = newArchive();
    expect(importInto(archive, stickWith({ dir: a2 })).status).toBe(0);
    const replay = importInto(archive, stickWith({ dir: a1 }));
    expect(replay.status).toBe(1);
    expect(replay.stdout).toContain('[replay]');
    expect(replay.stdout).toContain(`up to seq ${readManifest(a1).ledger.lastSeq}`);
    const again = importInto(archive, stickWith({ dir: a2 }));
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('duplicate (already archived, harmless)');
    expect(archiveCounts(archive)).toMatchObject({ imported: 1, refused: 1, events: readManifest(a2).ledger.lastSeq });
  });

  test('a log restored from an older copy: exported later with a lower head is a rollback; new events on it are a fork', () => {
    const archive = newArchive();
    expect(importInto(archive, stickWith({ dir: a2 })).status).toBe(0);
    const rollback = importInto(archive, stickWith({ dir: rolledBack }));
    expect(rollback.status).toBe(1);
    expect(rollback.stdout).toContain('[rollback]');
    expect(rollback.stdout).toContain(`head is seq ${readManifest(rolledBack).ledger.lastSeq}, lower than the archived ${readManifest(a2).ledger.lastSeq}`);
    const fork = importInto(archive, stickWith({ dir: forked }));
    expect(fork.status).toBe(1);
    expect(fork.stdout).toContain('[fork]');
    expect(fork.stdout).toContain(`the hash of seq ${readManifest(a1).ledger.lastSeq + 2} differs from the archived one`);
    expect(archiveCounts(archive)).toMatchObject({ imported: 1, refused: 2, events: readManifest(a2).ledger.lastSeq });
  });

  test('an export --since that skips seqs is a gap; so is a first import that does not start at seq 1', () => {
    const first = readManifest(skipping).ledger.firstSeq;
    expect(first).toBe(readManifest(a1).ledger.lastSeq + 3);
    const archive = newArchive();
    expect(importInto(archive, stickWith({ dir: a1 })).status).toBe(0);
    const gap = importInto(archive, stickWith({ dir: skipping }));
    expect(gap.status).toBe(1);
    expect(gap.stdout).toContain('[gap]');
    expect(gap.stdout).toContain(`seqs ${first - 2}–${first - 1} are missing`);

    const fresh = newArchive();
    const alone = importInto(fresh, stickWith({ dir: skipping }));
    expect(alone.status).toBe(1);
    expect(alone.stdout).toContain(`the first import starts at seq ${first}: seqs 1–${first - 1} were never seen`);
    // the gap is reported, the verified events are archived
    expect(archiveCounts(fresh)).toMatchObject({ hosts: 1, imported: 1, problems: 1 });
  });

  test('strict enrolment: --expect-fingerprint refuses another key, enrols the expected one', () => {
    const identity = JSON.parse(runCli(['identity', '--json', '--state-dir', pc.stateDir]).stdout).fingerprint as string;
    const archive = newArchive();
    const wrong = importInto(archive, stickWith({ dir: a1 }), '--expect-fingerprint', readManifest(other).agent.fingerprint);
    expect(wrong.status).toBe(1);
    expect(wrong.stdout).toContain('[not-expected-key]');
    expect(archiveCounts(archive)).toMatchObject({ hosts: 0, events: 0, refused: 1 });
    const right = importInto(archive, stickWith({ dir: a1 }), '--expect-fingerprint', identity.replace(/ /g, ''));
    expect(right.status).toBe(0);
    expect(archiveCounts(archive)).toMatchObject({ hosts: 1, imported: 1 });
  });
});

describe('on the stick', () => {
  test('a .partial- directory is reported as an interrupted export, not read as a bundle', () => {
    const copy = stickWith({ dir: a1 });
    const partial = path.join(copy, 'BAOMI', hostIdOf(a1), '.partial-20261128T070000Z-4242');
    fs.mkdirSync(partial);
    fs.copyFileSync(path.join(a2, 'events.ndjson'), path.join(partial, 'events.ndjson'));
    const archive = newArchive();
    const result = importInto(archive, copy);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('[interrupted-export]');
    expect(result.stdout).toContain(partial);
    expect(archiveCounts(archive)).toMatchObject({ imported: 1, refused: 0, events: readManifest(a1).ledger.lastSeq, problems: 1 });
  });

  test('a symbolic link on the stick is never followed, and reported', () => {
    const elsewhere = stickWith({ dir: a2 });
    const copy = stickWith({ dir: a1 });
    fs.symlinkSync(onStick(elsewhere, a2), path.join(copy, 'BAOMI', hostIdOf(a1), '20991231T000000Z'));
    const archive = newArchive();
    const result = importInto(archive, copy);
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('[symlink]');
    expect(archiveCounts(archive)).toMatchObject({ imported: 1, events: readManifest(a1).ledger.lastSeq });
  });
});
