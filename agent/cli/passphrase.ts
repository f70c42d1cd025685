import fs from 'node:fs';
import { UsageError } from './usage-error.js';

/** The officer's passphrase: the first line of --passphrase-file, or typed on the terminal without echo. */
export async function readPassphrase(file: string | undefined, prompt: string, confirm = false): Promise<string> {
  if (file !== undefined) return fs.readFileSync(file, 'utf8').split(/\r?\n/)[0]!;
  if (!process.stdin.isTTY) throw new UsageError('没有终端可输入口令,请使用 --passphrase-file / no terminal to type the passphrase: use --passphrase-file');
  const first = await askHidden(prompt);
  if (confirm && (await askHidden('再次输入口令 / repeat the passphrase: ')) !== first) {
    throw new UsageError('两次输入的口令不一致 / the passphrases differ');
  }
  return first;
}

function askHidden(prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(prompt);
    stdin.setRawMode(true);
    stdin.resume();
    let typed = '';
    const onData = (chunk: Buffer) => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n') return finish(() => resolve(typed));
        if (char === '\u0003') return finish(() => reject(new UsageError('已取消 / cancelled')));
        if (char === '\u007f' || char === '\b') typed = [...typed].slice(0, -1).join('');
        else typed += char;
      }
    };
    const finish = (done: () => void) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      done();
    };
    stdin.on('data', onData);
  });
}
