import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { evaluate } from '../../policies/evaluate.js';
import { FOLDER, FimFixture, WORKDAY_10, WORKDAY_22, fimPolicy } from './fim-fixture.js';

const host = { hostname: 'pc-017', machineId: 'a1b2c3' };

async function changedFolder() {
  const fim = new FimFixture();
  fim.write('edit-day.txt', 'v1');
  fim.write('edit-night.txt', 'v1');
  fim.write('gone.txt', 'bye');
  fim.write('old.txt', 'moving');
  await fim.scan();
  fim.write('edit-day.txt', 'v2', WORKDAY_10);
  fim.write('edit-night.txt', 'v2', WORKDAY_22);
  fim.write('new-day.txt', 'n', WORKDAY_10);
  fs.rmSync(path.join(fim.dir, 'gone.txt'));
  fs.renameSync(path.join(fim.dir, 'old.txt'), path.join(fim.dir, 'moved.txt'));
  return { fim, result: await fim.scan() };
}

test('FILE-INTEGRITY fires for every change with report "all", in Chinese and English, off-hours flagged', async () => {
  const { fim, result } = await changedFolder();
  const violations = evaluate(fim.policy, result.findings, host);
  expect(violations.map((v) => `${v.rule} ${v.findingId}`)).toEqual(
    ['edit-day.txt', 'edit-night.txt', 'gone.txt', 'moved.txt', 'new-day.txt'].map((name) => `FILE-INTEGRITY file:${FOLDER}:${fim.host(name)}`),
  );
  const night = violations.find((v) => v.findingId.endsWith('edit-night.txt'))!;
  expect(night.evidence.reason.zh).toContain('修改时间在工作时间之外');
  expect(night.evidence.reason.zh).toContain('2026-11-25 22:00');
  expect(night.citation).toBe('T1 八.4');
  const moved = violations.find((v) => v.findingId.endsWith('moved.txt'))!;
  expect(moved.evidence.reason.en).toContain(`from ${fim.host('old.txt')}`);
  expect(moved.evidence.device).toBe(`${fim.host('old.txt')} → ${fim.host('moved.txt')}`);
});

test('report "off-hours": only changes outside working hours, and every move and deletion', async () => {
  const { fim, result } = await changedFolder();
  const policy = fimPolicy((p) => {
    p.fileIntegrity!.report = 'off-hours';
  });
  expect(evaluate(policy, result.findings, host).map((v) => v.findingId)).toEqual(
    ['edit-night.txt', 'gone.txt', 'moved.txt'].map((name) => `file:${FOLDER}:${fim.host(name)}`),
  );
});

test('a tampered baseline and a missing folder are violations; a verified or new baseline is not', async () => {
  const fim = new FimFixture();
  fim.write('a.txt', 'a');
  const created = await fim.scan();
  expect(evaluate(fim.policy, created.findings, host)).toEqual([]);
  fim.digests.set(FOLDER, '0'.repeat(64));
  const tampered = await fim.scan();
  expect(evaluate(fim.policy, tampered.findings, host).map((v) => `${v.rule} ${v.findingId} ${v.evidence.reason.en}`)).toEqual([
    `FILE-INTEGRITY watched-folder:${FOLDER} the watched folder's baseline was altered (it does not match the digest in the violation log)`,
  ]);
  fs.rmSync(fim.dir, { recursive: true });
  expect(evaluate(fim.policy, (await fim.scan()).findings, host).map((v) => v.findingId)).toEqual([`watched-folder:${FOLDER}`]);
});
