import { parseArgs } from 'node:util';
import { loadOrCreateAgentKey } from '../state/agent-key.js';
import { ensureStateDir, resolveStateDir } from '../state/state-dir.js';

export const usage = `baomi-agent identity [--json] [--state-dir DIR]
  显示本代理的公钥及指纹,供检查人员登记 / print this agent's public key and fingerprint, for enrolment with the inspectors
  (the Ed25519 key that signs the violation log; generated on first use)
  --json           print one JSON document
  --state-dir DIR  the agent's state directory (default: /var/lib/baomi for root, else ~/.local/state/baomi)
exit: 0 printed, 2 error`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { json: { type: 'boolean', default: false }, 'state-dir': { type: 'string' } },
    strict: true,
    allowPositionals: false,
  });
  const stateDir = ensureStateDir(resolveStateDir(values['state-dir']));
  const key = loadOrCreateAgentKey(stateDir);
  const publicKeyPem = key.publicKey.export({ format: 'pem', type: 'spki' }).toString();
  if (values.json) {
    process.stdout.write(
      JSON.stringify({ algorithm: 'Ed25519', fingerprint: key.fingerprint, publicKey: key.publicRaw.toString('base64'), publicKeyPem, keyFile: key.file }) + '\n',
    );
  } else {
    process.stdout.write(
      `代理身份 / agent identity (Ed25519)\n` +
        `指纹 / fingerprint: ${key.fingerprint}\n` +
        `公钥 / public key (raw, base64): ${key.publicRaw.toString('base64')}\n` +
        publicKeyPem,
    );
  }
  return 0;
}
