import { resolve } from "node:path";
import mongoose, { type Connection } from "mongoose";
import { IN_MEMORY, startEmbeddedMongo } from "../../embedded-mongo";
import type { Logger } from "../logger";

export type StoreKind = "mongodb" | "embedded";

export interface StartedServer {
  uri: string;
  stop(): Promise<void>;
}

export interface Database {
  connection: Connection;
  kind: StoreKind;
  /** True when the server answers a ping within `timeoutMs`. */
  ping(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Where the data lives: `MONGODB_URI`, else the embedded store, durable in `dataDir` (in memory
 * with `:memory:`). Data in a directory is always read by that same engine: nothing else is tried.
 */
export async function resolveStore(
  mongodbUri: string | undefined,
  log: Logger,
  dataDir: string = IN_MEMORY,
): Promise<StartedServer & { kind: StoreKind }> {
  if (mongodbUri) {
    log.info({ store: "mongodb" }, "database: MONGODB_URI");
    return { kind: "mongodb", uri: mongodbUri, stop: async () => {} };
  }
  // A store process that dies (killed, out of memory) comes back on the same port and data by itself.
  const embedded = await startEmbeddedMongo({
    dataDir,
    restartOnCrash: true,
    onRestart: (reason) => log.warn({ store: "embedded" }, `database: ${reason}`),
  });
  const where = { store: "embedded", port: embedded.port, storePid: embedded.pid };
  if (dataDir === IN_MEMORY) {
    log.info(
      { ...where, dataDir },
      "database: embedded store in memory (DATA_DIR=:memory:): nothing is kept when it stops",
    );
  } else {
    const dir = resolve(dataDir);
    log.info(
      { ...where, dataDir: dir },
      `database: embedded store, data in ${dir}; one instance only (set MONGODB_URI to run more)`,
    );
  }
  return { kind: "embedded", uri: embedded.uri, stop: () => embedded.stop() };
}

export async function connectDatabase(
  uri: string,
  kind: StoreKind,
  onClose: () => Promise<void> = async () => {},
): Promise<Database> {
  const connection = await mongoose
    // Bounded waits: a database that stops answering turns into "temporarily unavailable" replies
    // within seconds instead of commands hanging on a silent socket.
    .createConnection(uri, { serverSelectionTimeoutMS: 5000, socketTimeoutMS: 15_000, autoIndex: true })
    .asPromise();
  /** A ping outlived its caller's wait and is still unanswered: the database counts as not answering. */
  let overdue = false;
  return {
    connection,
    kind,
    async ping(timeoutMs = 1500) {
      const db = connection.db;
      // A hung database would otherwise collect one stuck ping (and pool connection) per probe.
      if (!db || overdue) return false;
      let timer: NodeJS.Timeout | undefined;
      let late = false;
      const timeout = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => {
          late = true;
          resolve(false);
        }, timeoutMs);
      });
      // Bounded by the race below, not by the driver's own `timeoutMS`: that option sets up the
      // driver's per-operation timeout machinery, which made every /healthz cost about a fifth more
      // CPU. A ping still unanswered when the race is lost ends at the socket timeout.
      const answer = db
        .admin()
        .ping()
        .then(() => true)
        .catch(() => false);
      try {
        const ok = await Promise.race([answer, timeout]);
        if (late && !overdue) {
          overdue = true;
          void answer.finally(() => {
            overdue = false;
          });
        }
        return ok;
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      await connection.close();
      await onClose();
    },
  };
}

export async function openDatabase(
  mongodbUri: string | undefined,
  log: Logger,
  dataDir?: string,
): Promise<Database> {
  const store = await resolveStore(mongodbUri, log, dataDir);
  return connectDatabase(store.uri, store.kind, store.stop);
}
