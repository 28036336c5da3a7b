import { BSON } from "bson";
import { CommandError } from "../errors";
import type { CollectionView } from "../storage/view";

/**
 * Capped collections keep only their newest documents: after an insert, the oldest ones go until
 * the collection is within `max` documents and `size` bytes (MongoDB's rounding: at least 4096,
 * else up to a multiple of 256). Documents are kept in insertion order, so the oldest come first.
 */
export function evictOldest(view: CollectionView): void {
  if (view.coll.options.capped !== true) return;
  const { size, max } = view.coll.options;
  if (view.txn) {
    throw new CommandError(
      263,
      "OperationNotSupportedInTransaction",
      `Collection '${view.coll.ns}' is a capped collection. Writes in transactions are not allowed on capped collections.`,
    );
  }
  const limit = Number(size) <= 4096 ? 4096 : Math.ceil(Number(size) / 256) * 256;
  const maxDocs = typeof max === "number" && max > 0 ? max : Number.POSITIVE_INFINITY;
  const docs = view.coll.docs;
  let bytes = 0;
  for (const doc of docs.values()) bytes += BSON.calculateObjectSize(doc);
  for (const [id, doc] of docs) {
    if (docs.size <= maxDocs && bytes <= limit) break;
    bytes -= BSON.calculateObjectSize(doc);
    view.remove(id);
  }
}
