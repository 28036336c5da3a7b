/** "30m", "2h", "1h 30m", "45s": how long something lasts, as a person reads it. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  const parts = [
    days ? `${days}d` : "",
    hours ? `${hours}h` : "",
    minutes ? `${minutes}m` : "",
    rest && !days && !hours ? `${rest}s` : "",
  ].filter(Boolean);
  return parts.join(" ");
}
