import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PACKAGE_ROOT } from '../../agent/package-root.js';
import { SERVICE_NODE_FLAGS } from '../../agent/service/systemd-unit.js';

/**
 * What the running agent costs the PC's user when nothing happens: `baomi-agent run` on this
 * machine for IDLE_SECONDS (default 60) after start-up, CPU time from /proc/<pid>/stat and
 * resident memory from /proc/<pid>/status.
 */
const CLK_TCK = 100; // USER_HZ on every Linux architecture baomi runs on

function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK; // utime + stime
}

function rssMb(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
  return kb / 1024;
}

export async function run(): Promise<void> {
  const seconds = Number(process.env.IDLE_SECONDS ?? 60);
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'baomi-idle-'));
  // The flags the systemd unit runs the agent with (IDLE_NODE_FLAGS to compare others).
  const flags = process.env.IDLE_NODE_FLAGS?.split(' ').filter(Boolean) ?? [...SERVICE_NODE_FLAGS];
  const agent = spawn(process.execPath, [...flags, path.join(PACKAGE_ROOT, 'dist/agent/cli/main.js'), 'run', '--state-dir', stateDir, '--trust-dir', path.join(stateDir, 'none'), '--log-level', 'warn'], { stdio: 'ignore' });
  try {
    await new Promise((r) => setTimeout(r, 5000)); // start-up: verify, scan, schedule
    const startCpu = cpuSeconds(agent.pid!);
    const startRss = rssMb(agent.pid!);
    let peakRss = startRss;
    for (let i = 0; i < seconds; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      peakRss = Math.max(peakRss, rssMb(agent.pid!));
    }
    const cpu = cpuSeconds(agent.pid!) - startCpu;
    process.stdout.write(
      `node ${flags.join(' ') || '(no flags)'}\n` +
        `idle ${seconds} s: CPU ${(cpu * 1000).toFixed(0)} ms in total = ${((cpu / seconds) * 100).toFixed(3)} % of one core\n` +
        `resident memory: ${startRss.toFixed(1)} MB after start-up, peak ${peakRss.toFixed(1)} MB (goal ≤ 60 MB)\n`,
    );
  } finally {
    agent.kill('SIGTERM');
    await new Promise((r) => agent.once('exit', r));
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
}
