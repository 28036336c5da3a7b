import { summarize } from "./stats";

export interface LoadResult {
  completed: number;
  failed: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
}

/**
 * A closed-loop load: `concurrency` workers each run `task` back to back until `durationMs` has
 * passed or `maxRequests` were started. Bounded in both time and count, so it always stops.
 * `task` resolves when the whole operation is done (for Slack: when the reply reached response_url).
 */
export async function closedLoop(
  task: (index: number) => Promise<boolean>,
  options: { concurrency: number; durationMs: number; maxRequests: number },
): Promise<LoadResult> {
  const latencies: number[] = [];
  let started = 0;
  let failed = 0;
  const begin = performance.now();
  const deadline = begin + options.durationMs;
  const worker = async () => {
    while (performance.now() < deadline && started < options.maxRequests) {
      const index = started++;
      const t0 = performance.now();
      const ok = await task(index).catch(() => false);
      if (ok) latencies.push(performance.now() - t0);
      else failed++;
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  const seconds = (performance.now() - begin) / 1000;
  const summary = summarize(latencies);
  return {
    completed: summary.count,
    failed,
    seconds,
    perSecond: summary.count / seconds,
    p50: summary.p50,
    p99: summary.p99,
    max: summary.max,
  };
}
