import { reason, type Check } from './check.js';
import { localTime } from './traces.js';

/**
 * FILE-INTEGRITY (T1 八.4): "查看数据的最后修改日期是否与本人的操作时间相符 … 发现文件、数据被
 * 无故修改、移动、删除的要及时告知系统管理员". Every change to a watched folder since its baseline
 * is reported, flagged when it was made outside working hours; with `report: off-hours` only
 * those, and every move and deletion.
 */

const CHANGE = {
  added: ['新增文件', 'file added'],
  changed: ['文件内容被修改', 'file content changed'],
  moved: ['文件被移动', 'file moved'],
  deleted: ['文件被删除', 'file deleted'],
} as const;

export const fileIntegrity: Check = {
  'file-change': (change, context) => {
    const quiet = change.change === 'added' || change.change === 'changed';
    if (context.policy.fileIntegrity.report === 'off-hours' && quiet && !change.offHours) return null;
    const [zh, en] = CHANGE[change.change];
    const when = change.mtime === null ? null : localTime(change.mtime, context);
    const off = change.offHours ? ['(修改时间在工作时间之外)', ' (modified outside working hours)'] : ['', ''];
    const from = change.previousPath ? [`,原位置 ${change.previousPath}`, ` from ${change.previousPath}`] : ['', ''];
    return reason(
      `${zh}${from[0]}${when ? `,修改时间 ${when}` : ''}${off[0]}`,
      `${en}${from[1]}${when ? `, modified ${when}` : ''}${off[1]}`,
    );
  },
  'watched-folder': (folder) => {
    if (folder.state === 'baseline-tampered') {
      return reason('受监控目录的文件基线被改动(与违规日志中的摘要不符)', 'the watched folder\'s baseline was altered (it does not match the digest in the violation log)');
    }
    if (folder.state === 'missing') return reason('受监控目录不存在或不是目录', 'the watched folder does not exist or is not a folder');
    return null;
  },
};
