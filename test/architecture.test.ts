import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { REPO } from './helpers.js';

/** Every relative import of every source file, resolved to a repository path. */
function imports(dir: string): { file: string; target: string }[] {
  const out: { file: string; target: string }[] = [];
  for (const entry of fs.readdirSync(path.join(REPO, dir), { recursive: true }) as string[]) {
    if (!entry.endsWith('.ts')) continue;
    const file = path.join(dir, entry);
    const text = fs.readFileSync(path.join(REPO, file), 'utf8');
    for (const match of text.matchAll(/(?:import|export)[^'"]*?from\s+'(\.{1,2}\/[^']+)'|import\('(\.{1,2}\/[^']+)'\)/g)) {
      out.push({ file, target: path.normalize(path.join(path.dirname(file), match[1] ?? match[2]!)) });
    }
  }
  return out;
}

const violating = (dir: string, forbidden: RegExp) => imports(dir).filter((i) => forbidden.test(i.target)).map((i) => `${i.file} → ${i.target}`);

test('probes, trace readers and findings only look at the machine', () => {
  expect(violating('agent/probes', /^(policies|agent\/(ledger|service|export|cli|scan))\//)).toEqual([]);
  expect(violating('agent/traces', /^(policies|agent\/(ledger|service|export|cli|scan))\//)).toEqual([]);
  expect(violating('agent/findings', /^(policies|agent\/(probes|ledger|service|export|cli|scan))\//)).toEqual([]);
  expect(violating('agent/logs', /^(policies|agent\/(ledger|service|export|cli|scan))\//)).toEqual([]);
});

test('file integrity reads the watched folders and its own store: no policy, ledger, service or CLI', () => {
  // The caller (the deep scan) passes the policy's folders, hours and holidays, and the digests the log holds.
  expect(violating('agent/file-integrity', /^(policies|agent\/(probes|ledger|service|export|cli|scan))\//)).toEqual([]);
});

test('policies use the finding vocabulary, not the probes’ I/O, the service, the export or the CLI', () => {
  expect(violating('policies', /^agent\/(service|export|cli|probes\/(?!network\/proc-net))/)).toEqual([]);
});

test('the agent never carries the inspector’s tool', () => {
  expect(violating('agent', /^collector\//)).toEqual([]);
  expect(violating('policies', /^collector\//)).toEqual([]);
});

test('the import scanner sees the imports (a scanner that finds none would pass everything)', () => {
  const agent = imports('agent');
  expect(agent.length).toBeGreaterThan(100);
  expect(agent).toContainEqual({ file: 'agent/cli/scan.ts', target: 'agent/scan/scan.js' });
  expect(imports('agent/traces')).toContainEqual({ file: 'agent/traces/network/read-files.ts', target: 'agent/traces/network/nm-profiles.js' });
});
