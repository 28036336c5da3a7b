import { randomBytes } from "node:crypto";
import mongoose, { type Connection } from "mongoose";

/** The server resolved by the global setup. */
export function testMongoUri(): string {
  const uri = process.env.CROWDCART_TEST_MONGODB_URI;
  if (!uri) throw new Error("CROWDCART_TEST_MONGODB_URI is unset: run tests through jest (global setup)");
  return uri;
}

/** A URI naming a fresh database on the test server, so test files never see each other's data. */
export function freshDatabaseUri(prefix = "t"): string {
  const url = new URL(testMongoUri());
  url.pathname = `/${prefix}_${randomBytes(6).toString("hex")}`;
  return url.toString();
}

/** A mongoose connection to a fresh database; drop and close it in afterAll with `dropConnection`. */
export async function freshConnection(prefix?: string): Promise<Connection> {
  return mongoose.createConnection(freshDatabaseUri(prefix), { serverSelectionTimeoutMS: 5000 }).asPromise();
}

export async function dropConnection(connection: Connection): Promise<void> {
  await connection.dropDatabase().catch(() => {});
  await connection.close();
}
