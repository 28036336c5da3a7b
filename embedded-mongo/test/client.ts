import { randomBytes } from "node:crypto";
import { type Db, MongoClient, MongoServerError } from "mongodb";
import { type EmbeddedMongo, startEmbeddedMongo } from "..";

/**
 * The store these tests start for themselves: one per test file (jest gives every file its own
 * modules), in memory and in the test's process, stopped when the file's last client closes. The
 * package tests itself this way, with nothing from the project that embeds it.
 */
let embedded: Promise<EmbeddedMongo> | undefined;
let clients = 0;

async function embeddedUri(): Promise<string> {
  embedded ??= startEmbeddedMongo({ inProcess: true });
  return (await embedded).uri;
}

async function release(): Promise<void> {
  clients -= 1;
  if (clients > 0 || !embedded) return;
  const store = embedded;
  embedded = undefined;
  await (await store).stop();
}

/**
 * A URI naming a fresh database on the server under test: `CONFORMANCE_MONGODB_URI`, else
 * `MONGODB_URI`, when one names a real MongoDB (to check that the tests state MongoDB's behaviour),
 * else this file's embedded store. `embedded: true` always takes the embedded store (tests of its
 * own handshake). Call the returned `release` when done with it.
 */
export async function freshDatabase(
  prefix: string,
  options: { embedded?: boolean } = {},
): Promise<{ uri: string; release(): Promise<void> }> {
  const externalUri = options.embedded
    ? undefined
    : process.env.CONFORMANCE_MONGODB_URI || process.env.MONGODB_URI;
  const fresh = (uri: string) => {
    const url = new URL(uri);
    url.pathname = `/${prefix}_${randomBytes(6).toString("hex")}`;
    return url.toString();
  };
  // Only clients of the embedded store keep it running: the external server is not this file's to stop.
  if (externalUri) return { uri: fresh(externalUri), release: async () => {} };
  clients += 1;
  return { uri: fresh(await embeddedUri()), release };
}

/** A raw driver client on a fresh database of the server under test (see `freshDatabase`). */
export async function freshDb(
  prefix: string,
  options: { embedded?: boolean } = {},
): Promise<{ client: MongoClient; db: Db; uri: string; close(): Promise<void> }> {
  const { uri, release } = await freshDatabase(prefix, options);
  const client = await new MongoClient(uri, { serverSelectionTimeoutMS: 5000 }).connect();
  const db = client.db();
  return {
    client,
    db,
    uri,
    async close() {
      await db.dropDatabase().catch(() => {});
      await client.close();
      await release();
    },
  };
}

/** The server error a promise rejects with (fails the test when it resolves instead). */
export async function serverError(promise: Promise<unknown>): Promise<MongoServerError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof MongoServerError) return error;
    throw error;
  }
  throw new Error("expected the server to refuse the operation");
}
