import type { BundleManifest } from '../agent/export/bundle.js';
import type { ArchivedHost } from './archive-store.js';
import { check, type Check } from './problems.js';

/**
 * Continuity of a verified bundle with what the archive holds for its host, decided from the
 * manifest alone (the fork check, seq by seq, is the importer's): is it signed by the enrolled
 * key, in its own host's place, and does it continue the archived log of the host's current
 * epoch — no hole, no going back? (A bundle that begins a new epoch, recovery.ts, has no seqs
 * to continue: only its key and place are checked here.)
 */

export interface Continuity {
  /** The archived host, or undefined: this import enrols it. */
  host: ArchivedHost | undefined;
  /** Raw public key of the bundle. */
  publicKey: Buffer;
  /** Other hosts already enrolled with the bundle's key. */
  keyOwners: string[];
  /** The host directory the bundle was found in (BAOMI/<id>/…), if it was. */
  placedUnder: string | null;
  /** The newest bundle imported for this host's current epoch. */
  newest: { createdAt: string; lastSeq: number; path: string } | undefined;
  expectFingerprint: string | undefined;
}

/** `sha256:AB12 cd34…`, `ab12cd34…`: the same fingerprint. */
export function sameFingerprint(a: string, b: string): boolean {
  const norm = (fp: string) => fp.toLowerCase().replace(/^sha256:/, '').replace(/[^0-9a-f]/g, '');
  return norm(a) === norm(b);
}

export function keyChecks(m: BundleManifest, c: Continuity): Check[] {
  const checks: Check[] = [];
  const fp = m.agent.fingerprint;
  if (c.placedUnder !== null && c.placedUnder !== m.host.id) {
    checks.push(
      check(
        'other-host',
        `此检查包属于主机 ${m.host.id}(${m.host.hostname}),却放在 ${c.placedUnder} 的目录下`,
        `this bundle is host ${m.host.id}'s (${m.host.hostname}), found under ${c.placedUnder}'s directory`,
        `manifest host.id ${m.host.id}, hostname ${m.host.hostname}, key ${fp}; directory BAOMI/${c.placedUnder}`,
      ),
    );
  }
  if (c.host === undefined) {
    if (c.expectFingerprint !== undefined && !sameFingerprint(c.expectFingerprint, fp)) {
      checks.push(check('not-expected-key', '首次登记被拒绝:密钥指纹与 --expect-fingerprint 不符', 'enrolment refused: the key is not the one given with --expect-fingerprint', `bundle key ${fp}; expected ${c.expectFingerprint}`));
    }
  } else if (!c.publicKey.equals(c.host.publicKey)) {
    const owner = c.keyOwners.length > 0 ? c.keyOwners.join(', ') : null;
    checks.push(
      check(
        'wrong-key',
        `检查包由 ${fp} 签名,而主机 ${c.host.id} 登记的密钥是 ${c.host.fingerprint}${owner ? `;该密钥属于主机 ${owner}` : ''}`,
        `signed by ${fp}, but host ${c.host.id} is enrolled with ${c.host.fingerprint}${owner ? `; that key is host ${owner}'s` : ''}`,
        `bundle key ${fp}; enrolled ${c.host.fingerprint}${owner ? `; key enrolled for ${owner}` : ''}`,
      ),
    );
  }
  if (c.host === undefined && c.keyOwners.length > 0) {
    checks.push(
      check('key-reused', `该密钥已登记给主机 ${c.keyOwners.join(', ')}(克隆的系统,或改了主机名?)`, `this key is already enrolled for host ${c.keyOwners.join(', ')} (a cloned system, or a renamed host?)`, `key ${fp}`),
    );
  }
  return checks;
}

export function seqChecks(m: BundleManifest, c: Continuity): Check[] {
  const { firstSeq, lastSeq } = m.ledger;
  const range = `bundle seqs ${firstSeq}–${lastSeq}, created ${m.createdAt}`;
  if (c.host === undefined) {
    return firstSeq > 1
      ? [check('gap', `首次导入从第 ${firstSeq} 条开始:第 1–${firstSeq - 1} 条从未见过`, `the first import starts at seq ${firstSeq}: seqs 1–${firstSeq - 1} were never seen`, range)]
      : [];
  }
  const archived = c.host.lastSeq;
  const newest = c.newest;
  if (newest !== undefined && lastSeq <= archived && m.createdAt < newest.createdAt) {
    return [
      check(
        'replay',
        `重放的旧检查包:导出于 ${m.createdAt}(至第 ${lastSeq} 条),早于已归档的 ${newest.createdAt}(至第 ${newest.lastSeq} 条);应有更新的导出`,
        `an older bundle replayed: exported ${m.createdAt} (up to seq ${lastSeq}), before the archived one of ${newest.createdAt} (up to seq ${newest.lastSeq}); a newer export exists`,
        `${range}; archived up to seq ${archived} from ${newest.path}`,
      ),
    ];
  }
  if (lastSeq < archived) {
    return [
      check(
        'rollback',
        `日志回滚:检查包导出于已归档者之后,最新序号却是 ${lastSeq},低于已归档的 ${archived}(计算机上的日志被恢复为旧副本?)`,
        `rollback: exported after the archived bundle, yet its head is seq ${lastSeq}, lower than the archived ${archived} (an older copy of the log restored on the computer?)`,
        `${range}; archived up to seq ${archived}`,
      ),
    ];
  }
  if (firstSeq > archived + 1) {
    return [
      check('gap', `断档:已归档至第 ${archived} 条,此检查包从第 ${firstSeq} 条开始;第 ${archived + 1}–${firstSeq - 1} 条缺失`, `gap: archived up to seq ${archived}, this bundle starts at ${firstSeq}; seqs ${archived + 1}–${firstSeq - 1} are missing`, `${range}; archived up to seq ${archived}`),
    ];
  }
  return [];
}
