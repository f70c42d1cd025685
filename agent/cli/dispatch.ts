import { PolicyError } from '../../policies/load.js';
import { UsageError } from './usage-error.js';

/** A subcommand: its usage text, and its work returning the exit code. */
export interface Command {
  usage: string;
  run(argv: string[]): Promise<number>;
}

export interface Program {
  name: string;
  title: string;
  /** One file per subcommand, loaded only when called (start-up stays cheap). */
  commands: Record<string, () => Promise<Command>>;
  /** A message for an error this program expects (shown without a stack), or undefined. */
  explain?: (error: unknown) => string | undefined;
}

const FILE_ERRORS: Record<string, string> = {
  ENOENT: '文件不存在 / no such file',
  EACCES: '权限不足 / permission denied',
  EPERM: '不允许的操作 / operation not permitted',
  EISDIR: '是目录而不是文件 / is a directory',
  ENOSPC: '磁盘已满 / no space left on the device',
  EROFS: '只读文件系统 / read-only file system',
};

/**
 * Run `argv` against a program's subcommands. Exit codes: the command's own; 2 for a usage
 * error or an error nobody expected (then with its stack: a bug, not the user's doing).
 */
export async function dispatch(program: Program, argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const load = name === undefined ? undefined : program.commands[name];
  if (load === undefined) {
    const help = name === undefined || name === 'help' || name === '--help';
    process.stderr.write(`${program.name} — ${program.title}\nusage: ${program.name} <${Object.keys(program.commands).join('|')}> … (--help for each)\n`);
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
    process.stderr.write(`${program.name}: ${describe(error, program, command.usage)}\n`);
    return 2;
  }
}

function describe(error: unknown, program: Program, usage: string): string {
  const e = error as NodeJS.ErrnoException;
  if (error instanceof UsageError || e?.code?.startsWith?.('ERR_PARSE_ARGS')) return `${e.message}\n${usage}`;
  if (error instanceof PolicyError) return `策略无效 / policy refused: ${error.message}`;
  const explained = program.explain?.(error);
  if (explained !== undefined) return explained;
  if (typeof e?.code === 'string' && typeof e.path === 'string') return `${e.path}: ${FILE_ERRORS[e.code] ?? e.code}`;
  return `错误 / error: ${e?.stack ?? String(error)}`;
}
