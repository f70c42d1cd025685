import fs from 'node:fs';
import path from 'node:path';
import { HostRoot } from '../host-root.js';
import { loadOrCreateAgentKey, type AgentKey } from '../state/agent-key.js';
import { ensureStateDir, removeStaleTempFiles, tighten } from '../state/state-dir.js';
import { chainHash, eventBody, GENESIS_HASH } from './chain.js';
import { readHead, signCheckpoint, writeHead, type Checkpoint } from './checkpoint.js';
import { monotonicMs as readMonotonic, readBootId, readMachineId } from './clock.js';
import { LedgerEvent, type EventEnvelope, type LedgerEventInput, type StoredEvent } from './events.js';
import { reconcileIncidents } from './incidents.js';
import { readEvents, type EventFilter } from './read.js';
import { createSchema, openWritable, type Db } from './store.js';
import { latestCheckpoint, ledgerFiles, verifyLedger, type VerifyFailure } from './verify.js';

/**
 * The violation log: append-only, hash-chained (chain.ts), signed every N events (checkpoint.ts),
 * in one SQLite file of the state directory. Opening it verifies it; a log that does not verify
 * is moved aside, never deleted, and a new chain starts with ledger.recovered.
 */

/**
 * Sign a checkpoint every 1,024 events; the service also signs one at every heartbeat, so the
 * unsigned tail is bounded by time (one heartbeat period) as well as by count, and verifying
 * a million events checks ~1,000 signatures instead of ~16,000.
 */
export const DEFAULT_CHECKPOINT_EVERY = 1024;

export interface OpenLedgerOptions {
  stateDir: string;
  /** Default: the state directory's agent key, generated on first use. */
  key?: AgentKey;
  /** Sign a checkpoint every N events (default 1,024). */
  checkpointEvery?: number;
  /** Where the boot id and machine id are read (default: this machine). */
  host?: HostRoot;
  now?: () => Date;
  monotonicMs?: () => number;
  /** Threads for the verification on open (default: the CPUs, at most 4). */
  verifyThreads?: number;
}

/** Why the previous database was set aside when this ledger was opened. */
export interface Recovery {
  movedTo: string | null;
  failure: VerifyFailure;
  lastVerifiedSeq: number;
  lastVerifiedHash: string;
}

/** Appends inside one transaction (see Ledger.write). */
export interface LedgerWriter {
  readonly db: Db;
  append(input: LedgerEventInput): StoredEvent;
}

interface Tail {
  seq: number;
  hash: Buffer;
  time: string | null;
  timeMs: number;
}

export class Ledger {
  private readonly insertEvent;
  private readonly insertCheckpoint;
  private readonly bootId: string | null;
  private readonly machineId: string | null;

  private constructor(
    readonly db: Db,
    readonly file: string,
    readonly headFile: string,
    readonly key: AgentKey,
    readonly recovery: Recovery | undefined,
    private readonly checkpointEvery: number,
    host: HostRoot,
    private readonly now: () => Date,
    private readonly monotonicMs: () => number,
  ) {
    this.insertEvent = db.prepare(`INSERT INTO events (seq, body, prev_hash, hash) VALUES (?, ?, ?, ?)`);
    this.insertCheckpoint = db.prepare(`INSERT INTO checkpoints (seq, hash, signature, key_fingerprint, machine_id, time) VALUES (?, ?, ?, ?, ?, ?)`);
    this.bootId = readBootId(host);
    this.machineId = readMachineId(host);
  }

