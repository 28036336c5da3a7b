import type { Connection } from "mongoose";
import { UnavailableError, UserError } from "./errors";

const NETWORKISH =
  /MongoServerSelectionError|MongoNetworkError|MongoNetworkTimeoutError|MongoNotConnectedError|MongoTopologyClosedError|MongoPoolClearedError/;

/** True for the errors that mean "the database did not answer", not "the request was wrong". */
export function isUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (NETWORKISH.test(error.name)) return true;
  // The embedded store could not save a write (disk full, directory gone): nothing was applied.
  if ((error as { codeName?: unknown }).codeName === "OutOfDiskSpace") return true;
  if (error.message.includes("could not save this write to disk")) return true;
  // mongoose queues operations while disconnected and gives up with this message.
  return /buffering timed out|Client must be connected|connection .* closed|Topology is closed/i.test(
    error.message,
  );
}

/**
 * Runs one engine operation, turning "the database is down" into `UnavailableError` so adapters
 * tell the user to try later instead of showing a stack. User errors pass through unchanged.
 */
export async function guarded<T>(connection: Connection, fn: () => Promise<T>): Promise<T> {
  // 0 disconnected, 3 disconnecting: fail at once rather than wait out mongoose's buffer timeout.
  if (connection.readyState === 0 || connection.readyState === 3) throw new UnavailableError();
  try {
    return await fn();
  } catch (error) {
    if (error instanceof UserError || error instanceof UnavailableError) throw error;
    if (isUnavailable(error)) throw new UnavailableError(error);
    throw error;
  }
}

export function isDuplicateKey(error: unknown): boolean {
  return (
    typeof error === "object" &&
    error !== null &&
    "code" in error &&
    (error as { code: unknown }).code === 11000
  );
}

/**
 * Runs an upserting `write`, and once more when it lost a race to insert the same document (a
 * duplicate key): the second run finds the document the other writer stored.
 */
export async function upsertRacing<T>(write: () => Promise<T>): Promise<T> {
  return write().catch((error: unknown) => (isDuplicateKey(error) ? write() : Promise.reject(error)));
}
