#!/usr/bin/env node
import { UsageError } from '../../agent/cli/usage-error.js';
import { PolicyError } from '../../policies/load.js';
import { ArchiveError } from '../archive.js';
import { PathError } from '../find-bundles.js';

/**
 * baomi-collector: the inspector's tool, on the inspector's own machine. One file per subcommand,
 * loaded only when called. Exit codes: 0 ok, 1 problems found, 2 usage or other error.
 */

interface Command {
  usage: string;
  run(argv: string[]): Promise<number>;
}

const COMMANDS: Record<string, () => Promise<Command>> = {
  import: () => import('./import.js'),
  verify: () => import('./verify.js'),
  report: () => import('./report.js'),
  hosts: () => import('./hosts.js'),
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const load = name === undefined ? undefined : COMMANDS[name];
  if (load === undefined) {
    const help = name === undefined || name === 'help' || name === '--help';
    process.stderr.write(`baomi-collector — 保密检查汇总工具 / the inspectors' collector\nusage: baomi-collector <${Object.keys(COMMANDS).join('|')}> … (--help for each)\n`);
    return help ? 0 : 2;
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

function reportError(error: unknown, usage: string): number {
  if (error instanceof UsageError || (error as NodeJS.ErrnoException)?.code?.startsWith?.('ERR_PARSE_ARGS')) {
    process.stderr.write(`baomi-collector: ${(error as Error).message}\n${usage}\n`);
  } else if (error instanceof PolicyError) {
    process.stderr.write(`baomi-collector: 策略文件无效 / policy file refused: ${error.message}\n`);
  } else if (error instanceof ArchiveError || error instanceof PathError) {
    process.stderr.write(`baomi-collector: ${error.message}\n`);
  } else if (typeof (error as NodeJS.ErrnoException)?.code === 'string' && typeof (error as NodeJS.ErrnoException).path === 'string') {
    const e = error as NodeJS.ErrnoException;
    process.stderr.write(`baomi-collector: ${e.path}: ${e.code}\n`);
  } else {
    process.stderr.write(`baomi-collector: 错误 / error: ${(error as Error)?.stack ?? String(error)}\n`);
  }
  return 2;
}

process.exitCode = await main(process.argv.slice(2));
