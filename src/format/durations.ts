const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Parses `90s`, `30m`, `48h`, `7d` into milliseconds; undefined when the text is not such a duration. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d{1,6})([smhd])$/.exec(text.trim());
  if (!match) return undefined;
  const amount = Number(match[1]);
  const unit = match[2] as keyof typeof UNIT_MS;
  return amount > 0 ? amount * UNIT_MS[unit] : undefined;
}

/** A duration as a command takes it (what parseDuration reads), in its shortest exact spelling: 5400000 → `90m`. */
export function formatDurationAsTyped(ms: number): string {
  for (const unit of ["d", "h", "m", "s"] as const) {
    if (ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`;
  }
  return `${Math.ceil(ms / 1000)}s`;
}

/**
 * How long something lasts, as a person reads it, rounded up to the second and without seconds
 * once it reaches an hour: "30m", "2h", "1h 30m", "45s".
 */
export function formatDurationSpelledOut(ms: number): string {
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

/**
 * Time left before a deadline, two units at most: `2 d 3 h left`, `5 h 12 min left`,
 * `4 min 09 s left`. The page's script (src/web/assets/group.js) counts down by the same rule.
 */
export function formatTimeLeft(ms: number): string {
  if (ms <= 0) return "time is up";
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d > 0) return `${d} d ${h} h left`;
  if (h > 0) return `${h} h ${m} min left`;
  return `${m} min ${String(sec).padStart(2, "0")} s left`;
}
