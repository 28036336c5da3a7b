import type { Doc } from "../bson-values";

/**
 * One change to the committed state, as the journal records it: what a restart must redo to
 * arrive at the same documents, collections and indexes. Every change to committed state goes
 * through a Collection or Store method that notes one of these; state changed any other way is
 * lost at the next restart.
 */
export type Change =
  | { op: "put"; db: string; coll: string; doc: Doc }
  | { op: "delete"; db: string; coll: string; id: unknown }
  | { op: "create"; db: string; coll: string; options: Doc; uuid: unknown }
  | { op: "setOptions"; db: string; coll: string; options: Doc }
  | { op: "drop"; db: string; coll: string }
  | { op: "dropDatabase"; db: string }
  | { op: "createIndex"; db: string; coll: string; spec: Doc }
  | { op: "dropIndex"; db: string; coll: string; name: string };

/**
 * The changes made since the last `take()`: the server takes them after each command, so one
 * command (a whole committed transaction included) becomes one journal record.
 * Off while a store is in memory only or being rebuilt from its journal.
 */
export class ChangeLog {
  private pending: Change[] = [];
  constructor(public recording = false) {}

  note(change: Change): void {
    if (this.recording) this.pending.push(change);
  }

  take(): Change[] | undefined {
    if (this.pending.length === 0) return undefined;
    const taken = this.pending;
    this.pending = [];
    return taken;
  }
}
