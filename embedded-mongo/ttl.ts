import type { Store } from "./storage/store";
import { CollectionView } from "./storage/view";

/** The earliest time among a value's dates (the value itself or an array's elements); NaN for an invalid one, Infinity for none. */
function earliestTime(value: unknown): number {
  if (value instanceof Date) return value.getTime();
  let earliest = Number.POSITIVE_INFINITY;
  if (Array.isArray(value))
    for (const v of value) if (v instanceof Date) earliest = Math.min(earliest, v.getTime());
  return earliest;
}

/** Removes documents whose TTL index date (or earliest date in an array) is older than expireAfterSeconds. */
export function sweepExpired(store: Store, now = Date.now()): number {
  let removed = 0;
  for (const collections of store.databases.values()) {
    for (const coll of collections.values()) {
      for (const index of coll.indexes.values()) {
        if (index.expireAfterSeconds === undefined || index.fields.length !== 1) continue;
        const field = index.fields[0] as string;
        const limit = now - index.expireAfterSeconds * 1000;
        const expired: string[] = [];
        // Every document every sweep: no arrays or closures per document.
        for (const [id, doc] of coll.docs) {
          if (earliestTime(doc[field]) <= limit) expired.push(id);
        }
        const view = new CollectionView(store, coll);
        for (const id of expired) {
          // A document a transaction holds is left for the next sweep rather than conflicting.
          if (coll.docLocks.has(id)) continue;
          view.remove(id);
          removed += 1;
        }
      }
    }
  }
  return removed;
}
