import type { Doc } from "../bson-values";
import type { Cursors } from "../cursors";
import { CommandError } from "../errors";
import type { Sessions } from "../sessions";
import type { Store } from "../storage/store";
import type { Transaction } from "../storage/transaction";
import { CollectionView } from "../storage/view";

export interface ServerLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** What every command handler can reach. */
export interface ServerState {
  store: Store;
  cursors: Cursors;
  sessions: Sessions;
  /** `host:port` as listened on; hello reports it as the replica set's only member. */
  address: string;
  setName: string;
  log: ServerLog;
  stats: ServerStats;
}

/** What serverStatus reports: counted by the server (connections) and the dispatcher (operations). */
export interface ServerStats {
  startedAt: number;
  connectionsCurrent: number;
  connectionsTotal: number;
  opcounters: {
    insert: number;
    query: number;
    update: number;
    delete: number;
    getmore: number;
    command: number;
  };
}

export interface CommandContext {
  server: ServerState;
  db: string;
  connectionId: number;
  txn: Transaction | undefined;
  /** Size of the message the command came in: only a message over 16 MiB can hold a document that is. */
  messageBytes: number;
}

export type CommandHandler = (command: Doc, ctx: CommandContext) => Doc;

/** The collection named by the command's first field, as the command's transaction sees it. */
export function viewOf(ctx: CommandContext, name: string, create: boolean): CollectionView | undefined {
  const store = ctx.server.store;
  const coll = create ? store.ensureCollection(ctx.db, name) : store.collection(ctx.db, name);
  return coll ? new CollectionView(store, coll, ctx.txn) : undefined;
}

export function collectionName(command: Doc, field: string): string {
  const name = command[field];
  if (typeof name !== "string" || name === "") {
    throw new CommandError(
      73,
      "InvalidNamespace",
      `collection name must be a non-empty string, not ${String(name)}`,
    );
  }
  return name;
}

export function asNumber(v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}
