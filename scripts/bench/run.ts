/**
 * `npm run bench`: every benchmark of the project, one after another, printing a report.
 * Each module prints its own lines; speed is measured here, never in timed unit tests.
 *   node dist/scripts/bench/run.js [name …]     (names: scan, ledger, …; default all)
 */
const BENCHES: Record<string, () => Promise<{ run(): Promise<void> }>> = {
  scan: () => import('./scan.bench.js'),
  ledger: () => import('./ledger.bench.js'),
  collector: () => import('./collector.bench.js'),
  idle: () => import('./idle.bench.js'),
  fim: () => import('./fim.bench.js'),
  logs: () => import('./logs.bench.js'),
  deep: () => import('./deep.bench.js'),
};

const wanted = process.argv.slice(2);
for (const [name, load] of Object.entries(BENCHES)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  process.stdout.write(`\n== ${name} ==\n`);
  await (await load()).run();
}
