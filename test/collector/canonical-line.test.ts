import { expect, test } from 'vitest';
import { canonicalJson } from '../../agent/ledger/canonical.js';
import { isCanonicalLine } from '../../collector/canonical-line.js';

/** The collector's fast check must agree with the agent's definition on every line. */
function reference(line: string): boolean {
  try {
    return canonicalJson(JSON.parse(line)) === line;
  } catch {
    return false;
  }
}

const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);

test.each([
  '{"a":1,"b":2}',
  '{"b":2,"a":1}',
  '{"a":1, "b":2}',
  ' {"a":1}',
  '{"10":1,"9":2}',
  '{"9":2,"10":1}',
  '{"a":1,"a":2}',
  '{"a":{"d":1,"c":2}}',
  '[{"b":1,"a":2}]',
  '{"x":-0}',
  '{"x":0}',
  '{"x":1e999}',
  '{"x":1E5}',
  '{"x":100000}',
  '{"x":1.50}',
  '{"x":"\\u00e9"}',
  '{"x":"é"}',
  '{"x":"\\u001f"}',
  '{"x":"\\udc00"}',
  '{"x":"\\/"}',
  '{"é":1,"z":2}',
  '{"z":1,"é":2}',
  '{"__proto__":1}',
  '{"":1,"a":[true,false,null]}',
  deep(256),
  deep(257),
  '"text"',
  '12',
])('%s', (line) => {
  expect(isCanonicalLine(line, JSON.parse(line))).toBe(reference(line));
});

test('real event bodies are canonical', () => {
  const body = canonicalJson({ seq: 3, type: 'violation.opened', time: '2026-11-28T06:50:00.123Z', bootId: null, monotonicMs: 12, payload: { device: '<script>\u202e', n: [1, { b: 2, a: 1 }] } });
  expect(isCanonicalLine(body, JSON.parse(body))).toBe(true);
});
