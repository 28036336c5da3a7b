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
