import { parseArgs } from 'node:util';
import { loadAgentKey } from '../state/agent-key.js';
import { resolveStateDir } from '../state/state-dir.js';
import { ledgerFiles, verifyLedger, type VerifyResult } from '../ledger/verify.js';

export const usage = `baomi-agent verify [--json] [--state-dir DIR]
  验证违规日志未被修改、删减或回滚 / check the violation log was not edited, cut or rolled back
  --json           print one JSON document
  --state-dir DIR  the agent's state directory (default: /var/lib/baomi for root, else ~/.local/state/baomi)
exit: 0 the hash chain, the signed checkpoints and ledger.head agree; 1 they do not (the first
bad seq and the reason: hash-mismatch, gap, reordered, bad-signature, truncated, rollback,
unreadable); 2 error`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { json: { type: 'boolean', default: false }, 'state-dir': { type: 'string' } },
    strict: true,
    allowPositionals: false,
  });
  const stateDir = resolveStateDir(values['state-dir']);
  const result = await verifyLedger({ ...ledgerFiles(stateDir), key: loadAgentKey(stateDir) });
  process.stdout.write(values.json ? JSON.stringify(result) + '\n' : render(result));
  return result.ok ? 0 : 1;
}

function render(result: VerifyResult): string {
  const lines: string[] = [];
  if (result.failure) {
    const { seq, reason, detail } = result.failure;
    lines.push(`违规日志验证失败:第 ${seq} 条,${reason}:${detail.zh}`);
    lines.push(`Violation log verification FAILED at seq ${seq}: ${reason}: ${detail.en}`);
    lines.push(`  最后通过验证 / last verified: seq ${result.lastVerifiedSeq} ${result.lastVerifiedHash}`);
  } else if (!result.exists) {
    lines.push(`尚无违规日志(${result.file})。`, `No violation log yet (${result.file}).`);
  } else {
    lines.push(`违规日志完整:${result.events} 条事件,哈希链、${result.checkpoints} 个签名检查点与 ledger.head 一致。`);
    lines.push(`The violation log verifies: ${result.events} events; the hash chain, ${result.checkpoints} signed checkpoint(s) and ledger.head agree.`);
    lines.push(`  最新 / head: seq ${result.lastSeq} ${result.lastHash}`);
    if (result.head) lines.push(`  已签名 / signed: seq ${result.head.seq} ${result.head.hash}`);
  }
  lines.push(`  文件 / file: ${result.file}`);
  lines.push(`  密钥 / key: ${result.keyFingerprint ?? '(无 / none)'}`);
  return lines.join('\n') + '\n';
}
