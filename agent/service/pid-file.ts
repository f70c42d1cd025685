import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../state/state-dir.js';

export const PID_FILE = 'agent.pid';

export interface PidRecord {
  pid: number;
  startedAt: string;
}

export function writePidFile(stateDir: string, record: PidRecord): void {
  writeFileAtomic(path.join(stateDir, PID_FILE), JSON.stringify(record) + '\n');
}

export function removePidFile(stateDir: string, pid: number): void {
  const record = readPidFile(stateDir);
  if (record?.pid === pid) fs.rmSync(path.join(stateDir, PID_FILE), { force: true });
}

export function readPidFile(stateDir: string): PidRecord | null {
  try {
    const record = JSON.parse(fs.readFileSync(path.join(stateDir, PID_FILE), 'utf8')) as PidRecord;
    return Number.isInteger(record.pid) ? record : null;
  } catch {
    return null;
  }
}

/** The recorded process is alive and is a baomi agent (not a recycled pid). */
export function isAgentRunning(record: PidRecord | null): boolean {
  if (record === null) return false;
  try {
    process.kill(record.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    return fs.readFileSync(`/proc/${record.pid}/cmdline`, 'utf8').includes('main.js');
  } catch {
    return true; // no procfs (not Linux): trust the signal check
  }
}
