import type { FindingOf } from '../../agent/findings/schema.js';
import { classRank, findMedia, isThisHost } from '../registry.js';
import { reason, type Check, type CheckContext } from './check.js';

const describeIdentity = (medium: FindingOf<'removable-storage'>) =>
  medium.noSerial ? reason('(该介质没有序列号,身份识别较弱)', ' (the medium has no serial number: weak identity)') : reason('', '');

export const mediaUnregistered: Check = {
  'removable-storage': (medium, context) => {
    if (findMedia(context.policy, medium) !== null) return null;
    const weak = describeIdentity(medium);
    const empty = medium.mediaPresent ? reason('', '') : reason('(读卡器/驱动器中无介质)', ' (no medium inserted)');
    return reason(
      `未登记的移动存储设备${empty.zh}${weak.zh}`,
      `removable storage not in the registry${empty.en}${weak.en}`,
    );
  },
};

function registered(medium: FindingOf<'removable-storage'>, context: CheckContext) {
  return findMedia(context.policy, medium);
}

export const mediaWrongClass: Check = {
  'removable-storage': (medium, context) => {
    const entry = registered(medium, context);
    if (entry === null || classRank(entry.class) >= classRank(context.computerClass)) return null;
    return reason(
      `登记为「${entry.class}」的介质(${entry.id})用于「${context.computerClass}」计算机`,
      `medium ${entry.id} registered as ${entry.class} used on a ${context.computerClass} computer`,
    );
  },
};

export const mediaWrongHost: Check = {
  'removable-storage': (medium, context) => {
    const entry = registered(medium, context);
    if (entry === null || entry.role !== 'storage' || entry.boundHost === null || isThisHost(entry.boundHost, context.host)) {
      return null;
    }
    return reason(
      `介质 ${entry.id} 绑定在计算机 ${entry.boundHost},不得在本机使用`,
      `medium ${entry.id} is bound to computer ${entry.boundHost}, not this one`,
    );
  },
};

const STATUS_ZH = { retired: '已停用', lost: '已挂失' } as const;

export const mediaRetired: Check = {
  'removable-storage': (medium, context) => {
    const entry = registered(medium, context);
    if (entry === null || entry.status === 'active') return null;
    return reason(
      `介质 ${entry.id} 在登记簿中为「${STATUS_ZH[entry.status]}」状态`,
      `medium ${entry.id} is ${entry.status} in the registry`,
    );
  },
};
