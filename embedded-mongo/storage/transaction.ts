import type { Doc } from "../bson-values";
import type { Collection } from "./collection";

/**
 * A multi-document transaction: its writes live here, keyed by collection and `_id` key, until
 * commit copies them into the collections. Documents and unique keys it writes are locked so a
 * conflicting writer gets WriteConflict at once instead of waiting.
 */
export class Transaction {
  readonly writes = new Map<Collection, Map<string, Doc | null>>();
  readonly lockedKeys: Array<[Collection, string]> = [];
  readonly lockedDocs: Array<[Collection, string]> = [];
  state: "active" | "committed" | "aborted" = "active";

  constructor(
    readonly id: string,
    readonly txnNumber: bigint,
    readonly startSeq: number,
    readonly startedAt: number,
  ) {}

  overlay(collection: Collection): Map<string, Doc | null> | undefined {
    return this.writes.get(collection);
  }

  overlayFor(collection: Collection): Map<string, Doc | null> {
    let overlay = this.writes.get(collection);
    if (!overlay) {
      overlay = new Map();
      this.writes.set(collection, overlay);
    }
    return overlay;
  }

  lockDoc(collection: Collection, id: string): void {
    if (collection.docLocks.get(id) === this.id) return;
    collection.docLocks.set(id, this.id);
    this.lockedDocs.push([collection, id]);
  }

  lockKey(collection: Collection, key: string): void {
    if (collection.keyLocks.get(key) === this.id) return;
    collection.keyLocks.set(key, this.id);
    this.lockedKeys.push([collection, key]);
  }

  releaseLocks(): void {
    for (const [collection, id] of this.lockedDocs) {
      if (collection.docLocks.get(id) === this.id) collection.docLocks.delete(id);
    }
    for (const [collection, key] of this.lockedKeys) {
      if (collection.keyLocks.get(key) === this.id) collection.keyLocks.delete(key);
    }
    this.lockedDocs.length = 0;
    this.lockedKeys.length = 0;
  }
}
