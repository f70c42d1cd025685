import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { ledgerFiles } from '../ledger/verify.js';
import { readEvents, readIncidents } from '../ledger/read.js';
import { renderEvents, renderIncidents } from '../ledger/render-log.js';
import { openReadonly } from '../ledger/store.js';
import { resolveStateDir } from '../state/state-dir.js';
import { detectLang } from '../text/i18n.js';
import { UsageError } from './usage-error.js';

export const usage = `baomi-agent log [--since SEQ|TIME] [--open] [--json] [--lang zh|en] [--state-dir DIR]
  查看违规日志 / show the violation log (run "baomi-agent verify" to check it has not been altered)
  --since SEQ|TIME  from this seq (a number) or wall-clock time (e.g. 2025-04-30T08:00:00+08:00)
  --open            the violations open now instead of the events
  --json            one JSON object per line
  --lang zh|en      language of the table (default: from LANG)
  --state-dir DIR   the agent's state directory (default: /var/lib/baomi for root, else ~/.local/state/baomi)
exit: 0 shown, 2 error`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      since: { type: 'string' },
      open: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      lang: { type: 'string' },
      'state-dir': { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  const since = parseSince(values.since);
  if (values.open && since !== undefined) throw new UsageError('--open shows what is open now: it takes no --since');
  const lang = detectLang(values.lang);
  const { file } = ledgerFiles(resolveStateDir(values['state-dir']));
  if (!fs.existsSync(file)) {
    if (!values.json) process.stdout.write(lang === 'zh' ? `尚无违规日志(${file})。\n` : `No violation log yet (${file}).\n`);
    return 0;
  }
  const db = openReadonly(file);
  try {
    const width = process.stdout.columns || 120;
    if (values.open) {
      const bySeq = db.prepare(`SELECT body FROM events WHERE seq = ?`).pluck();
      const incidents = readIncidents(db).map((incident) => {
        const body = bySeq.get(incident.openedSeq) as string | undefined;
        return { incident, opened: body === undefined ? undefined : JSON.parse(body) };
      });
      if (values.json) {
        for (const { incident, opened } of incidents) {
          process.stdout.write(JSON.stringify({ ...incident, severity: opened?.payload?.severity ?? null, device: opened?.payload?.evidence?.device ?? null }) + '\n');
        }
      } else {
        process.stdout.write(renderIncidents(incidents, lang, width));
      }
      return 0;
    }
    const events = readEvents(db, since ?? {});
    if (values.json) {
      for (const event of events) process.stdout.write(JSON.stringify(event) + '\n');
    } else {
      process.stdout.write(renderEvents([...events], lang, width));
    }
    return 0;
  } finally {
    db.close();
  }
}

function parseSince(value: string | undefined): { sinceSeq?: number; sinceTime?: string } | undefined {
  if (value === undefined) return undefined;
  if (/^\d+$/.test(value)) return { sinceSeq: Number(value) };
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw new UsageError(`--since: "${value}" is neither a seq number nor a date and time`);
  return { sinceTime: new Date(time).toISOString() };
}
