import { expect, test } from 'vitest';
import { findGaps } from '../../agent/ledger/heartbeat-gaps.js';

const at = (seq: number, type: string, time: string) => ({ seq, type, time: `2026-11-2${time}:00.000Z` });

test('unclean stops, silences and clean downtime are told apart', () => {
  const gaps = findGaps(
    [
      at(1, 'agent.started', '1T08:00'),
      at(2, 'agent.heartbeat', '1T08:15'),
      at(3, 'agent.heartbeat', '1T08:30'),
      at(4, 'agent.heartbeat', '1T09:30'), // 60 min of silence with a 15 min heartbeat
      at(5, 'agent.stopped', '1T09:45'), // shut down …
      at(6, 'agent.started', '2T08:00'), // … started the next morning: downtime, not a fault
      at(7, 'scan.completed', '2T08:00'),
      at(8, 'agent.started', '2T10:00'), // no agent.stopped before it: killed or power cut
      at(9, 'agent.heartbeat', '2T10:15'),
    ],
    15,
  );
  expect(gaps.map((g) => [g.kind, g.fromSeq, g.toSeq, g.minutes])).toEqual([
    ['silence', 3, 4, 60],
    ['clean-stop', 5, 6, 1335],
    ['unclean-stop', 7, 8, 120],
  ]);
});

test('a log of regular heartbeats has no gaps', () => {
  expect(findGaps([at(1, 'agent.started', '1T08:00'), at(2, 'agent.heartbeat', '1T08:15'), at(3, 'agent.heartbeat', '1T08:30')], 15)).toEqual([]);
});

test('one-off scans before the service first starts are not a stopped agent', () => {
  expect(
    findGaps([at(1, 'policy.applied', '1T07:00'), at(2, 'scan.completed', '1T07:01'), at(3, 'agent.started', '1T09:00'), at(4, 'agent.heartbeat', '1T09:15')], 15),
  ).toEqual([]);
});

test('silence counts only while the service runs, not between one-off scans', () => {
  expect(findGaps([at(1, 'scan.completed', '1T07:00'), at(2, 'scan.completed', '1T12:00')], 15)).toEqual([]);
});
