import { spawnSync } from 'node:child_process';

/** Run systemctl (only the install commands do; the agent itself never spawns processes on Linux). */
export function systemctl(...args: string[]): { ok: boolean; output: string } {
  const result = spawnSync('systemctl', args, { encoding: 'utf8' });
  return { ok: result.status === 0, output: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}`.trim() };
}
