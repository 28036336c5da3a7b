import { randomBytes } from "node:crypto";
import mongoose, { type Connection } from "mongoose";

/** The server the suite tests: `MONGODB_URI` when set, else the embedded store (global setup). */
export function testMongoUri(): string {
  return setUp("CROWDCART_TEST_MONGODB_URI");
}

/** The embedded store the global setup started. */
export function embeddedStoreUri(): string {
  return setUp("CROWDCART_TEST_EMBEDDED_URI");
}

function setUp(name: string): string {
  const uri = process.env[name];
  if (!uri) throw new Error(`${name} is unset: run tests through jest (global setup)`);
  return uri;
}

/** One line saying which database the suite tested, without the credentials a URI may carry. */
export function databaseUnderTest(): string {
  if (testMongoUri() === embeddedStoreUri()) {
    return "database under test: the embedded store (set MONGODB_URI to test against a real MongoDB)";
  }
  const url = new URL(testMongoUri());
  const conformance = process.env.CONFORMANCE_MONGODB_URI ? "CONFORMANCE_MONGODB_URI" : "the same server";
  return `database under test: MONGODB_URI (${url.protocol}//${url.host}); the store's conformance tests: ${conformance}`;
}

/** A URI naming a fresh database on `server`, so test files never see each other's data. */
export function freshDatabaseUri(prefix = "t", server = testMongoUri()): string {
  const url = new URL(server);
  url.pathname = `/${prefix}_${randomBytes(6).toString("hex")}`;
  return url.toString();
}

/** A mongoose connection to a fresh database; drop and close it in afterAll with `dropConnection`. */
export async function freshConnection(prefix?: string, server = testMongoUri()): Promise<Connection> {
  return mongoose
    .createConnection(freshDatabaseUri(prefix, server), { serverSelectionTimeoutMS: 5000 })
    .asPromise();
}

export async function dropConnection(connection: Connection): Promise<void> {
  await connection.dropDatabase().catch(() => {});
  await connection.close();
}
