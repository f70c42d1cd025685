import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { readEvents } from '../../agent/ledger/read.js';
import { openReadonly } from '../../agent/ledger/store.js';
import { ledgerFiles } from '../../agent/ledger/verify.js';
import { REPO, tempDir } from '../helpers.js';
import { verifyDir } from './ledger-helpers.js';

const CHILD = path.join(REPO, 'test', 'ledger', 'fixtures', 'crash-child.mjs');
const DIST = path.join(REPO, 'dist');
const ROUNDS = 25;

interface Round {
  ready: string | null;
  committed: number[];
}

/**
 * Start the child, kill it with SIGKILL after `delayMs` (counted from its start, or from its
 * "ready" line when afterReady), and return what it reported.
 */
function runAndKill(stateDir: string, delayMs: number, afterReady: boolean): Promise<Round> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, DIST, stateDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    const kill = () => child.kill('SIGKILL');
    if (!afterReady) timer = setTimeout(kill, delayMs);
    child.stdout.on('data', (data: Buffer) => {
      stdout += data.toString();
      if (afterReady && timer === undefined && stdout.includes('\n')) timer = setTimeout(kill, delayMs);
    });
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (signal !== 'SIGKILL') return reject(new Error(`child ended by itself (${code}): ${stderr}`));
      const lines = stdout.split('\n');
      lines.pop(); // a line cut by the kill is not a report
      const ready = lines[0]?.startsWith('ready') ? lines.shift()! : null;
      resolve({ ready, committed: lines.map(Number) });
    });
  });
}

describe('crash safety', () => {
  test(`killed with SIGKILL at random moments ${ROUNDS} times, the log verifies and keeps every committed event`, { timeout: 90_000 }, async () => {
    expect(fs.existsSync(path.join(DIST, 'agent', 'ledger', 'ledger.js')), 'run `npm test` (it builds dist/ first)').toBe(true);
    const stateDir = tempDir('baomi-crash-');
    let reported = 0;
    let killedWhileAppending = 0;
    for (let round = 0; round < ROUNDS; round++) {
      // Odd rounds: any moment from the start, so some kills land while the log is opened and verified.
      const afterReady = round % 2 === 0;
      const { ready, committed } = await runAndKill(stateDir, afterReady ? Math.random() * 60 : Math.random() * 400, afterReady);
      if (ready !== null) expect(ready).toMatch(/ verified$/); // never moved aside
      if (committed.length > 0) killedWhileAppending++;

      const result = await verifyDir(stateDir);
      expect(result.failure).toBeUndefined();
      expect(result.ok).toBe(true);
      const highest = Math.max(reported, ...committed);
      expect(result.lastSeq).toBeGreaterThanOrEqual(highest);
      const db = openReadonly(ledgerFiles(stateDir).file);
      const present = new Set([...readEvents(db, { sinceSeq: 1 })].map((e) => e.seq));
      db.close();
      for (const seq of committed) expect(present.has(seq)).toBe(true);
      reported = highest;
    }
    expect(killedWhileAppending).toBeGreaterThan(ROUNDS / 4);
    expect(fs.readdirSync(stateDir).filter((name) => /\.(unreadable|hash-mismatch|gap|reordered|bad-signature|truncated|rollback)-/.test(name))).toEqual([]);
  });
});
