import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { generateOfficerKey } from '../../policies/officer-key.js';
import { DEFAULT_TRUST_DIR, trustOfficerKey } from '../../policies/trust-store.js';
import { readPassphrase } from './passphrase.js';
import { UsageError } from './usage-error.js';

export const usage = `baomi-agent officer keygen --out officer.key [--passphrase-file FILE]
  生成保密员签名密钥(私钥以口令加密,公钥写入 officer.pub)/ create a secrecy officer's signing key
baomi-agent officer trust officer.pub [--trust-dir DIR]
  信任该保密员的公钥(默认 ${DEFAULT_TRUST_DIR})/ trust an officer's public key on this computer`;

export async function run(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { out: { type: 'string' }, 'passphrase-file': { type: 'string' }, 'trust-dir': { type: 'string', default: DEFAULT_TRUST_DIR } },
  });
  if (verb === 'keygen') {
    if (!values.out || positionals.length > 0) throw new UsageError('keygen needs --out FILE');
    const publicFile = values.out.replace(/\.key$/, '') + '.pub';
    for (const file of [values.out, publicFile]) {
      if (fs.existsSync(file)) throw new UsageError(`${file} 已存在,不会覆盖 / ${file} exists: not overwritten`);
    }
    const passphrase = await readPassphrase(values['passphrase-file'], '设置私钥口令 / passphrase for the new key: ', true);
    const pair = generateOfficerKey(passphrase);
    fs.writeFileSync(values.out, pair.privateKeyFile, { mode: 0o600, flag: 'wx' });
    fs.writeFileSync(publicFile, pair.publicKeyPem, { mode: 0o644, flag: 'wx' });
    process.stdout.write(
      `私钥 / private key: ${values.out}(请妥善保管 / keep it safe)\n公钥 / public key:  ${publicFile}\n指纹 / fingerprint: ${pair.fingerprint}\n`,
    );
    return 0;
  }
  if (verb === 'trust') {
    if (positionals.length !== 1) throw new UsageError('trust needs one public key file');
    const fp = trustOfficerKey(positionals[0]!, values['trust-dir']);
    process.stdout.write(`已信任保密员公钥 / trusted officer key\n指纹 / fingerprint: ${fp}\n`);
    return 0;
  }
  throw new UsageError(`unknown officer command ${verb ?? ''}`);
}
