import os from 'node:os';
import { parseArgs } from 'node:util';
import type { FindingOf } from '../findings/schema.js';
import { formatBytes } from '../findings/label.js';
import { HostRoot } from '../host-root.js';
import { readHostIdentity } from '../host-identity.js';
import { runProbes } from '../probes/run-probes.js';
import { storageProbe } from '../probes/storage/linux.js';
import { dateIn } from '../schedule/calendar-date.js';
import { resolveStateDir } from '../state/state-dir.js';
import { renderTable } from '../text/terminal.js';
import { enrollMedium, openDraft, retireMedium, saveDraft } from '../../policies/draft.js';
import { loadPolicyInForce } from '../../policies/in-force.js';
import { findMedia } from '../../policies/registry.js';
import { Classification } from '../../policies/schema.js';
import { DEFAULT_TRUST_DIR } from '../../policies/trust-store.js';
import { UsageError } from './usage-error.js';

export const usage = `baomi-agent media list [--json] [--root DIR]
  列出本机连接的移动存储介质及其登记状态 / removable media connected now, with their registry status
baomi-agent media enroll DEVICE --owner NAME --class 秘密 --policy draft.json
        [--host HOSTNAME] [--role storage|inspection] [--label TEXT] [--by NAME] [--root DIR]
  把介质登记到待签名的策略草稿中(DEVICE:sdb、/dev/sdb、序列号或 media list 中的编号)
  / add a connected medium to an unsigned draft policy (DEVICE: sdb, /dev/sdb, its serial, or its id)
baomi-agent media retire ID [--status retired|lost] --policy draft.json
  在草稿中将介质标记为停用或挂失 / mark a registered medium retired or lost in the draft
then: baomi-agent policy sign draft.json --key officer.key && baomi-agent policy apply draft.signed.json`;

export async function run(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      root: { type: 'string', default: '/' },
      json: { type: 'boolean', default: false },
      policy: { type: 'string' },
      owner: { type: 'string' },
      class: { type: 'string' },
      host: { type: 'string' },
      role: { type: 'string', default: 'storage' },
      label: { type: 'string' },
      by: { type: 'string' },
      status: { type: 'string', default: 'retired' },
      'state-dir': { type: 'string' },
      'trust-dir': { type: 'string', default: DEFAULT_TRUST_DIR },
    },
  });
  const host = new HostRoot(values.root);
  const { inForce } = loadPolicyInForce({ stateDir: resolveStateDir(values['state-dir']), trustDir: values['trust-dir'] });
  const media = () => runProbes({ host, requiredSoftware: [] }, [storageProbe]).findings.filter((f): f is FindingOf<'removable-storage'> => f.kind === 'removable-storage');

  if (verb === 'list') {
    const rows = media().map((m) => ({ medium: m, entry: findMedia(inForce.policy, m) }));
    if (values.json) {
      process.stdout.write(JSON.stringify(rows.map(({ medium, entry }) => ({ ...medium, registry: entry }))) + '\n');
      return 0;
    }
    const table = rows.map(({ medium, entry }) => [
      medium.device ?? '-',
      medium.usb ? `${medium.usb.vendorId}:${medium.usb.productId}` : medium.bus,
      [medium.usb?.manufacturer, medium.usb?.product ?? medium.model].filter(Boolean).join(' '),
      medium.noSerial ? '(无 / none)' : medium.serial!,
      formatBytes(medium.capacityBytes) ?? '(无介质 / empty)',
      entry ? `${entry.id} ${entry.class} ${entry.status}${entry.role === 'inspection' ? ' 检查专用/inspection' : ''}` : '未登记 / UNREGISTERED',
    ]);
    const header = ['设备/Device', 'VID:PID', '名称/Name', '序列号/Serial', '容量/Size', '登记/Registry'];
    process.stdout.write(rows.length === 0 ? '未连接移动存储介质 / no removable media connected\n' : renderTable(header, table, process.stdout.columns || 120, [2, 3]).join('\n') + '\n');
    return 0;
  }

  if (verb === 'enroll') {
    if (positionals.length !== 1) throw new UsageError('enroll needs one DEVICE');
    if (!values.policy || !values.owner || !values.class) throw new UsageError('enroll needs --policy draft.json, --owner NAME and --class');
    const level = Classification.safeParse(values.class);
    if (!level.success) throw new UsageError(`--class must be one of ${Classification.options.join(' ')}`);
    if (values.role !== 'storage' && values.role !== 'inspection') throw new UsageError('--role must be storage or inspection');
    const medium = pick(media(), positionals[0]!);
    const identity = readHostIdentity(host);
    const draft = openDraft(values.policy, inForce.bytes);
    const entry = enrollMedium(draft, medium, {
      owner: values.owner,
      class: level.data,
      role: values.role,
      boundHost: values.host ?? identity.hostname,
      label: values.label ?? ([medium.usb?.manufacturer, medium.usb?.product ?? medium.model].filter(Boolean).join(' ') || medium.id),
      registeredBy: values.by ?? process.env.SUDO_USER ?? os.userInfo().username,
      registeredAt: dateIn(new Date(), inForce.policy.timezone),
    });
    const { version } = saveDraft(draft, inForce.policy.version);
    process.stdout.write(
      `已登记到草稿 / enrolled in the draft: ${entry.id} ${entry.label} (${entry.vendorId ?? '-'}:${entry.productId ?? '-'} S/N ${entry.serial ?? '无/none'})\n` +
        (medium.noSerial ? '注意:该介质没有序列号,身份识别较弱 / note: this medium has no serial number: its identity is weak\n' : '') +
        `草稿 / draft ${values.policy} 第 ${version} 版 / version ${version}:请签名后生效 / sign and apply it to put it in force\n`,
    );
    return 0;
  }

  if (verb === 'retire') {
    if (positionals.length !== 1 || !values.policy) throw new UsageError('retire needs one registry ID and --policy draft.json');
    if (values.status !== 'retired' && values.status !== 'lost') throw new UsageError('--status must be retired or lost');
    const draft = openDraft(values.policy, inForce.bytes);
    const entry = retireMedium(draft, positionals[0]!, values.status);
    const { version } = saveDraft(draft, inForce.policy.version);
    process.stdout.write(`${entry.id} → ${entry.status}:草稿 / draft ${values.policy} 第 ${version} 版 / version ${version}\n`);
    return 0;
  }
  throw new UsageError(`unknown media command ${verb ?? ''}`);
}

/** A connected medium by block device name, /dev path, serial or finding id. */
function pick(media: FindingOf<'removable-storage'>[], wanted: string): FindingOf<'removable-storage'> {
  const name = wanted.replace(/^\/dev\//, '');
  const matches = media.filter((m) => m.device === name || m.id === wanted || (!m.noSerial && m.serial === wanted));
  if (matches.length === 1) return matches[0]!;
  const known = media.map((m) => m.device ?? m.id).join(', ') || '无 / none';
  throw new UsageError(
    matches.length === 0
      ? `没有找到介质 ${wanted}(已连接:${known})/ no connected medium ${wanted} (connected: ${known})`
      : `${wanted} 指向多个介质,请用设备名 / ${wanted} matches several media: use the device name`,
  );
}
