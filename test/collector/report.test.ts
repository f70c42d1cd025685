import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, test } from 'vitest';
import { HostRoot } from '../../agent/host-root.js';
import type { LedgerEventInput } from '../../agent/ledger/events.js';
import { Ledger } from '../../agent/ledger/ledger.js';
import { BUILTIN_POLICY_FILE } from '../../policies/load.js';
import { tempDir } from '../helpers.js';
import { computer, exportBundle, readManifest, runCollector, stickWith } from './collector-helpers.js';

function archiveFile(): string {
  return path.join(tempDir('baomi-archive-'), 'archive.db');
}

describe('the committee report', () => {
  test('hostile strings from a machine are escaped in the HTML and neutralised in the CSV', () => {
    const stick = tempDir('baomi-stick-');
    const hostname = '<img src=x onerror=alert(1)>';
    const pc = computer(stick, {
      hostname,
      department: '+cmd|\' /C calc\'!A0',
      owner: '=HYPERLINK("http://evil","click")',
      prepare: (tree) => {
        let usbDevice = fs.realpathSync(path.join(tree, 'sys/block/sda/device'));
        while (!fs.existsSync(path.join(usbDevice, 'idVendor'))) usbDevice = path.dirname(usbDevice);
        fs.writeFileSync(path.join(usbDevice, 'product'), '<script>alert(1)</script>\u202e\n');
        fs.writeFileSync(path.join(usbDevice, 'manufacturer'), '@SUM(1+1)*cmd|"/C calc"!A0\n');
      },
    });
    const bundle = exportBundle(pc, stick);
    expect(readManifest(bundle).host.hostname).toBe(hostname);
    const archive = archiveFile();
    const imported = runCollector(['import', stick, '--archive', archive]);
    expect(imported.status).toBe(0);
    expect(imported.stdout).not.toContain('\u202e'); // printable on the terminal too

    const out = path.join(tempDir(), 'committee.html');
    const csv = path.join(path.dirname(out), 'committee.csv');
    expect(runCollector(['report', '--out', out, '--csv', csv, '--archive', archive]).status).toBe(0);
    const html = fs.readFileSync(out, 'utf8');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;\\u202e');
    expect(html).toContain('=HYPERLINK(&quot;http://evil&quot;,&quot;click&quot;)');
    expect(html).not.toMatch(/<script|<img|\u202e/i);
    for (const file of [csv, csv.replace(/\.csv$/, '-violations.csv')]) {
      const text = fs.readFileSync(file, 'utf8');
      expect(text.startsWith('\uFEFF')).toBe(true);
      expect(text).not.toMatch(/(^|,|\r\n)"?[=+\-@]/); // no cell starts like a formula …
      expect(text).toContain("'=HYPERLINK"); // … the evidence is kept, as text
    }
    expect(fs.readFileSync(csv.replace(/\.csv$/, '-violations.csv'), 'utf8')).toContain('@SUM(1+1)*cmd|""/C calc""!A0 <script>');
  });

  test('hosts not inspected this round (--since) and registered hosts never imported (--policy)', () => {
    const stick = tempDir('baomi-stick-');
    exportBundle(computer(stick), stick);
    const archive = archiveFile();
    expect(runCollector(['import', stick, '--archive', archive]).status).toBe(0);
    const policy = JSON.parse(fs.readFileSync(BUILTIN_POLICY_FILE, 'utf8'));
    policy.registry = {
      hosts: [
        { hostname: 'baomi-vm', class: '机密', department: '办公室', owner: '张三' },
        { hostname: 'pc-never', class: '秘密', department: '财务科', owner: '王五' },
      ],
    };
    const policyFile = path.join(tempDir(), 'office.policy.json');
    fs.writeFileSync(policyFile, JSON.stringify(policy));

    const thisRound = path.join(tempDir(), 'now.html');
    const now = runCollector(['report', '--out', thisRound, '--since', '2000-01-01', '--policy', policyFile, '--archive', archive]);
    expect(now.status).toBe(1); // pc-never is missing
    const html = fs.readFileSync(thisRound, 'utf8');
    expect(html).toContain('pc-never');
    expect(html).toContain('已登记,从未导入');
    expect(html).toContain('财务科');
    expect(html).not.toContain('本轮未检查</div>'); // baomi-vm was inspected this round

    const nextRound = path.join(tempDir(), 'next.html');
    const later = runCollector(['report', '--out', nextRound, '--since', '2999-01-01', '--lang', 'en', '--archive', archive]);
    expect(later.status).toBe(1);
    expect(later.stdout).toContain('1 not inspected this round');
    expect(fs.readFileSync(nextRound, 'utf8')).toContain('not inspected this round');
    expect(runCollector(['report', '--out', nextRound, '--since', 'yesterday', '--archive', archive]).status).toBe(2);
  });

  test('heartbeat gaps: unclean stops and silences are problems, across bundles too; clean stops are downtime', async () => {
    const stick = tempDir('baomi-stick-');
    const pc = computer(stick);
    const base = Date.now() + 60_000;
    const at = (minutes: number) => new Date(base + minutes * 60_000);
    const started = (clean: boolean): LedgerEventInput => ({ type: 'agent.started', payload: { cleanShutdown: clean, version: '0.1.0', pid: 4242 } });
    const heartbeat: LedgerEventInput = { type: 'agent.heartbeat', payload: {} };
    const append = async (events: [number, LedgerEventInput][]) => {
      let i = 0;
      const ledger = await Ledger.open({ stateDir: pc.stateDir, host: new HostRoot(pc.root), now: () => at(events[Math.min(i, events.length - 1)]![0]) });
      try {
        const stored = [];
        for (; i < events.length; i++) stored.push(ledger.append(events[i]![1]));
        return stored;
      } finally {
        ledger.close();
      }
    };
    await append([
      [0, started(true)],
      [15, heartbeat],
      [30, { type: 'agent.stopped', payload: { reason: 'shutdown' } }],
      [600, started(true)], // downtime: 570 minutes
      [615, heartbeat],
      [700, heartbeat], // silence: 85 minutes with a 15-minute heartbeat
    ]);
    const [lastOfFirst] = await append([[710, started(false)]]); // unclean stop
    const first = exportBundle(pc, stick);
    const [nextStart] = await append([[800, started(false)]]); // unclean again, across the two bundles
    const second = exportBundle(pc, stick, readManifest(first).ledger.lastSeq + 1);

    const archive = archiveFile();
    const one = runCollector(['import', stickWith({ dir: first }), '--archive', archive]);
    expect(one.status).toBe(1);
    expect(one.stdout).toContain('[silence]');
    expect(one.stdout).toContain('no record for 85 minutes while running');
    expect(one.stdout).toContain('[unclean-stop]');
    expect(one.stdout).not.toContain('570 minutes'); // the orderly stop is not a problem …
    const two = runCollector(['import', stickWith({ dir: second }), '--archive', archive]);
    expect(two.status).toBe(1);
    expect(two.stdout.match(/\[unclean-stop\]/g)).toHaveLength(1);
    expect(two.stdout).toContain(`seqs ${lastOfFirst!.seq}–${nextStart!.seq}`);

    const db = new Database(archive, { readonly: true });
    const gaps = db.prepare(`SELECT kind, minutes FROM gaps WHERE kind <> 'unclean-stop' ORDER BY from_seq`).all();
    db.close();
    expect(gaps).toEqual([
      { kind: 'clean-stop', minutes: 570 }, // … it is downtime, in the report
      { kind: 'silence', minutes: 85 },
    ]);
    const out = path.join(tempDir(), 'gaps.html');
    expect(runCollector(['report', '--out', out, '--archive', archive]).status).toBe(1);
    expect(fs.readFileSync(out, 'utf8')).toContain('1 次 / 570 分钟');
  });
});
