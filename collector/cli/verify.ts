import { parseArgs } from 'node:util';
import { UsageError } from '../../agent/cli/usage-error.js';
import { printable } from '../../agent/text/terminal.js';
import { sameFingerprint } from '../continuity.js';
import { check } from '../problems.js';
import { renderCheck } from '../render-import.js';
import { verifyBundle } from '../verify-bundle.js';

export const usage = `baomi-collector verify BUNDLE [--expect-fingerprint FP]
  只验证一个检查包,不读写归档 / verify one bundle only, without the archive
  (manifest schema, manifest.sig, fingerprint, every file's SHA-256, canonical event lines,
  contiguous seqs, the hash chain from prevHash to headHash, the signed checkpoint)
  --expect-fingerprint FP  also require the agent key to have this fingerprint
exit: 0 every check passed, 1 a check failed (each failed check is printed), 2 usage error`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { 'expect-fingerprint': { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1) throw new UsageError('verify takes one BUNDLE directory');
  const result = verifyBundle(positionals[0]!);
  const m = result.manifest;
  const expect = values['expect-fingerprint'];
  if (m && expect !== undefined && !sameFingerprint(expect, m.agent.fingerprint)) {
    result.checks.push(check('not-expected-key', '代理密钥不是指定的指纹', 'the agent key is not the expected fingerprint', `bundle key ${m.agent.fingerprint}; expected ${expect}`));
  }
  const lines = [`检查包 / bundle: ${printable(result.dir)}`];
  if (m) {
    lines.push(`  主机 / host: ${printable(m.host.id)} (${printable(m.host.hostname)})  导出 / exported ${m.createdAt}`);
    lines.push(`  日志 / log: 第 ${m.ledger.firstSeq}–${m.ledger.lastSeq} 条 / seqs ${m.ledger.firstSeq}–${m.ledger.lastSeq}, head ${m.ledger.headHash}`);
    lines.push(`  代理密钥指纹 / agent key fingerprint: ${printable(m.agent.fingerprint)}`);
  }
  if (result.checks.length === 0) {
    lines.push('验证通过:签名、文件摘要、哈希链与检查点均一致 / verified: signature, file hashes, hash chain and checkpoint agree');
  } else {
    lines.push(`验证失败:${result.checks.length} 项检查未通过 / verification FAILED: ${result.checks.length} failed check(s)`);
    for (const c of result.checks) lines.push(...renderCheck(c));
  }
  process.stdout.write(lines.join('\n') + '\n');
  return result.checks.length === 0 ? 0 : 1;
}
