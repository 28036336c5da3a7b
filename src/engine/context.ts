import type { ClientSession, Connection } from "mongoose";
import type { Models } from "../../models";
import type { Clock } from "../clock";
import type { Logger } from "../logger";

/** What every engine service is built from. One per engine instance; nothing in it is global. */
export interface EngineContext {
  connection: Connection;
  models: Models;
  clock: Clock;
  log: Logger;
  /** Base of every link, without a trailing slash. */
  publicUrl: string;
  /** Runs `fn` in one transaction (see src/db/transaction.ts); `session` is undefined on a standalone server. */
  tx<T>(fn: (session: ClientSession | undefined) => Promise<T>): Promise<T>;
  /** Wraps a public operation: database down → UnavailableError, user errors untouched. */
  guard<T>(fn: () => Promise<T>): Promise<T>;
  /** Call after a committed write that queued outbox messages, so the worker delivers them promptly. */
  kickOutbox(): void;
  /** Call after writing a user outside src/engine/users.ts, so no stale copy of them is served. */
  userChanged(userKey: string): void;
}

export type Session = ClientSession | undefined;
