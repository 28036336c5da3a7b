/**
 * The most calls that fall in any one window of `windowMs` (sliding, not aligned to seconds): what a
 * platform's rate limiter counts, so "at most N a second" holds when this is at most N.
 */
export function busiestWindow(times: number[], windowMs = 1000): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while (sorted[end]! - sorted[start]! >= windowMs) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

/**
 * The shortest time in which `limit + 1` calls fell: a limiter allowing `limit` a window answers
 * 429 when this is under the window, so how far above it the figure stays is the margin left.
 */
export function tightestSpan(times: number[], limit: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let least = Number.POSITIVE_INFINITY;
  for (let i = limit; i < sorted.length; i++) least = Math.min(least, sorted[i]! - sorted[i - limit]!);
  return least;
}
