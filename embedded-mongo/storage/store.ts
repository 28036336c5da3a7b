import type { UUID } from "bson";
import { namespaceExists } from "../errors";
import { ChangeLog } from "./changes";
import { Collection } from "./collection";
import type { Transaction } from "./transaction";

/** Every database and collection of the server, in memory. */
export class Store {
  private seq = 0;
  readonly databases = new Map<string, Map<string, Collection>>();
  private readonly open = new Set<Transaction>();
  /** Committed changes waiting to be journaled (recorded only when the store keeps a journal). */
  readonly changes = new ChangeLog();

  /** A sequence number for a committed write, or 0 when no transaction is open to care about it. */
  nextSeq(): number {
    if (this.open.size === 0) return 0;
    this.seq += 1;
    return this.seq;
  }

  begin(txn: Transaction): void {
    this.open.add(txn);
  }

  private finish(txn: Transaction): void {
    this.open.delete(txn);
    if (this.open.size > 0) return;
    for (const collections of this.databases.values())
      for (const c of collections.values()) {
        c.lastWrite.clear();
        c.history.clear();
      }
  }

  currentSeq(): number {
    return this.seq;
  }

  collection(db: string, name: string): Collection | undefined {
    return this.databases.get(db)?.get(name);
  }

  /** The collection, created on first write the way MongoDB creates it implicitly. */
  ensureCollection(db: string, name: string): Collection {
    return this.collection(db, name) ?? this.create(db, name);
  }

  create(db: string, name: string, options: Record<string, unknown> = {}, uuid?: UUID): Collection {
    let collections = this.databases.get(db);
    if (!collections) {
      collections = new Map();
      this.databases.set(db, collections);
    }
    if (collections.has(name)) throw namespaceExists(`${db}.${name}`);
    const collection = new Collection(db, name, options, this.changes, uuid);
    collections.set(name, collection);
    this.changes.note({ op: "create", db, coll: name, options, uuid: collection.uuid });
    return collection;
  }

  drop(db: string, name: string): Collection | undefined {
    const collections = this.databases.get(db);
    const collection = collections?.get(name);
    if (!collections || !collection) return undefined;
    collections.delete(name);
    if (collections.size === 0) this.databases.delete(db);
    this.changes.note({ op: "drop", db, coll: name });
    return collection;
  }

  dropDatabase(db: string): void {
    this.databases.delete(db);
    this.changes.note({ op: "dropDatabase", db });
  }

  /** Copies a transaction's writes into the collections in one step (nothing else runs meanwhile). */
  commit(txn: Transaction): void {
    txn.releaseLocks();
    const seq = this.nextSeq();
    for (const [collection, overlay] of txn.writes) {
      for (const [id, doc] of overlay) {
        if (doc) collection.put(id, doc, seq);
        else collection.delete(id, seq);
      }
    }
    txn.writes.clear();
    txn.state = "committed";
    this.finish(txn);
  }

  abort(txn: Transaction): void {
    txn.releaseLocks();
    txn.writes.clear();
    txn.state = "aborted";
    this.finish(txn);
  }
}
