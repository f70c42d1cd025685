import { Ledger } from '../ledger/ledger.js';

/** The log to record into, with a warning when it did not verify and a new one began; undefined when it cannot be opened. */
export async function openForRecording(stateDir: string): Promise<Ledger | undefined> {
  let ledger: Ledger;
  try {
    ledger = await Ledger.open({ stateDir });
  } catch (error) {
    process.stderr.write(`baomi-agent: 未能记入违规日志 / could not record into the violation log: ${(error as Error).message}\n`);
    return undefined;
  }
  if (ledger.recovery) {
    const { failure, movedTo } = ledger.recovery;
    process.stderr.write(
      `警告:违规日志未通过验证(第 ${failure.seq} 条,${failure.reason}:${failure.detail.zh}),已移至 ${movedTo ?? '(不存在)'},新日志已开始\n` +
        `warning: the violation log did not verify (seq ${failure.seq}, ${failure.reason}: ${failure.detail.en}); it was moved to ${movedTo ?? '(missing)'} and a new one started\n`,
    );
  }
  return ledger;
}
