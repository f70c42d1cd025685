import type { BundleManifest } from '../agent/export/bundle.js';
import { chainHash } from '../agent/ledger/chain.js';
import { readLines } from './bundle-files.js';
import { isCanonicalLine } from './canonical-line.js';
import { fileCheck } from './verify-manifest.js';
import { check, type Check, type ProblemKind } from './problems.js';

/** One event of a bundle, as the archive keeps it. */
export interface BundleEvent {
  seq: number;
  type: string;
  time: string;
  /** The line: the canonical body the agent hashed. */
  body: string;
  /** hash(seq), 32 bytes. */
  hash: Buffer;
  payload: Record<string, unknown>;
  /** Where its line is in events.ndjson: byte offset and length. */
  at: number;
  size: number;
}

/**
 * The envelope of a log event (agent/ledger/events.ts), as far as the collector uses it; payloads
 * are checked with their zod schemas where they are used (store-events.ts). Checked by hand:
 * zod on each of a million events cost a tenth of the whole verification.
 */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

const ENVELOPE_KEYS = 6; // bootId, monotonicMs, payload, seq, time, type (agent/ledger/chain.ts eventBody)

function envelopeProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return '(top)';
  const e = value as Record<string, unknown>;
  if (Object.keys(e).length !== ENVELOPE_KEYS) return 'fields';
  if (e.bootId !== null && typeof e.bootId !== 'string') return 'bootId';
  if (typeof e.monotonicMs !== 'number') return 'monotonicMs';
  if (!Number.isSafeInteger(e.seq) || (e.seq as number) < 1) return 'seq';
  if (typeof e.type !== 'string' || e.type === '') return 'type';
  if (typeof e.time !== 'string' || !ISO_TIME.test(e.time) || Number.isNaN(Date.parse(e.time))) return 'time';
  if (typeof e.payload !== 'object' || e.payload === null || Array.isArray(e.payload)) return 'payload';
  return undefined;
}

/**
 * events.ndjson against the manifest: every line canonical JSON (exactly the body the agent
 * hashed), seqs firstSeq…lastSeq without a hole, the chain hash(n) = SHA-256(hash(n-1) ‖ line n)
 * from ledger.prevHash to ledger.headHash, the file's SHA-256 and the counts. Each good event is
 * passed to `onEvent` as it is read (the importer compares and stores it; a failure found later
 * rolls its transaction back).
 */
export function checkEvents(dir: string, manifest: BundleManifest, onEvent?: (event: BundleEvent) => void, content?: Buffer): Check[] {
  const { firstSeq, lastSeq } = manifest.ledger;
  const found = new Map<ProblemKind, { check: Check; more: number }>();
  const fail = (kind: ProblemKind, zh: string, en: string, evidence: string) => {
    const seen = found.get(kind);
    if (seen) seen.more++;
    else found.set(kind, { check: check(kind, zh, en, evidence), more: 0 });
  };
  let hash: Buffer = Buffer.from(manifest.ledger.prevHash, 'hex');
  let lineNo = 0;
  let opened = 0;
  let resolved = 0;
  let file: { sha256: string };
  try {
    file = readLines(dir, 'events.ndjson', (line, bytes, at) => {
      lineNo++;
      const expected = firstSeq + lineNo - 1;
      hash = chainHash(hash, bytes);
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        fail('not-canonical', `第 ${lineNo} 行不是 JSON`, `line ${lineNo} is not JSON`, `line ${lineNo}: ${line.slice(0, 120)}`);
        return;
      }
      // Counted before the other checks, so that one bad line is one problem, not also a count.
      const kind = (parsed as { type?: unknown } | null)?.type;
      if (kind === 'violation.opened') opened++;
      else if (kind === 'violation.resolved') resolved++;
      if (!isCanonicalLine(line, parsed)) {
        fail('not-canonical', `第 ${lineNo} 行不是规范 JSON(被编辑过)`, `line ${lineNo} is not canonical JSON (it was edited)`, `line ${lineNo}: ${line.slice(0, 120)}`);
        return;
      }
      const wrong = envelopeProblem(parsed);
      if (wrong !== undefined) {
        fail('not-canonical', `第 ${lineNo} 行不是日志事件(${wrong})`, `line ${lineNo} is not a log event (${wrong})`, `line ${lineNo}: ${line.slice(0, 120)}`);
        return;
      }
      const { seq, type, time, payload } = parsed as { seq: number; type: string; time: string; payload: Record<string, unknown> };
      if (seq !== expected) {
        fail('seq-break', `第 ${lineNo} 行的序号是 ${seq},应为 ${expected}`, `line ${lineNo} has seq ${seq}, expected ${expected}`, `expected seq ${expected}, found ${seq}`);
        return;
      }
      onEvent?.({ seq, type, time, body: line, hash, payload, at, size: bytes.length });
    }, content);
  } catch (error) {
    return [fileCheck(error)];
  }
  const checks = [...found.values()].map(({ check: c, more }) => (more > 0 ? { ...c, zh: `${c.zh}(另有 ${more} 处)`, en: `${c.en} (and ${more} more)` } : c));
  const expectedCount = Math.max(0, lastSeq - firstSeq + 1);
  if (lineNo !== expectedCount && !found.has('seq-break')) {
    checks.push(
      check('seq-break', `有 ${lineNo} 行事件,清单的序号范围 ${firstSeq}–${lastSeq} 应有 ${expectedCount} 行`, `${lineNo} event lines, but seqs ${firstSeq}–${lastSeq} make ${expectedCount}`, `lines ${lineNo}, expected ${expectedCount}`),
    );
  }
  if (hash.toString('hex') !== manifest.ledger.headHash) {
    checks.push(
      check(
        'chain',
        `由 prevHash 逐行计算的哈希与签名的 headHash 不符:事件被修改、删除或插入`,
        'the hash chain computed line by line from prevHash does not reach the signed headHash: events were edited, removed or added',
        `computed ${hash.toString('hex')}; headHash ${manifest.ledger.headHash}`,
      ),
    );
  }
  if (file.sha256 !== manifest.files['events.ndjson']) {
    checks.push(check('file-hash', 'events.ndjson 的 SHA-256 与清单不符', 'events.ndjson’s SHA-256 differs from the manifest', `events.ndjson: ${file.sha256}; manifest ${manifest.files['events.ndjson']}`));
  }
  const counts = manifest.counts;
  if (counts.events !== expectedCount || counts.violationsOpened !== opened || counts.violationsResolved !== resolved) {
    checks.push(
      check(
        'counts',
        '清单中的事件或违规计数与 events.ndjson 不符',
        'the manifest’s event or violation counts disagree with events.ndjson',
        `manifest events ${counts.events}, opened ${counts.violationsOpened}, resolved ${counts.violationsResolved}; ` +
          `events.ndjson ${lineNo}, opened ${opened}, resolved ${resolved}`,
      ),
    );
  }
  return checks;
}
