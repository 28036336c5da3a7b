/**
 * The group JSON that open pages poll, kept for about a second per group code. Every open page of a
 * group asks every few seconds; with this, a group read by many people costs one engine view per
 * second, not one per viewer. A second of staleness is far below the poll interval. Keyed by code
 * as requested; personal (member-token) reads are never cached. Times are real elapsed time, not the
 * engine's clock: this is about load, not business time.
 */
export interface JsonEntry {
  text: string;
  etag: string;
}

export interface LiveCache {
  get(code: string): JsonEntry | undefined;
  set(code: string, entry: JsonEntry): void;
}

export function createLiveCache(ttlMs: number, limit = 2000): LiveCache {
  const entries = new Map<string, JsonEntry & { at: number }>();
  return {
    get(code) {
      if (ttlMs <= 0) return undefined;
      const entry = entries.get(code);
      if (!entry) return undefined;
      if (performance.now() - entry.at > ttlMs) {
        entries.delete(code);
        return undefined;
      }
      return entry;
    },
    set(code, entry) {
      if (ttlMs <= 0) return;
      entries.delete(code);
      // Oldest first: Map keeps insertion order, so the first key is the stalest entry.
      if (entries.size >= limit) entries.delete(entries.keys().next().value ?? "");
      entries.set(code, { ...entry, at: performance.now() });
    },
  };
}
