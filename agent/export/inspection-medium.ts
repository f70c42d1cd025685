import fs from 'node:fs';
import path from 'node:path';
import type { FindingOf } from '../findings/schema.js';
import type { HostRoot } from '../host-root.js';
import { runProbes } from '../probes/run-probes.js';
import { storageProbe } from '../probes/storage/linux.js';
import { findMedia } from '../../policies/registry.js';
import type { MediaEntry, Policy } from '../../policies/schema.js';

export interface InspectionMedium {
  /** The directory, with symlinks resolved. */
  dir: string;
  medium: FindingOf<'removable-storage'>;
  entry: MediaEntry;
}

/** Why a directory is not on an active registered inspection medium (zh, en). */
export class MediumRefused extends Error {
  constructor(
    readonly zh: string,
    readonly en: string,
    readonly medium: FindingOf<'removable-storage'> | null = null,
  ) {
    super(en);
  }
}

/**
 * The removable medium a directory lives on, found from the device number of its file system
 * (/sys/dev/block/MAJ:MIN → the partition → its disk → the storage finding), and its registry
 * entry, which must be an active medium registered with role `inspection`: exporting to any
 * other medium would itself break the rules.
 */
export function inspectionMediumOf(host: HostRoot, dir: string, policy: Policy): InspectionMedium {
  let real: string;
  let stat: fs.Stats;
  try {
    real = fs.realpathSync(dir);
    stat = fs.statSync(real);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new MediumRefused(`目标目录不可用(${code}):${dir}`, `the destination is not usable (${code}): ${dir}`);
  }
  if (!stat.isDirectory()) throw new MediumRefused(`目标不是目录:${dir}`, `the destination is not a directory: ${dir}`);
  const device = `${major(stat.dev)}:${minor(stat.dev)}`;
  const block = host.resolve(`/sys/dev/block/${device}`);
  if (block === undefined) throw new MediumRefused(`${dir} 不在块设备上(设备号 ${device})`, `${dir} is not on a block device (device ${device})`);
  const disk = host.exists(`${block}/partition`) ? path.posix.basename(path.posix.dirname(block)) : path.posix.basename(block);
  const medium = runProbes({ host, requiredSoftware: [] }, [storageProbe]).findings.find(
    (f): f is FindingOf<'removable-storage'> => f.kind === 'removable-storage' && f.device === disk,
  );
  if (medium === undefined) throw new MediumRefused(`${dir} 不在移动存储介质上(${disk})`, `${dir} is not on removable media (${disk})`);
  const entry = findMedia(policy, medium);
  if (entry === null) throw new MediumRefused('该介质未登记,不得用于导出', 'this medium is not registered: it must not be used for export', medium);
  if (entry.role !== 'inspection') {
    throw new MediumRefused(`介质 ${entry.id} 不是检查专用介质`, `medium ${entry.id} is not registered as an inspection medium`, medium);
  }
  if (entry.status !== 'active') throw new MediumRefused(`介质 ${entry.id} 已${entry.status === 'lost' ? '挂失' : '停用'}`, `medium ${entry.id} is ${entry.status}`, medium);
  return { dir: real, medium, entry };
}

/** Linux's dev_t encoding (glibc's gnu_dev_major / gnu_dev_minor). */
function major(dev: number): number {
  return Number(((BigInt(dev) >> 8n) & 0xfffn) | ((BigInt(dev) >> 32n) & ~0xfffn));
}

function minor(dev: number): number {
  return Number((BigInt(dev) & 0xffn) | ((BigInt(dev) >> 12n) & ~0xffn));
}
