import fs from 'node:fs';
import { systemctl } from '../service/systemctl.js';
import { UNIT_NAME, UNIT_PATH } from '../service/systemd-unit.js';
import { UsageError } from './usage-error.js';

export const usage = `baomi-agent uninstall-service
  停止并删除 systemd 服务(保留状态目录与违规日志)/ stop and remove the unit (the state directory and log are kept)`;

export async function run(argv: string[]): Promise<number> {
  if (argv.length > 0) throw new UsageError('uninstall-service takes no arguments');
  if (process.getuid?.() !== 0) throw new UsageError('需要 root 权限 / must run as root');
  const disabled = systemctl('disable', '--now', UNIT_NAME);
  if (!disabled.ok) process.stderr.write(`systemctl disable: ${disabled.output}\n`);
  fs.rmSync(UNIT_PATH, { force: true });
  systemctl('daemon-reload');
  process.stdout.write(`已删除 / removed ${UNIT_PATH}(状态目录保留 / state directory kept)\n`);
  return 0;
}
