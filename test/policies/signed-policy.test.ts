import fs from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, test } from 'vitest';
import { generateOfficerKey, openOfficerKey } from '../../policies/officer-key.js';
import { signPolicy } from '../../policies/signed-policy.js';
import { trustOfficerKey } from '../../policies/trust-store.js';
import { REPO, runCli, tempDir } from '../helpers.js';

const PASSPHRASE = '正确 horse battery staple';
const builtinText = fs.readFileSync(path.join(REPO, 'policies', 'cn-office-standalone.policy.json'), 'utf8');

interface Office {
  dir: string;
  stateDir: string;
  trustDir: string;
  keyFile: string;
  passFile: string;
}

/** An officer with a trusted key, and a computer with a state directory. */
function office(): Office {
  const dir = tempDir();
  const pair = generateOfficerKey(PASSPHRASE);
  const keyFile = path.join(dir, 'officer.key');
  fs.writeFileSync(keyFile, pair.privateKeyFile);
  fs.writeFileSync(path.join(dir, 'officer.pub'), pair.publicKeyPem);
  const trustDir = path.join(dir, 'trust');
  trustOfficerKey(path.join(dir, 'officer.pub'), trustDir);
  const passFile = path.join(dir, 'pass');
  fs.writeFileSync(passFile, PASSPHRASE + '\n');
  return { dir, stateDir: path.join(dir, 'state'), trustDir, keyFile, passFile };
}

function draft(o: Office, name: string, change: (p: Record<string, any>) => void): string {
  const json = JSON.parse(builtinText);
  change(json);
  const file = path.join(o.dir, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify(json, null, 2));
  return file;
}

function signWithCli(o: Office, file: string): string {
  const result = runCli(['policy', 'sign', file, '--key', o.keyFile, '--passphrase-file', o.passFile]);
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return file.replace(/\.json$/, '.signed.json');
}

const places = (o: Office) => ['--state-dir', o.stateDir, '--trust-dir', o.trustDir];

function inForce(o: Office): { id: string; version: number; signer: string } {
  const shown = JSON.parse(runCli(['policy', 'show', '--json', ...places(o)]).stdout);
  return { id: shown.policy.id, version: shown.policy.version, signer: shown.signer };
}

