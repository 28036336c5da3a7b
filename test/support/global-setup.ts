import { resolveStore } from "../../src/db/database";
import { silentLogger } from "../../src/logger";

/**
 * Resolves one database server for the whole run, the way `npm start` does: `MONGODB_URI` when
 * given (a real MongoDB in a user's CI), else mongodb-memory-server, else the embedded store.
 * Workers inherit the URI through the environment; each test file then uses a database of its own.
 */
export default async function globalSetup(): Promise<void> {
  const store = await resolveStore(process.env.MONGODB_URI, silentLogger);
  process.env.CROWDCART_TEST_MONGODB_URI = store.uri;
  process.env.CROWDCART_TEST_STORE = store.kind;
  (globalThis as { __crowdcartStore?: typeof store }).__crowdcartStore = store;
}
