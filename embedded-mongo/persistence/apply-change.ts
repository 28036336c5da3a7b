import { Binary, UUID } from "bson";
import { type Doc, keyOf } from "../bson-values";
import type { Change } from "../storage/changes";
import { IndexSpec } from "../storage/index-spec";
import type { Store } from "../storage/store";

function asUuid(value: unknown): UUID | undefined {
  if (value instanceof UUID) return value;
  if (value instanceof Binary && value.sub_type === Binary.SUBTYPE_UUID) return value.toUUID();
  return undefined;
}

/** Redoes one journaled change on a store being rebuilt (its change log is off meanwhile). */
export function applyChange(store: Store, change: Change): void {
  switch (change.op) {
    case "put": {
      const doc = change.doc;
      store.ensureCollection(change.db, change.coll).put(keyOf(doc._id), doc, 0);
      return;
    }
    case "delete":
      store.collection(change.db, change.coll)?.delete(keyOf(change.id), 0);
      return;
    case "create":
      // A replayed create of a collection that exists (implicitly created by an earlier put) keeps it.
      if (!store.collection(change.db, change.coll))
        store.create(change.db, change.coll, change.options, asUuid(change.uuid));
      return;
    case "setOptions":
      store.collection(change.db, change.coll)?.setOptions(change.options);
      return;
    case "drop":
      store.drop(change.db, change.coll);
      return;
    case "dropDatabase":
      store.dropDatabase(change.db);
      return;
    case "createIndex": {
      const coll = store.ensureCollection(change.db, change.coll);
      const spec = new IndexSpec(change.spec);
      if (!coll.indexes.has(spec.name)) coll.addIndex(spec);
      return;
    }
    case "dropIndex":
      store.collection(change.db, change.coll)?.dropIndex(change.name);
      return;
  }
}

/** A journal record's changes, as `encodeRecord` wrote them. */
export function changesOf(record: Doc): Change[] {
  return Array.isArray(record.ops) ? (record.ops as Change[]) : [];
}

/** One command's changes as one journal record: all of them are redone at restart, or none. */
export function recordOf(changes: Change[]): Doc {
  return { ops: changes };
}
