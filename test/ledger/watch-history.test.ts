import { describe, expect, test } from 'vitest';
import { agentSawAt, readWatchHistory } from '../../agent/ledger/watch-history.js';
import { enrolDisks, enrolledDisks, ensureDisksEnrolled, recordedFileDigests } from '../../agent/ledger/baselines.js';
import type { LedgerEventInput } from '../../agent/ledger/events.js';
import { usbIdentity, stick } from '../findings-factory.js';
import { openLedger } from './ledger-helpers.js';

/** A ledger whose clock is set by the test, event by event. */
async function ledgerAt() {
  let now = new Date('2026-11-01T00:00:00Z');
  const ledger = await openLedger(undefined, { now: () => now });
  const at = (iso: string, event: LedgerEventInput) => {
    now = new Date(iso);
    return ledger.append(event);
  };
  return { ledger, at };
}

const started = { type: 'agent.started', payload: { cleanShutdown: true, version: 't', pid: 1 } } as const;
const stopped = { type: 'agent.stopped', payload: { reason: 'shutdown' } } as const;
const heartbeat = { type: 'agent.heartbeat', payload: {} } as const;

describe('what the agent saw of a USB stick the system logged', () => {
  test('recorded live, agent stopped, silent agent, before the log, and running without a record', async () => {
    const { ledger, at } = await ledgerAt();
    const s999 = stick({ usb: usbIdentity({ serial: 'S999' }) });
    const violation = { rule: 'MEDIA-UNREGISTERED', severity: 'high', findingId: s999.id, citation: 'T3', title: { zh: 't', en: 't' }, evidence: { device: 'd', reason: { zh: 'r', en: 'r' } } } as const;
    at('2026-11-02T08:00:00Z', started);
    at('2026-11-02T08:15:00Z', heartbeat);
    const opened = at('2026-11-02T08:20:01Z', { type: 'violation.opened', payload: { ...violation, findingKind: 'removable-storage' } });
    at('2026-11-02T08:25:00Z', { type: 'violation.resolved', payload: { rule: 'MEDIA-UNREGISTERED', findingId: s999.id, openedSeq: opened.seq } });
    at('2026-11-02T08:30:00Z', heartbeat);
    at('2026-11-02T17:30:00Z', stopped);
    at('2026-11-03T08:00:00Z', started);
    at('2026-11-03T08:15:00Z', heartbeat);
    at('2026-11-03T12:00:00Z', heartbeat); // silent from 08:15 to 12:00 (frozen)
    const history = readWatchHistory(ledger.db, 15);
    const usb = usbIdentity({ serial: 'S999' });
    expect(agentSawAt(history, usb, '2026-11-02T08:20:00Z')).toBe('recorded');
    expect(agentSawAt(history, usbIdentity({ serial: 'OTHER' }), '2026-11-02T08:20:00Z')).toBe('not-recorded');
    expect(agentSawAt(history, usb, '2026-11-02T20:00:00Z')).toBe('agent-stopped');
    expect(agentSawAt(history, usb, '2026-11-03T10:00:00Z')).toBe('agent-stopped');
    expect(agentSawAt(history, usb, '2026-11-03T12:10:00Z')).toBe('not-recorded');
    expect(agentSawAt(history, usb, '2026-10-01T10:00:00Z')).toBe('before-agent');
    expect(agentSawAt(history, usb, '2026-11-03T13:00:00Z')).toBe('agent-stopped');
    ledger.close();
  });

  test('an empty log: everything is before the agent', async () => {
    const { ledger } = await ledgerAt();
    expect(agentSawAt(readWatchHistory(ledger.db, 15), usbIdentity(), '2026-11-02T08:20:00Z')).toBe('before-agent');
    ledger.close();
  });
});

describe('baselines kept in the log', () => {
  const disk = (serial: string) => ({ id: `disk:${serial}`, kind: 'fixed-disk' as const, device: 'sda', bus: 'pci' as const, model: 'SSD', serial, wwn: `naa.${serial}`, capacityBytes: 1e12 });

  test('disks are enrolled once at the first run; the officer enrols again; the latest counts', async () => {
    const { ledger } = await ledgerAt();
    expect(enrolledDisks(ledger)).toBeNull();
    expect(ensureDisksEnrolled(ledger, [])).toBe(false); // nothing seen yet: nothing to enrol
    expect(ensureDisksEnrolled(ledger, [disk('A1')])).toBe(true);
    expect(ensureDisksEnrolled(ledger, [disk('B2')])).toBe(false);
    expect(enrolledDisks(ledger)).toEqual([{ device: 'sda', model: 'SSD', serial: 'A1', wwn: 'naa.A1', capacityBytes: 1e12 }]);
    enrolDisks(ledger, [disk('B2')], 'officer');
    expect(enrolledDisks(ledger)?.map((d) => d.serial)).toEqual(['B2']);
    ledger.close();
  });

  test('the latest file digest of each folder', async () => {
    const { ledger, at } = await ledgerAt();
    const digest = (c: string) => c.repeat(64);
    at('2026-11-02T08:00:00Z', { type: 'files.baselined', payload: { folder: '/srv/a', files: 3, digest: digest('1'), reason: 'first-scan' } });
    at('2026-11-02T08:00:01Z', { type: 'files.baselined', payload: { folder: '/srv/b', files: 1, digest: digest('2'), reason: 'first-scan' } });
    at('2026-11-03T08:00:00Z', { type: 'files.baselined', payload: { folder: '/srv/a', files: 4, digest: digest('3'), reason: 'officer' } });
    expect(recordedFileDigests(ledger)).toEqual(new Map([['/srv/a', digest('3')], ['/srv/b', digest('2')]]));
    ledger.close();
  });
});