  static async open(options: OpenLedgerOptions): Promise<Ledger> {
    const stateDir = ensureStateDir(path.resolve(options.stateDir));
    removeStaleTempFiles(stateDir);
    const key = options.key ?? loadOrCreateAgentKey(stateDir);
    const { file, headFile } = ledgerFiles(stateDir);
    const host = options.host ?? new HostRoot('/');
    const now = options.now ?? (() => new Date());
    tighten(headFile);
    const head = readHead(headFile);
    const freshHead = head.kind === 'missing' || (head.kind === 'ok' && head.checkpoint.seq === 0);
    let db: Db | undefined;
    let untrusted: Untrusted | undefined;
    try {
      if (fs.existsSync(file) || freshHead) {
        db = openWritable(file); // also replays a WAL left by a crash
        // Empty: new, or killed while being created.
        if (freshHead) createSchema(db, key.fingerprint, now().toISOString());
      }
    } catch (error) {
      db?.close();
      db = undefined;
      const message = (error as Error).message;
      untrusted = {
        failure: { seq: 1, reason: 'unreadable', detail: { zh: `无法打开数据库(${message})`, en: `the database cannot be opened: ${message}` } },
        lastVerifiedSeq: 0,
        lastVerifiedHash: GENESIS_HASH.toString('hex'),
      };
    }
    if (untrusted === undefined) {
      const verified = await verifyLedger({ file, headFile, key, threads: options.verifyThreads });
      if (!verified.ok) {
        db?.close();
        db = undefined;
        untrusted = verified as Untrusted;
      }
    }
    let recovery: Recovery | undefined;
    if (untrusted !== undefined) {
      recovery = moveAside(file, headFile, now(), untrusted);
      db = openWritable(file);
      createSchema(db, key.fingerprint, now().toISOString());
    }
    const ledger = new Ledger(db!, file, headFile, key, recovery, options.checkpointEvery ?? DEFAULT_CHECKPOINT_EVERY, host, now, options.monotonicMs ?? readMonotonic);
    ledger.start();
    return ledger;
  }

  /** Append one event in its own transaction. */
  append(input: LedgerEventInput): StoredEvent {
    return this.write((writer) => writer.append(input));
  }

  /** Append several events in one transaction: all are recorded, or none. */
  appendAll(inputs: readonly LedgerEventInput[]): StoredEvent[] {
    return this.write((writer) => inputs.map((input) => writer.append(input)));
  }

  /**
   * Run `work` in one write transaction (BEGIN IMMEDIATE, so another process appending to the
   * same log waits). When it returns the events are on disk; ledger.head is then updated if a
   * checkpoint was signed.
   */
  write<T>(work: (writer: LedgerWriter) => T): T {
    let signed: Checkpoint | undefined;
    const result = this.db
      .transaction(() => {
        const tail = this.readTail();
        return work({
          db: this.db,
          append: (input) => {
            const { event, checkpoint } = this.appendTo(tail, input);
            signed = checkpoint ?? signed;
            return event;
          },
        });
      })
      .immediate();
    if (signed) writeHead(this.headFile, signed);
    return result;
  }

  /**
   * Sign a checkpoint at the newest event now (an export calls this), unless there is one
   * already. Returns it; at an empty log, the signed genesis (seq 0).
   */
  checkpoint(): Checkpoint {
    const checkpoint = this.db
      .transaction(() => {
        const tail = this.readTail();
        const latest = latestCheckpoint(this.db);
        if (latest && latest.seq === tail.seq) return latest;
        const made = signCheckpoint(this.key, tail.seq, tail.hash, this.machineId, this.now().toISOString());
        if (tail.seq > 0) this.storeCheckpoint(made);
        return made;
      })
      .immediate();
    writeHead(this.headFile, checkpoint);
    return checkpoint;
  }

  /** The newest event's seq and hash (0 and the genesis for an empty log). */
  tail(): { seq: number; hash: string } {
    const tail = this.readTail();
    return { seq: tail.seq, hash: tail.hash.toString('hex') };
  }

  events(filter: EventFilter = {}): IterableIterator<StoredEvent> {
    return readEvents(this.db, filter);
  }

  close(): void {
    this.db.close();
  }

  private appendTo(tail: Tail, input: LedgerEventInput): { event: StoredEvent; checkpoint?: Checkpoint } {
    const event = LedgerEvent.parse(input);
    const now = this.now();
    const time = now.toISOString();
    let checkpoint: Checkpoint | undefined;
    if (tail.time !== null && now.getTime() < tail.timeMs) {
      // The wall clock went back: say so first; the order stays the order of seq.
      this.insert(tail, { type: 'clock.skew', payload: { previousTime: tail.time, time } }, time);
      checkpoint = this.checkpointIfDue(tail, time);
    }
    const stored = this.insert(tail, event, time);
    return { event: stored, checkpoint: this.checkpointIfDue(tail, time) ?? checkpoint };
  }

