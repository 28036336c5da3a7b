import { randomUUID } from "node:crypto";
import { UUID } from "bson";
import { type Doc, keyOf } from "../bson-values";
import { badValue, type CommandError, duplicateKey } from "../errors";
import type { ChangeLog } from "./changes";
import { IndexSpec } from "./index-spec";

/** The committed state of one collection: documents by `_id` key, and its indexes. */
export class Collection {
  readonly docs = new Map<string, Doc>();
  readonly indexes = new Map<string, IndexSpec>();
  /**
   * Store sequence number of the last committed write per document, kept only while a
   * transaction is open (its conflict check); 0 = not tracked.
   */
  readonly lastWrite = new Map<string, number>();
  /** Versions replaced by commits while a transaction is open, so it keeps reading its snapshot. */
  readonly history = new Map<string, Array<{ seq: number; before: Doc | undefined }>>();
  /** Documents and unique keys written by an open transaction: owner transaction id. */
  readonly docLocks = new Map<string, string>();
  readonly keyLocks = new Map<string, string>();
  /** uniqueIndexes(), kept between index changes: every write asks for it. */
  private unique: IndexSpec[] | undefined;

  constructor(
    readonly db: string,
    readonly name: string,
    /** As `create` gave them (listCollections shows them); changed only through `setOptions`. */
    public options: Doc = {},
    /** Where committed changes are noted for the journal (none for scratch collections). */
    private readonly changes?: ChangeLog,
    readonly uuid = new UUID(randomUUID()),
  ) {
    this.indexes.set("_id_", new IndexSpec({ key: { _id: 1 }, name: "_id_" }));
  }

  get ns(): string {
    return `${this.db}.${this.name}`;
  }

  uniqueIndexes(): readonly IndexSpec[] {
    if (this.unique) return this.unique;
    const out: IndexSpec[] = [];
    for (const index of this.indexes.values()) if (index.unique && index.name !== "_id_") out.push(index);
    this.unique = out;
    return out;
  }

  /**
   * Throws the duplicate-key error MongoDB would give if `doc` were stored under `id`; a holder
   * counts only when `isOther` (if given) says so.
   */
  checkUnique(id: string, doc: Doc, isOther?: (holder: string) => boolean): void {
    for (const index of this.uniqueIndexes()) {
      for (const key of index.keysOf(doc)) {
        for (const holder of index.lookup(key))
          if (holder !== id && (!isOther || isOther(holder))) throw this.duplicate(index, doc);
      }
    }
  }

  duplicate(index: IndexSpec, doc: Doc): CommandError {
    return duplicateKey(this.ns, index.name, index.key, index.keyValue(doc));
  }

  /** Stores a document; the caller has checked uniqueness. */
  put(id: string, doc: Doc, seq: number): void {
    const old = this.docs.get(id);
    for (const index of this.indexes.values()) {
      if (index.name === "_id_") continue;
      const next = index.keysOf(doc);
      if (old) {
        const prev = index.keysOf(old);
        // Most updates leave indexed fields alone: skip the map churn then.
        if (prev.length === next.length && prev.every((k, i) => k === next[i])) continue;
        index.remove(id, prev);
      }
      index.add(id, next);
    }
    this.docs.set(id, doc);
    // Checked here so the in-memory store builds no change object on its hottest path.
    if (this.changes?.recording) this.changes.note({ op: "put", db: this.db, coll: this.name, doc });
    if (seq > 0) this.remember(id, seq, old);
  }

  delete(id: string, seq: number): void {
    const old = this.docs.get(id);
    if (!old) return;
    for (const index of this.indexes.values()) if (index.name !== "_id_") index.remove(id, index.keysOf(old));
    this.docs.delete(id);
    if (this.changes?.recording)
      this.changes.note({ op: "delete", db: this.db, coll: this.name, id: old._id });
    if (seq > 0) this.remember(id, seq, old);
  }

  private remember(id: string, seq: number, before: Doc | undefined): void {
    this.lastWrite.set(id, seq);
    const versions = this.history.get(id);
    if (versions) versions.push({ seq, before });
    else this.history.set(id, [{ seq, before }]);
  }

  insertChecked(doc: Doc, seq: number): string {
    const id = keyOf(doc._id);
    if (this.docs.has(id)) throw this.duplicate(this.indexes.get("_id_")!, doc);
    this.checkUnique(id, doc);
    this.put(id, doc, seq);
    return id;
  }

  /** Replaces the collection's options (collMod), journaled like every other change. */
  setOptions(options: Doc): void {
    this.options = options;
    this.changes?.note({ op: "setOptions", db: this.db, coll: this.name, options });
  }

  /** Adds an index, building it over the existing documents (a duplicate fails the whole build). */
  addIndex(index: IndexSpec): void {
    if (index.unique) {
      const seen = new Map<string, string>();
      for (const [id, doc] of this.docs) {
        for (const key of index.keysOf(doc)) {
          if (seen.has(key)) throw this.duplicate(index, doc);
          seen.set(key, id);
        }
      }
    }
    for (const [id, doc] of this.docs) index.add(id, index.keysOf(doc));
    this.indexes.set(index.name, index);
    this.unique = undefined;
    this.changes?.note({ op: "createIndex", db: this.db, coll: this.name, spec: index.describe() });
  }

  /** collMod's TTL change, journaled as the index dropped and created again with its new expiry. */
  setIndexExpiry(index: IndexSpec, seconds: number): void {
    index.setExpireAfterSeconds(seconds);
    this.changes?.note({ op: "dropIndex", db: this.db, coll: this.name, name: index.name });
    this.changes?.note({ op: "createIndex", db: this.db, coll: this.name, spec: index.describe() });
  }

  dropIndex(name: string): void {
    if (name === "_id_") throw badValue("cannot drop _id index");
    this.indexes.delete(name);
    this.unique = undefined;
    this.changes?.note({ op: "dropIndex", db: this.db, coll: this.name, name });
  }
}
