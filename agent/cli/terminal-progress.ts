import type { DeepScanStep } from '../scan/deep-scan.js';
import type { Lang } from '../text/i18n.js';
import { printable } from '../text/terminal.js';

/** How often the line is redrawn at most: progress must not cost what it reports. */
const REDRAW_MS = 200;

/** The deep scan's progress on a terminal: one line redrawn in place (only when stderr is a terminal). */
export class TerminalProgress {
  private lastDraw = 0;
  private lastStep = '';

  constructor(
    private readonly stream: Pick<NodeJS.WriteStream, 'write'>,
    private readonly lang: Lang,
  ) {}

  show(step: DeepScanStep): void {
    const now = Date.now();
    if (step.step === this.lastStep && now - this.lastDraw < REDRAW_MS) return;
    this.lastStep = step.step;
    this.lastDraw = now;
    this.stream.write(`\r\x1b[K${printable(this.describe(step))}`);
  }

  /** Erase the line (once: a cleared progress stays quiet). */
  clear(): void {
    if (this.lastStep !== '') this.stream.write('\r\x1b[K');
    this.lastStep = '';
  }

  private describe(step: DeepScanStep): string {
    const zh = this.lang === 'zh';
    switch (step.step) {
      case 'logs':
        return zh ? '正在查阅系统日志中的 U 盘和联网痕迹…' : 'reading the system logs for traces of USB storage and networks…';
      case 'devices':
        return zh ? '正在检查设备…' : 'checking the devices…';
      case 'files': {
        const mb = (step.bytes / 1e6).toFixed(1);
        return zh
          ? `受监控目录 ${step.folder}:${step.files.toLocaleString('zh-CN')} 个文件,${mb} MB(${step.phase})`
          : `watched folder ${step.folder}: ${step.files.toLocaleString('en')} files, ${mb} MB (${step.phase})`;
      }
    }
  }
}
