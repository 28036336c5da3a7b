import { type Db, MongoClient, MongoServerError } from "mongodb";
import { conformanceStoreUri, freshDatabaseUri } from "../../test/support/db";

/** A raw driver client on a fresh database of the store under test (see `conformanceStoreUri`). */
export async function freshDb(
  prefix: string,
): Promise<{ client: MongoClient; db: Db; close(): Promise<void> }> {
  const uri = freshDatabaseUri(prefix, conformanceStoreUri());
  const client = await new MongoClient(uri, { serverSelectionTimeoutMS: 5000 }).connect();
  const db = client.db();
  return {
    client,
    db,
    async close() {
      await db.dropDatabase().catch(() => {});
      await client.close();
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
