/**
 * What the collector can find wrong, in one vocabulary shared by `verify`, `import`, the archive
 * and the committee's report. A problem names its kind, says what it means (zh, en) and carries
 * its evidence: seqs, hashes, fingerprints, paths — language-neutral text copied from the bundle
 * and the archive, so that anyone can check it again.
 */

export const PROBLEM_KINDS = {
  // The bundle itself (verify)
  unreadable: { zh: '检查包文件缺失或无法读取', en: 'a bundle file is missing or unreadable' },
  'manifest-invalid': { zh: '清单(manifest.json)格式无效', en: 'manifest.json is not a valid manifest' },
  'bad-signature': { zh: '清单签名无效(清单被修改或非代理签名)', en: 'manifest.sig does not verify (manifest edited or not signed by the agent)' },
  'fingerprint-mismatch': { zh: '清单中的密钥指纹与公钥不符', en: 'the manifest’s fingerprint is not that of its public key' },
  'file-hash': { zh: '文件的 SHA-256 与清单不符(文件被修改)', en: 'a file’s SHA-256 differs from the manifest (file changed)' },
  'not-canonical': { zh: '事件行不是规范 JSON(被编辑)', en: 'an event line is not canonical JSON (edited)' },
  'seq-break': { zh: '事件序号不连续(事件被删除、插入或调换)', en: 'event seqs are not contiguous (an event removed, added or reordered)' },
  chain: { zh: '哈希链未能从 prevHash 延续到 headHash', en: 'the hash chain from prevHash does not reach headHash' },
  'bad-checkpoint': { zh: '签名检查点无效', en: 'the signed checkpoint does not verify' },
  counts: { zh: '清单中的计数与事件不符', en: 'the manifest’s counts disagree with the events' },
  'event-invalid': { zh: '事件内容无法解读(未计入报告)', en: 'an event’s payload cannot be read (left out of the report)' },
  // Continuity with the archive (import)
  'not-expected-key': { zh: '首次登记的密钥不是指定的指纹', en: 'the key being enrolled is not the expected fingerprint' },
  'wrong-key': { zh: '检查包不是由该主机已登记的密钥签名(来自另一台计算机?)', en: 'the bundle is not signed by the key enrolled for this host (from another machine?)' },
  'key-reused': { zh: '该密钥已登记给另一台主机', en: 'this key is already enrolled for another host' },
  'other-host': { zh: '另一台主机的检查包被放在本主机目录下', en: 'another host’s bundle placed under this host’s directory' },
  gap: { zh: '日志序号断档(有事件未导出)', en: 'missing seqs (events not exported)' },
  rollback: { zh: '日志回滚(最新序号低于已归档)', en: 'rollback (head seq lower than archived)' },
  replay: { zh: '重放旧检查包', en: 'an older bundle replayed' },
  fork: { zh: '日志分叉(同一序号哈希不同)', en: 'fork (same seq, different hash)' },
  // Imported, never silent: the agent started its log over (a new epoch of the host)
  'log-recovered': {
    zh: '违规日志未通过验证,代理已另起新链(旧日志被移走;归档保留其证据)',
    en: 'the violation log failed verification and the agent started a new one (old log moved aside; the archive keeps its evidence)',
  },
  // The agent's watch (import)
  'unclean-stop': { zh: '代理异常停止(断电、被终止或崩溃)', en: 'the agent stopped uncleanly (power cut, killed or crashed)' },
  silence: { zh: '代理运行中长时间无心跳', en: 'no heartbeat while the agent was running' },
  // On the medium (import)
  'interrupted-export': { zh: '导出中断(.partial- 目录,不是完整检查包)', en: 'interrupted export (a .partial- directory, not a bundle)' },
  symlink: { zh: '介质上有符号链接(未跟随)', en: 'a symbolic link on the medium (not followed)' },
} as const satisfies Record<string, { zh: string; en: string }>;

export type ProblemKind = keyof typeof PROBLEM_KINDS;

/** Kinds that refuse a bundle: nothing of it enters the archive. */
export const REFUSING: ReadonlySet<ProblemKind> = new Set<ProblemKind>([
  'unreadable',
  'manifest-invalid',
  'bad-signature',
  'fingerprint-mismatch',
  'file-hash',
  'not-canonical',
  'seq-break',
  'chain',
  'bad-checkpoint',
  'counts',
  'not-expected-key',
  'wrong-key',
  'other-host',
  'rollback',
  'replay',
  'fork',
]);

/** One failed check: its kind, what it means here (zh, en) and the evidence. */
export interface Check {
  kind: ProblemKind;
  zh: string;
  en: string;
  evidence: string;
}

/** A check as recorded in the archive: for which host, found in which bundle, when. */
export interface Problem extends Check {
  host: string | null;
  bundle: string;
  time: string;
}

export function check(kind: ProblemKind, zh: string, en: string, evidence = ''): Check {
  return { kind, zh, en, evidence };
}

export function label(kind: string): { zh: string; en: string } {
  return (PROBLEM_KINDS as Record<string, { zh: string; en: string }>)[kind] ?? { zh: kind, en: kind };
}
