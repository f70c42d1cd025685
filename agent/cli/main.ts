#!/usr/bin/env node
import { PolicyError } from '../../policies/load.js';
import { UsageError } from './usage-error.js';

interface Command {
  usage: string;
  run(argv: string[]): Promise<number>;
}

/** One file per subcommand, loaded only when called (start-up stays cheap). */
const COMMANDS: Record<string, () => Promise<Command>> = {
  scan: () => import('./scan.js'),
  log: () => import('./log.js'),
  verify: () => import('./verify.js'),
  identity: () => import('./identity.js'),
  officer: () => import('./officer.js'),
  policy: () => import('./policy.js'),
  media: () => import('./media.js'),
  run: () => import('./run.js'),
  status: () => import('./status.js'),
  export: () => import('./export.js'),
  'install-service': () => import('./install-service.js'),
  'uninstall-service': () => import('./uninstall-service.js'),
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const load = name === undefined ? undefined : COMMANDS[name];
  if (load === undefined || name === 'help' || name === '--help') {
    process.stderr.write(`baomi-agent — 保密合规代理 / endpoint compliance agent\nusage: baomi-agent <${Object.keys(COMMANDS).join('|')}> …\n`);
    return name === undefined || name === 'help' || name === '--help' ? 0 : 2;
  }
  const command = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(command.usage + '\n');
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    return reportError(error, command.usage);
  }
}

const FILE_ERRORS: Record<string, string> = {
  ENOENT: '文件不存在 / no such file',
  EACCES: '权限不足 / permission denied',
  EPERM: '不允许的操作 / operation not permitted',
  EISDIR: '是目录而不是文件 / is a directory',
  ENOSPC: '磁盘已满 / no space left on the device',
  EROFS: '只读文件系统 / read-only file system',
};

function isFileError(error: unknown): error is NodeJS.ErrnoException {
  const e = error as NodeJS.ErrnoException;
  return typeof e?.code === 'string' && typeof e.path === 'string';
}

function reportError(error: unknown, usage: string): number {
  if (error instanceof PolicyError) {
    process.stderr.write(`baomi-agent: 策略无效 / policy refused: ${error.message}\n`);
  } else if (error instanceof UsageError || (error as NodeJS.ErrnoException)?.code?.startsWith?.('ERR_PARSE_ARGS')) {
    process.stderr.write(`baomi-agent: ${(error as Error).message}\n${usage}\n`);
  } else if (isFileError(error)) {
    process.stderr.write(`baomi-agent: ${error.path}: ${FILE_ERRORS[error.code!] ?? error.code}\n`);
  } else {
    process.stderr.write(`baomi-agent: 错误 / error: ${(error as Error)?.stack ?? String(error)}\n`);
  }
  return 2;
}

process.exitCode = await main(process.argv.slice(2));
// `run` may leave handles open (libusb's event thread): once a command is done, the process is.
if (process.argv[2] === 'run') process.exit();