function logEvents(o: Office): { type: string; payload: Record<string, unknown> }[] {
  return runCli(['log', '--json', '--state-dir', o.stateDir]).stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

describe('officer keys', () => {
  test('the private key opens only with its passphrase', () => {
    const pair = generateOfficerKey(PASSPHRASE);
    expect(openOfficerKey(pair.privateKeyFile, PASSPHRASE).asymmetricKeyType).toBe('ed25519');
    expect(() => openOfficerKey(pair.privateKeyFile, 'wrong passphrase')).toThrow(/wrong passphrase/);
    expect(pair.privateKeyFile).not.toContain('PRIVATE KEY');
  });
});

describe('applying signed policies', () => {
  let o: Office;
  beforeEach(() => {
    o = office();
  });

  test('a signed newer policy is applied and recorded; the built-in one applied before', () => {
    expect(inForce(o)).toMatchObject({ id: 'cn-office-standalone', version: 1, signer: 'builtin' });
    const signed = signWithCli(o, draft(o, 'v2', (p) => (p.version = 2)));
    const result = runCli(['policy', 'apply', signed, ...places(o)]);
    expect(result.status).toBe(0);
    expect(inForce(o)).toMatchObject({ version: 2, signer: expect.stringMatching(/^sha256:[0-9a-f]{4}( [0-9a-f]{4}){15}$/) });
    expect(logEvents(o).map((e) => e.type)).toEqual(['policy.applied']);
    expect(logEvents(o)[0]!.payload).toMatchObject({ id: 'cn-office-standalone', version: 2, sha256: expect.any(String) });
  });

  test.each([
    ['unsigned', 'signature', /unsigned policy/],
    ['signed by an untrusted key', 'signer', /untrusted key/],
    ['tampered after signing (one byte)', 'signature', /changed after signing/],
    ['an older version', 'version', /rollback refused/],
    ['schema-invalid', 'rules[0].severity', /Invalid option/],
    ['not a policy at all', '', /not a signed policy/],
  ])('%s: refused with its own message, recorded, and the previous policy stays', (kind, field, message) => {
    const good = signWithCli(o, draft(o, 'v3', (p) => (p.version = 3)));
    expect(runCli(['policy', 'apply', good, ...places(o)]).status).toBe(0);
    let file: string;
    if (kind === 'unsigned') {
      file = draft(o, 'v4', (p) => (p.version = 4));
    } else if (kind === 'signed by an untrusted key') {
      const stranger = generateOfficerKey(PASSPHRASE);
      file = path.join(o.dir, 'stranger.signed.json');
      fs.writeFileSync(file, signPolicy(fs.readFileSync(draft(o, 'v4', (p) => (p.version = 4))), openOfficerKey(stranger.privateKeyFile, PASSPHRASE)));
    } else if (kind === 'tampered after signing (one byte)') {
      const signed = signWithCli(o, draft(o, 'v4', (p) => (p.version = 4)));
      const envelope = JSON.parse(fs.readFileSync(signed, 'utf8'));
      const bytes = Buffer.from(envelope.policy, 'base64');
      bytes[bytes.indexOf('"critical"') + 1] = 'C'.charCodeAt(0); // one byte: "critical" → "Critical"
      envelope.policy = bytes.toString('base64');
      file = path.join(o.dir, 'tampered.signed.json');
      fs.writeFileSync(file, JSON.stringify(envelope));
    } else if (kind === 'an older version') {
      file = signWithCli(o, draft(o, 'v2', (p) => (p.version = 2)));
    } else if (kind === 'schema-invalid') {
      // Signed by the trusted officer with a library call, since `policy sign` refuses invalid drafts.
      const bad = draft(o, 'bad', (p) => {
        p.version = 9;
        p.rules[0].severity = 'severe';
      });
      file = path.join(o.dir, 'bad.signed.json');
      fs.writeFileSync(file, signPolicy(fs.readFileSync(bad), openOfficerKey(fs.readFileSync(o.keyFile, 'utf8'), PASSPHRASE)));
    } else {
      file = path.join(o.dir, 'garbage.signed.json');
      fs.writeFileSync(file, '\u0000\u0001 not json');
    }
    const result = runCli(['policy', 'apply', file, ...places(o)]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain('still in force: cn-office-standalone 第 3 版 / version 3');
    expect(inForce(o)).toMatchObject({ version: 3 });
    const refused = logEvents(o).at(-1)!;
    expect(refused).toMatchObject({ type: 'policy.refused', payload: { source: file, field } });
  });

  test('policy sign refuses a draft that would be refused anyway, naming the field', () => {
    const bad = draft(o, 'bad', (p) => (p.rules[1].citations = []));
    const result = runCli(['policy', 'sign', bad, '--key', o.keyFile, '--passphrase-file', o.passFile]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(`${bad}: rules[1].citations:`);
  });

  test('an installed policy edited on disk no longer applies: the built-in policy does, and show says why', () => {
    runCli(['policy', 'apply', signWithCli(o, draft(o, 'v2', (p) => (p.version = 2))), ...places(o)]);
    const installed = path.join(o.stateDir, 'policy.signed.json');
    const envelope = JSON.parse(fs.readFileSync(installed, 'utf8'));
    const policy = JSON.parse(Buffer.from(envelope.policy, 'base64').toString('utf8'));
    policy.registry.media.push({ note: 'a user trying to register their own stick' });
    envelope.policy = Buffer.from(JSON.stringify(policy)).toString('base64');
    fs.writeFileSync(installed, JSON.stringify(envelope));
    expect(inForce(o)).toMatchObject({ version: 1, signer: 'builtin' });
    expect(runCli(['policy', 'show', ...places(o)]).stderr).toMatch(/does not verify/);
  });

  test('removing the installed policy does not reopen the way back to an older version', () => {
    runCli(['policy', 'apply', signWithCli(o, draft(o, 'v5', (p) => (p.version = 5))), ...places(o)]);
    fs.rmSync(path.join(o.stateDir, 'policy.signed.json'));
    const result = runCli(['policy', 'apply', signWithCli(o, draft(o, 'v4', (p) => (p.version = 4))), ...places(o)]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/version 4 is not newer than version 5 already applied/);
  });
});
