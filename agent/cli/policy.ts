import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { Ledger } from '../ledger/ledger.js';
import { resolveStateDir } from '../state/state-dir.js';
import { highestAppliedVersion } from '../../policies/highest-applied.js';
import { applySignedPolicy, loadPolicyInForce } from '../../policies/in-force.js';
import { parsePolicy, PolicyError } from '../../policies/load.js';
import { openOfficerKey } from '../../policies/officer-key.js';
import { signPolicy } from '../../policies/signed-policy.js';
import { DEFAULT_TRUST_DIR } from '../../policies/trust-store.js';
import { readPassphrase } from './passphrase.js';
import { UsageError } from './usage-error.js';

export const usage = `baomi-agent policy sign FILE --key officer.key [--out FILE.signed.json] [--passphrase-file F]
  保密员签名策略(签名覆盖策略文件的全部字节,含登记簿)/ sign a policy, registry included, byte for byte
baomi-agent policy apply FILE.signed.json [--state-dir DIR] [--trust-dir DIR]
  验证签名、格式与版本后安装为生效策略 / verify signature, schema and version, then put it in force
baomi-agent policy show [--json] [--state-dir DIR] [--trust-dir DIR]
  显示生效策略 / print the policy in force
exit: 0 done, 1 refused, 2 usage error`;

export async function run(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      key: { type: 'string' },
      out: { type: 'string' },
      'passphrase-file': { type: 'string' },
      'state-dir': { type: 'string' },
      'trust-dir': { type: 'string', default: DEFAULT_TRUST_DIR },
      json: { type: 'boolean', default: false },
    },
  });
  const places = { stateDir: resolveStateDir(values['state-dir']), trustDir: values['trust-dir'] };
  switch (verb) {
    case 'sign':
      return sign(one(positionals, 'sign needs the policy file'), values.key, values.out, values['passphrase-file']);
    case 'apply':
      return apply(one(positionals, 'apply needs the signed policy file'), places);
    case 'show':
      return show(places, values.json);
    default:
      throw new UsageError(`unknown policy command ${verb ?? ''}`);
  }
}

function one(positionals: string[], message: string): string {
  if (positionals.length !== 1) throw new UsageError(message);
  return positionals[0]!;
}

async function sign(file: string, keyFile: string | undefined, out: string | undefined, passphraseFile: string | undefined): Promise<number> {
  if (!keyFile) throw new UsageError('sign needs --key officer.key');
  const bytes = fs.readFileSync(file);
  const loaded = parsePolicy(bytes, file); // refuse to sign what would be refused when applied
  const privateKey = openOfficerKey(fs.readFileSync(keyFile, 'utf8'), await readPassphrase(passphraseFile, '私钥口令 / passphrase: '));
  const target = out ?? file.replace(/\.json$/, '') + '.signed.json';
  fs.writeFileSync(target, signPolicy(bytes, privateKey), { mode: 0o644 });
  process.stdout.write(`已签名 / signed: ${loaded.policy.id} 第 ${loaded.policy.version} 版 / version ${loaded.policy.version} → ${target}\nsha256 ${loaded.sha256}\n`);
  return 0;
}

async function apply(file: string, places: { stateDir: string; trustDir: string }): Promise<number> {
  const ledger = await Ledger.open({ stateDir: places.stateDir });
  try {
    const application = applySignedPolicy(file, places, highestAppliedVersion(ledger));
    const { applied, unchanged } = application;
    if (unchanged) {
      process.stdout.write(`该策略已经生效,无变化 / this policy is already in force: nothing changed\n`);
      return 0;
    }
    ledger.append({
      type: 'policy.applied',
      payload: { id: applied.policy.id, version: applied.policy.version, sha256: applied.sha256, signer: applied.signer },
    });
    process.stdout.write(
      `策略已生效 / policy in force: ${applied.policy.id} 第 ${applied.policy.version} 版 / version ${applied.policy.version}\n` +
        `签名者 / signed by ${applied.signer}\nsha256 ${applied.sha256}\n`,
    );
    return 0;
  } catch (error) {
    if (!(error instanceof PolicyError)) throw error;
    const sha256 = fs.existsSync(file) ? createHash('sha256').update(fs.readFileSync(file)).digest('hex') : undefined;
    ledger.append({ type: 'policy.refused', payload: { source: file, field: error.field, reason: error.reason, ...(sha256 ? { sha256 } : {}) } });
    const inForce = loadPolicyInForce(places).inForce;
    process.stderr.write(
      `baomi-agent: 策略被拒绝 / policy refused: ${error.message}\n` +
        `生效策略不变 / still in force: ${inForce.policy.id} 第 ${inForce.policy.version} 版 / version ${inForce.policy.version}\n`,
    );
    return 1;
  } finally {
    ledger.close();
  }
}

function show(places: { stateDir: string; trustDir: string }, json: boolean): number {
  const { inForce, refused } = loadPolicyInForce(places);
  if (json) {
    process.stdout.write(JSON.stringify({ signer: inForce.signer, sha256: inForce.sha256, policy: JSON.parse(inForce.bytes.toString('utf8')) }) + '\n');
    return 0;
  }
  if (refused) process.stderr.write(`警告 / warning: 已安装的策略未通过验证,使用内置策略 / the installed policy does not verify, the built-in one applies: ${refused.message}\n`);
  const p = inForce.policy;
  const registry = p.registry;
  process.stdout.write(
    [
      `${p.title.zh} / ${p.title.en}`,
      `id ${p.id} · 第 ${p.version} 版 / version ${p.version} · sha256 ${inForce.sha256}`,
      `签名者 / signer: ${inForce.signer === 'builtin' ? '内置默认策略 / built-in default' : inForce.signer}`,
      `本机密级 / computer class: ${p.computerClass} · 时区 / time zone: ${p.timezone}`,
      `规则 / rules: ${p.rules.filter((r) => r.enabled).length} 条启用 / enabled of ${p.rules.length}: ${p.rules.filter((r) => r.enabled).map((r) => r.id).join(' ')}`,
      `登记簿 / registry: 介质 ${registry.media.length} media, 打印机 ${registry.printers.length} printers, 网卡 ${registry.networkInterfaces.length} interfaces, 计算机 ${registry.hosts.length} hosts, 硬盘 ${registry.disks.length} disks`,
      `必需安全软件 / required software: ${p.requiredSoftware.map((s) => s.name.zh).join('、') || '无 / none'}`,
      `节假日表 / holiday table: ${Object.keys(p.holidays).join(', ') || '无 / none'}`,
      '',
    ].join('\n'),
  );
  return 0;
}
