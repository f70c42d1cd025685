import { parseArgs } from 'node:util';
import { HostRoot } from '../host-root.js';
import { AgentService } from '../service/agent-service.js';
import { createLogger } from '../service/logger.js';
import { ensureStateDir, resolveStateDir } from '../state/state-dir.js';
import { DEFAULT_TRUST_DIR } from '../../policies/trust-store.js';

export const usage = `baomi-agent run [--state-dir DIR] [--trust-dir DIR] [--root DIR] [--log-level LEVEL]
  以服务方式持续运行(由 systemd 管理)/ run the agent in the foreground (systemd supervises it):
  scans at start, on schedule, on every device change and before each holiday; heartbeats;
  logs JSON lines to stdout. SIGTERM or SIGINT stops it cleanly.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'state-dir': { type: 'string' },
      'trust-dir': { type: 'string', default: DEFAULT_TRUST_DIR },
      root: { type: 'string', default: '/' },
      'log-level': { type: 'string' },
    },
  });
  const logger = createLogger(values['log-level']);
  // Listen before starting: a stop asked for during start-up waits for the start to finish.
  const signalled = new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  const stateDir = ensureStateDir(resolveStateDir(values['state-dir']));
  const service = await AgentService.start({ host: new HostRoot(values.root), stateDir, trustDir: values['trust-dir'], logger });
  const signal = await signalled;
  try {
    await service.stop(signal);
    return 0;
  } catch (error) {
    logger.error({ err: error }, 'stop failed');
    return 1;
  }
}
