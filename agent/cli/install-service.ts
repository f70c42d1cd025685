import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { systemctl } from '../service/systemctl.js';
import { renderUnit, UNIT_NAME, UNIT_PATH } from '../service/systemd-unit.js';
import { UsageError } from './usage-error.js';

export const usage = `baomi-agent install-service [--dry-run] [--state-dir DIR]
  安装并启用 systemd 服务 / write and enable the hardened systemd unit (${UNIT_PATH})
  --dry-run   print the unit instead of installing it`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { 'dry-run': { type: 'boolean', default: false }, 'state-dir': { type: 'string', default: '/var/lib/baomi' } },
  });
  const script = fileURLToPath(new URL('./main.js', import.meta.url));
  const unit = renderUnit({ node: process.execPath, script, stateDir: path.resolve(values['state-dir']) });
  if (values['dry-run']) {
    process.stdout.write(unit);
    return 0;
  }
  if (process.getuid?.() !== 0) throw new UsageError('需要 root 权限 / must run as root');
  for (const warning of writableByOthers(path.resolve(path.dirname(script), '..', '..', '..'))) {
    process.stderr.write(`警告 / warning: ${warning} — 非 root 用户可修改代理程序 / a non-root user could change the agent\n`);
  }
  fs.writeFileSync(UNIT_PATH, unit, { mode: 0o644 });
  process.stdout.write(`已写入 / wrote ${UNIT_PATH}\n`);
  for (const args of [['daemon-reload'], ['enable', '--now', UNIT_NAME]]) {
    const result = systemctl(...args);
    if (!result.ok) {
      process.stderr.write(`systemctl ${args.join(' ')} 失败 / failed: ${result.output}\n`);
      return 1;
    }
  }
  process.stdout.write(`服务已启用并启动 / ${UNIT_NAME} enabled and started\n`);
  return 0;
}

/** The agent's own files must be root's alone, or a user could replace the code that watches them. */
function writableByOthers(root: string): string[] {
  const problems: string[] = [];
  for (const dir of [root, path.join(root, 'dist'), path.join(root, 'node_modules')]) {
    try {
      const stat = fs.statSync(dir);
      if (stat.uid !== 0 || stat.mode & 0o022) problems.push(`${dir} (owner uid ${stat.uid}, mode ${(stat.mode & 0o777).toString(8)})`);
    } catch {
      // absent: nothing to warn about
    }
  }
  return problems;
}
