import type { Store } from "./storage/store";
import { CollectionView } from "./storage/view";

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
        for (const [id, doc] of coll.docs) {
          const value = doc[field];
          const dates = (Array.isArray(value) ? value : [value]).filter((v): v is Date => v instanceof Date);
          if (dates.length > 0 && Math.min(...dates.map((d) => d.getTime())) <= limit) expired.push(id);
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
