import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadPolicyFile, PolicyError } from '../../policies/load.js';

const CORPUS = path.join(path.dirname(new URL(import.meta.url).pathname), 'corpus');
const expectedFields: Record<string, string> = JSON.parse(fs.readFileSync(path.join(CORPUS, 'bad', 'expected-fields.json'), 'utf8'));

describe('policy corpus', () => {
  test.each(fs.readdirSync(path.join(CORPUS, 'good')))('good/%s is accepted', (name) => {
    const loaded = loadPolicyFile(path.join(CORPUS, 'good', name));
    expect(loaded.policy.rules.length).toBeGreaterThan(0);
    expect(loaded.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  test.each(Object.entries(expectedFields))('bad/%s is refused naming field "%s"', (name, field) => {
    const file = path.join(CORPUS, 'bad', name);
    let error: unknown;
    try {
      loadPolicyFile(file);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PolicyError);
    const policyError = error as PolicyError;
    expect(policyError.field).toBe(field);
    expect(policyError.reason.length).toBeGreaterThan(5);
    expect(policyError.message.startsWith(`${file}: ${field ? `${field}: ` : ''}`)).toBe(true);
  });

  test('every bad file has an expected field', () => {
    const files = fs.readdirSync(path.join(CORPUS, 'bad')).filter((f) => f !== 'expected-fields.json');
    expect(files.sort()).toEqual(Object.keys(expectedFields).sort());
  });

  test('defaults are filled in: an omitted registry, detection and timezone', () => {
    const { policy } = loadPolicyFile(path.join(CORPUS, 'good', 'minimal.json'));
    expect(policy.registry).toEqual({ media: [], printers: [], networkInterfaces: [], hosts: [], disks: [] });
    expect(policy.detection).toEqual({ virtualInterfaces: false, onboardAudio: true });
    expect(policy.timezone).toBe('Asia/Shanghai');
    expect(policy.rules[0]!.enabled).toBe(true);
  });
});
