import crypto from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { canonicalJson, CanonicalJsonError, MAX_DEPTH } from '../../agent/ledger/canonical.js';
import { chainHash, eventBody, GENESIS_HASH } from '../../agent/ledger/chain.js';

describe('canonical JSON', () => {
  test('sorts keys recursively, keeps array order, writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, 1, { z: null, y: true }], c: 'x' } })).toBe('{"a":{"c":"x","d":[3,1,{"y":true,"z":null}]},"b":1}');
  });

  test('keys sort by UTF-16 code units, as Array.prototype.sort does', () => {
    expect(canonicalJson({ é: 1, z: 2, Z: 3, '\u{1F600}': 4, '\uFF01': 5 })).toBe('{"Z":3,"z":2,"é":1,"\u{1F600}":4,"！":5}');
  });

  test('strings are escaped exactly as JSON.stringify escapes them', () => {
    const nasty = 'a"b\\c\b\f\n\r\t\u0000\u001f\u007f\u2028\u202e中文\ud800\udfff\udfff\ud800';
    expect(canonicalJson({ s: nasty })).toBe(`{"s":${JSON.stringify(nasty)}}`);
    expect(canonicalJson('\u0001')).toBe('"\\u0001"');
    expect(canonicalJson('\ud800')).toBe('"\\ud800"');
  });

  test('numbers: shortest round-trip form; -0 is 0; NaN and Infinity are refused', () => {
    expect(canonicalJson([0.1, 1e21, -0, 5, 1.5e-7])).toBe('[0.1,1e+21,0,5,1.5e-7]');
    expect(() => canonicalJson({ x: Number.NaN })).toThrow(CanonicalJsonError);
    expect(() => canonicalJson({ x: { y: Infinity } })).toThrow(/x\.y: Infinity is not a finite number/);
  });

  test('undefined members are left out; what has no JSON form is refused', () => {
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
    expect(() => canonicalJson([1, undefined])).toThrow(/\[1\]: undefined in an array/);
    expect(() => canonicalJson({ when: new Date(0) })).toThrow(/when: a Date object/);
    expect(() => canonicalJson({ big: 1n })).toThrow(/bigint/);
    expect(() => canonicalJson({ f: () => 1 })).toThrow(/function/);
    expect(canonicalJson(Object.assign(Object.create(null), { k: 'v' }))).toBe('{"k":"v"}');
  });

  test(`nesting up to ${MAX_DEPTH} levels is encoded, deeper is refused`, () => {
    const nest = (depth: number): unknown => (depth === 0 ? 'leaf' : { d: nest(depth - 1) });
    expect(canonicalJson(nest(MAX_DEPTH))).toMatch(/^(\{"d":){256}"leaf"\}{256}$/);
    expect(() => canonicalJson(nest(MAX_DEPTH + 1))).toThrow(/nested deeper than 256/);
  });
});

describe('hash chain', () => {
  test('a known answer: body bytes and SHA-256(prev ‖ body), as an inspector would recompute them', () => {
    const envelope = {
      seq: 1,
      type: 'clock.skew' as const,
      time: '2025-04-30T01:02:03.456Z',
      bootId: null,
      monotonicMs: 42,
      payload: { time: '2025-04-30T01:02:03.456Z', previousTime: '2025-04-30T02:00:00.000Z' },
    };
    const body = eventBody(envelope);
    expect(body).toBe(
      '{"bootId":null,"monotonicMs":42,"payload":{"previousTime":"2025-04-30T02:00:00.000Z","time":"2025-04-30T01:02:03.456Z"},"seq":1,"time":"2025-04-30T01:02:03.456Z","type":"clock.skew"}',
    );
    // (head -c 32 /dev/zero; printf '%s' "$body") | sha256sum
    expect(chainHash(GENESIS_HASH, body).toString('hex')).toBe('d3606274ba4128be10cd6637f0f463f53642795f4b3f5f20eae0f79b1a57cece');
    const independent = crypto.createHash('sha256').update(Buffer.concat([Buffer.alloc(32), Buffer.from(body, 'utf8')])).digest('hex');
    expect(independent).toBe('d3606274ba4128be10cd6637f0f463f53642795f4b3f5f20eae0f79b1a57cece');
  });
});
