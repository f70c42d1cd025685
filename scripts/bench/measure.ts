import { performance } from 'node:perf_hooks';

export interface Measurement {
  name: string;
  /** Median milliseconds per run. */
  medianMs: number;
  p90Ms: number;
  runs: number;
}

/** Run `work` `runs` times after `warmup` runs; report the median and 90th percentile. */
export async function measure(name: string, work: () => unknown, runs = 50, warmup = 5): Promise<Measurement> {
  for (let i = 0; i < warmup; i++) await work();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await work();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { name, medianMs: times[Math.floor(runs / 2)]!, p90Ms: times[Math.floor(runs * 0.9)]!, runs };
}

export function formatMs(ms: number): string {
  return ms >= 100 ? `${ms.toFixed(0)} ms` : ms >= 1 ? `${ms.toFixed(2)} ms` : `${(ms * 1000).toFixed(0)} µs`;
}