  private checkpointIfDue(tail: Tail, time: string): Checkpoint | undefined {
    if (tail.seq % this.checkpointEvery !== 0) return undefined;
    const checkpoint = signCheckpoint(this.key, tail.seq, tail.hash, this.machineId, time);
    this.storeCheckpoint(checkpoint);
    return checkpoint;
  }

  private insert(tail: Tail, event: LedgerEvent, time: string): StoredEvent {
    const envelope: EventEnvelope = {
      seq: tail.seq + 1,
      type: event.type,
      time,
      bootId: this.bootId,
      monotonicMs: this.monotonicMs(),
      payload: event.payload as Record<string, unknown>,
    };
    const body = eventBody(envelope);
    const hash = chainHash(tail.hash, body);
    this.insertEvent.run(envelope.seq, body, tail.hash, hash);
    const stored: StoredEvent = { ...envelope, hash: hash.toString('hex'), prevHash: tail.hash.toString('hex') };
    tail.seq = envelope.seq;
    tail.hash = hash;
    tail.time = time;
    tail.timeMs = Date.parse(time);
    return stored;
  }

  private storeCheckpoint(checkpoint: Checkpoint): void {
    this.insertCheckpoint.run(checkpoint.seq, checkpoint.hash, checkpoint.signature, checkpoint.keyFingerprint, checkpoint.machineId, checkpoint.time);
  }

  private readTail(): Tail {
    const row = this.db.prepare(`SELECT seq, hash, time FROM events ORDER BY seq DESC LIMIT 1`).get() as { seq: number; hash: Buffer; time: string } | undefined;
    if (!row) return { seq: 0, hash: GENESIS_HASH, time: null, timeMs: 0 };
    return { seq: row.seq, hash: row.hash, time: row.time, timeMs: Date.parse(row.time) };
  }

  /** Once verified (or started over): bring ledger.head up to date, record a recovery, rebuild incidents. */
  private start(): void {
    const latest = latestCheckpoint(this.db);
    const head = readHead(this.headFile);
    if (latest === undefined) {
      if (head.kind !== 'ok') this.checkpoint(); // the signed genesis
    } else if (head.kind !== 'ok' || head.checkpoint.seq < latest.seq) {
      writeHead(this.headFile, latest); // killed between a commit and the head's rename
    }
    if (this.recovery) {
      const { movedTo, failure, lastVerifiedSeq, lastVerifiedHash } = this.recovery;
      this.append({
        type: 'ledger.recovered',
        payload: { file: movedTo, lastVerifiedSeq, lastVerifiedHash, reason: failure.reason, detail: `${failure.detail.en} (seq ${failure.seq})` },
      });
    }
    reconcileIncidents(this.db);
  }
}

interface Untrusted {
  failure?: VerifyFailure;
  lastVerifiedSeq: number;
  lastVerifiedHash: string;
}

/**
 * Move the untrusted database (with its -wal and -shm) and ledger.head aside, under names with
 * the reason and the time. Nothing is deleted: the old files are evidence.
 */
function moveAside(file: string, headFile: string, now: Date, untrusted: Untrusted): Recovery {
  const failure = untrusted.failure!;
  const stamp = now.toISOString().replace(/[-:.]/g, '');
  let suffix = `.${failure.reason}-${stamp}`;
  for (let n = 2; fs.existsSync(file + suffix) || fs.existsSync(headFile + suffix); n++) suffix = `.${failure.reason}-${stamp}-${n}`;
  const moved = fs.existsSync(file);
  if (moved) {
    fs.renameSync(file, file + suffix);
    for (const journal of ['-wal', '-shm']) if (fs.existsSync(file + journal)) fs.renameSync(file + journal, file + suffix + journal);
  }
  if (fs.existsSync(headFile)) fs.renameSync(headFile, headFile + suffix);
  return {
    movedTo: moved ? file + suffix : null,
    failure,
    lastVerifiedSeq: untrusted.lastVerifiedSeq,
    lastVerifiedHash: untrusted.lastVerifiedHash,
  };
}
