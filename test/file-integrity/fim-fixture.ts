import fs from 'node:fs';
import path from 'node:path';
import { checkWatchedFolders, type WatchedFolderCheck, type WatchedFolderResult } from '../../agent/file-integrity/check-watched-folders.js';
import { HostRoot } from '../../agent/host-root.js';
import type { PolicyInput } from '../../policies/schema.js';
import { policyWith, tempDir } from '../helpers.js';

/** A working day (Wednesday) at 10:00 in Shanghai: inside the working hours 08:30–17:30. */
export const WORKDAY_10 = new Date('2026-11-25T02:00:00Z');
/** The same day at 22:00 in Shanghai. */
export const WORKDAY_22 = new Date('2026-11-25T14:00:00Z');
/** 10:00 on a weekday inside the policy's National Day break. */
export const HOLIDAY_10 = new Date('2026-10-05T02:00:00Z');
/** 10:00 on a Saturday the policy makes a working day (调休上班). */
export const MAKEUP_SATURDAY_10 = new Date('2026-10-10T02:00:00Z');

export const FOLDER = '/home/zhang/文档';

/** The policy of these tests: the default one with a watched folder, working hours and a holiday table. */
export function fimPolicy(change: (policy: PolicyInput) => void = () => undefined) {
  return policyWith((p) => {
    p.fileIntegrity = { folders: [{ path: FOLDER, label: '张三的文档' }], workingHours: { start: '08:30', end: '17:30' }, report: 'all' };
    p.holidays = { '2026': { source: '测试用节假日表', breaks: [{ name: '国庆节', from: '2026-10-01', to: '2026-10-08' }], workdays: ['2026-10-10'] } };
    change(p);
  }).policy;
}

/**
 * A host tree (a temp dir read through HostRoot) with one watched folder, a state directory, and a
 * map of recorded digests that is kept as the violation log would keep it: every baseline made is
 * "appended" as its digest.
 */
export class FimFixture {
  readonly root = tempDir('baomi-fim-host-');
  readonly stateDir = path.join(tempDir('baomi-fim-state-'), 'state');
  readonly dir = path.join(this.root, FOLDER);
  readonly digests = new Map<string, string>();
  readonly policy = fimPolicy();

  constructor() {
    fs.mkdirSync(this.dir, { recursive: true });
  }

  /** Write a file of the folder (parents made) with the given mtime. */
  write(rel: string, content: string | Buffer, mtime: Date = WORKDAY_10): string {
    const file = path.join(this.dir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
    fs.utimesSync(file, mtime, mtime);
    return file;
  }

  host(rel: string): string {
    return path.posix.join(FOLDER, rel);
  }

  async scan(mode: WatchedFolderCheck['mode'] = 'compare', extra: Partial<WatchedFolderCheck> = {}): Promise<WatchedFolderResult> {
    const result = await checkWatchedFolders({
      host: new HostRoot(this.root),
      stateDir: this.stateDir,
      folders: this.policy.fileIntegrity.folders,
      workingHours: this.policy.fileIntegrity.workingHours,
      timezone: this.policy.timezone,
      holidays: this.policy.holidays,
      recordedDigests: this.digests,
      mode,
      now: () => new Date('2026-11-28T02:00:00Z'),
      ...extra,
    });
    for (const b of result.baselined) this.digests.set(b.folder, b.digest);
    return result;
  }

  get dbFile(): string {
    return path.join(this.stateDir, 'file-integrity.db');
  }
}

/** The file-change findings as `change path [← previous] [off]`, in their order. */
export function changes(result: WatchedFolderResult): string[] {
  return result.findings.flatMap((f) =>
    f.kind === 'file-change' ? [`${f.change} ${f.path}${f.previousPath ? ` ← ${f.previousPath}` : ''}${f.offHours ? ' off' : ''}`] : [],
  );
}

export function folderFinding(result: WatchedFolderResult) {
  const found = result.findings.find((f) => f.kind === 'watched-folder');
  if (found?.kind !== 'watched-folder') throw new Error('no watched-folder finding');
  return found;
}
