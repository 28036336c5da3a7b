import { type Db, MongoClient } from "mongodb";
import { ConfigError, loadConfig } from "../config";
import { resolveStore } from "../db/database";
import { silentLogger } from "../logger";

/**
 * The database the service is configured to use (`MONGODB_URI`, else the embedded store in
 * `DATA_DIR`), for the data scripts. The embedded store takes the directory's lock, so these
 * scripts run while the service is stopped; a running one makes them stop with one clear line.
 */
export async function withConfiguredDatabase(fn: (db: Db) => Promise<void>): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    fail(error.message, 2);
  }
  const store = await resolveStore(config.mongodbUri, silentLogger, config.dataDir);
  const client = await new MongoClient(store.uri, { serverSelectionTimeoutMS: 10_000 }).connect();
  try {
    await fn(client.db());
  } finally {
    await client.close();
    await store.stop();
  }
}

export function fail(message: string, code = 1): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

/** Runs a script's main, turning any failure into one line on stderr. */
export function runScript(main: () => Promise<void>): void {
  main().catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
}
