/**
 * Remembers, per process and for a short while, which callers and channels were already recorded,
 * so a busy user's every command does not rewrite the same two documents. It only ever skips a
 * write that was just made; losing it (a restart, another instance) costs one write, never data.
 */
export class RecentlySeen {
  private readonly seenAt = new Map<string, number>();

  constructor(
    private readonly ttlMs = 60_000,
    private readonly capacity = 10_000,
  ) {}

  /** True when `key` was marked within the TTL; otherwise false (and the caller records it). */
  has(key: string, nowMs: number): boolean {
    const at = this.seenAt.get(key);
    return at !== undefined && nowMs - at < this.ttlMs;
  }

  /** Forgets `key` (its write failed): the next caller records it again. */
  forget(key: string): void {
    this.seenAt.delete(key);
  }

  mark(key: string, nowMs: number): void {
    this.seenAt.delete(key);
    this.seenAt.set(key, nowMs);
    // Oldest first in insertion order: trim from the front.
    while (this.seenAt.size > this.capacity) {
      const oldest = this.seenAt.keys().next().value;
      if (oldest === undefined) break;
      this.seenAt.delete(oldest);
    }
  }
}
