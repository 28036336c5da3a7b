import type { ClientSession, Connection } from "mongoose";
import type { Logger } from "../logger";

/** Whether each connection's server can run multi-document transactions (replica set or mongos). */
const support = new WeakMap<Connection, Promise<boolean>>();
const warned = new WeakSet<Connection>();

async function supportsTransactions(connection: Connection): Promise<boolean> {
  let known = support.get(connection);
  if (!known) {
    known = (async () => {
      const db = connection.db;
      if (!db) return false;
      const hello = (await db.admin().command({ hello: 1 })) as { setName?: string; msg?: string };
      return Boolean(hello.setName) || hello.msg === "isdbgrid";
    })();
    // A failed probe (server down) must not be remembered as "standalone".
    known.catch(() => support.delete(connection));
    support.set(connection, known);
  }
  return known;
}

/**
 * Runs `fn` in one transaction, retried by the driver on transient conflicts. On a standalone
 * server (no transactions at all) it runs `fn` without a session and warns once: callers order
 * their writes so the one that can be refused comes first, which keeps that case safe enough
 * for development.
 */
export async function runInTransaction<T>(
  connection: Connection,
  fn: (session: ClientSession | undefined) => Promise<T>,
  log?: Logger,
): Promise<T> {
  if (!(await supportsTransactions(connection))) {
    if (!warned.has(connection)) {
      warned.add(connection);
      log?.warn(
        "database: the server is a standalone without transactions; writes that belong together are not atomic (use a replica set)",
      );
    }
    return fn(undefined);
  }
  const session = await connection.startSession();
  try {
    return await session.withTransaction(() => fn(session));
  } finally {
    await session.endSession();
  }
}
