import mongoose, { type Connection } from "mongoose";
import { startEmbeddedMongo } from "../../embedded-mongo";
import type { Logger } from "../logger";
import { type StartedServer, startMemoryServer } from "./memory-server";

export type StoreKind = "mongodb" | "mongodb-memory-server" | "embedded";

export interface Database {
  connection: Connection;
  kind: StoreKind;
  /** True when the server answers a ping within `timeoutMs`. */
  ping(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Where the data lives, in the contract's order: `MONGODB_URI`; else a real `mongod` through
 * mongodb-memory-server when one can be had quickly; else the embedded wire-compatible store.
 */
export async function resolveStore(
  mongodbUri: string | undefined,
  log: Logger,
): Promise<StartedServer & { kind: StoreKind }> {
  if (mongodbUri) {
    log.info({ store: "mongodb" }, "database: MONGODB_URI");
    return { kind: "mongodb", uri: mongodbUri, stop: async () => {} };
  }
  const memory = await startMemoryServer().catch((error: unknown) => {
    log.warn(
      { err: error },
      "mongodb-memory-server could not start a mongod; falling back to the embedded store",
    );
    return undefined;
  });
  if (memory) {
    log.info(
      { store: "mongodb-memory-server" },
      "database: mongod started by mongodb-memory-server (data is temporary)",
    );
    return { kind: "mongodb-memory-server", ...memory };
  }
  const embedded = await startEmbeddedMongo();
  log.info(
    { store: "embedded", port: embedded.port },
    "database: embedded MongoDB-wire-compatible store (development only; data is lost on exit; set MONGODB_URI for a real MongoDB)",
  );
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
  return {
    connection,
    kind,
    async ping(timeoutMs = 1500) {
      const db = connection.db;
      if (!db) return false;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      });
      const answer = db
        .command({ ping: 1 }, { timeoutMS: timeoutMs })
        .then(() => true)
        .catch(() => false);
      try {
        return await Promise.race([answer, timeout]);
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

export async function openDatabase(mongodbUri: string | undefined, log: Logger): Promise<Database> {
  const store = await resolveStore(mongodbUri, log);
  return connectDatabase(store.uri, store.kind, store.stop);
}
