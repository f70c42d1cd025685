import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { builtinPolicy, REPO } from './helpers.js';

test('the README rules table lists exactly the rules of the shipped policy, with their articles', () => {
  const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
  const rows = [...readme.matchAll(/^\| `([A-Z-]+)` \| [^|]+ \| [^|]+ \| ([^|]+) \|$/gm)].map((m) => [m[1], m[2]!.trim()]);
  expect(rows).toEqual(builtinPolicy().policy.rules.map((r) => [r.id, r.citations.map((c) => c.ref).join('; ')]));
});

test('the README gives the two commands a fresh machine needs', () => {
  const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
  expect(readme).toContain('npm install && npm start');
  expect(readme).toMatch(/^npm test\b/m);
});
