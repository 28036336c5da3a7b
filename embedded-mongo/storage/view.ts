import { type Doc, keyOf } from "../bson-values";
import { writeConflict } from "../errors";
import type { Collection } from "./collection";
import type { IndexSpec } from "./index-spec";
import type { Store } from "./store";
import type { Transaction } from "./transaction";

/**
 * A collection as one operation sees it: the committed documents, overlaid with the writes of the
 * operation's transaction when it has one. Every read and write of the commands goes through here.
 */
export class CollectionView {
  constructor(
    readonly store: Store,
    readonly coll: Collection,
    readonly txn?: Transaction,
  ) {}

  private overlay(): Map<string, Doc | null> | undefined {
    return this.txn?.overlay(this.coll);
  }

  /** The committed version a transaction sees: as of its start (snapshot), else the current one. */
  private committed(id: string): Doc | undefined {
    if (this.txn) {
      const versions = this.coll.history.get(id);
      if (versions) for (const v of versions) if (v.seq > this.txn.startSeq) return v.before;
    }
    return this.coll.docs.get(id);
  }

  /** Ids committed-to since the transaction started (their snapshot versions differ from the current ones). */
  private changedSinceStart(): string[] {
    const txn = this.txn;
    if (!txn || this.coll.history.size === 0) return [];
    const out: string[] = [];
    for (const [id, versions] of this.coll.history) {
      if ((versions[versions.length - 1]?.seq ?? 0) > txn.startSeq) out.push(id);
    }
    return out;
  }

  get(id: string): Doc | undefined {
    const overlay = this.overlay();
    if (overlay?.has(id)) return overlay.get(id) ?? undefined;
    return this.committed(id);
  }

  *all(): Generator<[string, Doc]> {
    const overlay = this.overlay();
    const changed = this.changedSinceStart();
    if ((!overlay || overlay.size === 0) && changed.length === 0) {
      yield* this.coll.docs;
      return;
    }
    const changedSet = new Set(changed);
    for (const [id, doc] of this.coll.docs) {
      if (overlay?.has(id)) {
        const mine = overlay.get(id);
        if (mine) yield [id, mine];
      } else if (changedSet.has(id)) {
        const then = this.committed(id);
        if (then) yield [id, then];
      } else yield [id, doc];
    }
    // Deleted since the transaction started: still there in its snapshot.
    for (const id of changed) {
      if (this.coll.docs.has(id) || overlay?.has(id)) continue;
      const then = this.committed(id);
      if (then) yield [id, then];
    }
    if (overlay)
      for (const [id, doc] of overlay)
        if (doc && !this.coll.docs.has(id) && !changedSet.has(id)) yield [id, doc];
  }

  /** Documents that may hold `key` in `index` (the caller still applies the full filter). */
  candidates(index: IndexSpec, key: string): Array<[string, Doc]> {
    const out: Array<[string, Doc]> = [];
    const overlay = this.overlay();
    const changed = this.changedSinceStart();
    if (!overlay && changed.length === 0) {
      // Outside a transaction: the index holders are the candidates (no duplicates to skip).
      for (const id of index.lookup(key)) {
        const doc = this.get(id);
        if (doc) out.push([id, doc]);
      }
      return out;
    }
    const seen = new Set<string>();
    const ids: Iterable<string>[] = [index.lookup(key)];
    // A transaction's own writes and its snapshot of documents changed since may hold the key too.
    if (overlay) ids.push(overlay.keys());
    ids.push(changed);
    for (const list of ids) {
      for (const id of list) {
        if (seen.has(id)) continue;
        seen.add(id);
        const doc = this.get(id);
        if (doc) out.push([id, doc]);
      }
    }
    return out;
  }

  insert(doc: Doc): void {
    this.write(keyOf(doc._id), doc, true);
  }

  replace(id: string, doc: Doc): void {
    this.write(id, doc, false);
  }

  remove(id: string): void {
    this.write(id, null, false);
  }

  private write(id: string, doc: Doc | null, isInsert: boolean): void {
    const coll = this.coll;
    const txn = this.txn;
    const owner = coll.docLocks.get(id);
    if (owner !== undefined && owner !== txn?.id) throw writeConflict(txn !== undefined);
    if (!txn) {
      if (doc) {
        if (isInsert && coll.docs.has(id)) throw coll.duplicate(coll.indexes.get("_id_")!, doc);
        coll.checkUnique(id, doc);
        this.checkKeyLocks(doc, undefined);
        coll.put(id, doc, this.store.nextSeq());
      } else coll.delete(id, this.store.nextSeq());
      return;
    }
    // Inside a transaction: first writer wins against anything committed since it started.
    if (owner === undefined && (coll.lastWrite.get(id) ?? 0) > txn.startSeq) throw writeConflict(true);
    const overlay = txn.overlayFor(coll);
    if (doc) {
      if (isInsert && this.get(id) !== undefined) throw coll.duplicate(coll.indexes.get("_id_")!, doc);
      if (isInsert && !overlay.has(id) && coll.docs.has(id))
        throw coll.duplicate(coll.indexes.get("_id_")!, doc);
      this.checkUniqueInTransaction(id, doc, overlay);
      this.checkKeyLocks(doc, txn.id);
      for (const index of coll.uniqueIndexes()) {
        for (const key of index.keysOf(doc)) txn.lockKey(coll, `${index.name}\u0000${key}`);
      }
    }
    txn.lockDoc(coll, id);
    overlay.set(id, doc);
  }

  private checkKeyLocks(doc: Doc, self: string | undefined): void {
    if (this.coll.keyLocks.size === 0) return;
    for (const index of this.coll.uniqueIndexes()) {
      for (const key of index.keysOf(doc)) {
        const owner = this.coll.keyLocks.get(`${index.name}\u0000${key}`);
        if (owner !== undefined && owner !== self) throw writeConflict(self !== undefined);
      }
    }
  }

  private checkUniqueInTransaction(id: string, doc: Doc, overlay: Map<string, Doc | null>): void {
    const coll = this.coll;
    // Committed holders count unless this transaction has rewritten or removed them.
    coll.checkUnique(id, doc, (holder) => {
      if (!overlay.has(holder)) return true;
      return false;
    });
    for (const index of coll.uniqueIndexes()) {
      const keys = new Set(index.keysOf(doc));
      if (keys.size === 0) continue;
      for (const [otherId, other] of overlay) {
        if (otherId === id || !other) continue;
        if (index.keysOf(other).some((k) => keys.has(k))) throw coll.duplicate(index, doc);
      }
    }
  }
}
