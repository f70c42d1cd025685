import { printable } from '../agent/text/terminal.js';

/**
 * Progress over many bundles, on stderr: a bar redrawn in place when stderr is a terminal,
 * otherwise a plain line at every tenth (for logs and pipes). Few bundles show nothing.
 */

export interface Progress {
  tick(label: string): void;
  done(): void;
}

const MIN_TOTAL = 10;
const WIDTH = 30;

export function progress(total: number, stream: Pick<NodeJS.WriteStream, 'isTTY' | 'write'>): Progress {
  if (total < MIN_TOTAL) return { tick() {}, done() {} };
  let count = 0;
  let lastTenth = 0;
  const tty = stream.isTTY === true;
  return {
    tick(label: string) {
      count++;
      if (tty) {
        const filled = Math.round((WIDTH * count) / total);
        const name = label.length > 40 ? `${label.slice(0, 39)}…` : label;
        stream.write(`\r\x1b[K[${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${count}/${total} ${printable(name)}`);
      } else {
        const tenth = Math.floor((10 * count) / total);
        if (tenth > lastTenth) {
          lastTenth = tenth;
          stream.write(`已处理 / processed ${count}/${total} 个检查包 / bundles\n`);
        }
      }
    },
    done() {
      if (tty) stream.write('\r\x1b[K');
    },
  };
}
