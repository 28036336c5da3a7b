import type { Connection } from "mongoose";
import { bindCodeMissModel } from "../../models/code-miss";
import type { Clock } from "../clock";
import { UserError, type UserErrorCode, userError } from "./errors";
import { isDuplicateKey } from "./unavailable";

/**
 * One budget per sender for codes that matched nothing, shared by session codes and group codes:
 * this many misses within the window and the sender is refused until the window ends.
 */
export const MISS_LIMIT = { maxMisses: 10, windowMs: 15 * 60_000 } as const;

export type GuessLimit = ReturnType<typeof createGuessLimit>;

export function createGuessLimit(connection: Connection, clock: Clock) {
  const CodeMiss = bindCodeMissModel(connection);
  /**
   * Senders who missed through this process within the window. Only they can be locked out by
   * misses counted here, so a code lookup by anyone else skips reading the count: a sender
   * spreading guesses over n instances gets at most n − 1 more before every one of them checks.
   */
  const missedHere = new Map<string, number>();
  const MISSED_HERE_LIMIT = 10_000;

  /** How long the sender is still refused, or undefined when they may present a code. */
  async function refusal(senderKey: string, now = clock.now()): Promise<number | undefined> {
    const doc = await CodeMiss.findById(senderKey).lean();
    if (!doc || doc.misses < MISS_LIMIT.maxMisses) return undefined;
    const reopensAt = doc.windowStart.getTime() + MISS_LIMIT.windowMs;
    return reopensAt > now.getTime() ? reopensAt - now.getTime() : undefined;
  }

  /** Counts one miss atomically: in the open window, or starting a new one. */
  async function recordMiss(senderKey: string, now = clock.now()): Promise<void> {
    missedHere.delete(senderKey);
    missedHere.set(senderKey, now.getTime());
    if (missedHere.size > MISSED_HERE_LIMIT) missedHere.delete(missedHere.keys().next().value as string);
    const windowOpen = new Date(now.getTime() - MISS_LIMIT.windowMs);
    for (let attempt = 0; attempt < 4; attempt++) {
      const counted = await CodeMiss.updateOne(
        { _id: senderKey, windowStart: { $gt: windowOpen } },
        { $inc: { misses: 1 } },
      );
      if (counted.matchedCount === 1) return;
      const restarted = await CodeMiss.updateOne(
        { _id: senderKey, windowStart: { $lte: windowOpen } },
        { $set: { windowStart: now, misses: 1 } },
      );
      if (restarted.matchedCount === 1) return;
      try {
        await CodeMiss.create([{ _id: senderKey, windowStart: now, misses: 1 }]);
        return;
      } catch (error) {
        // Another request by the same sender created it first: count on theirs.
        if (!isDuplicateKey(error)) throw error;
      }
    }
  }

  return {
    model: CodeMiss,
    refusal,
    recordMiss,
    /**
     * Runs a lookup by code for `senderKey`: refused while the sender is locked out, and a miss
     * (the lookup threw `missCode`) is counted before it is rethrown.
     */
    async guard<T>(
      senderKey: string | undefined,
      missCode: UserErrorCode,
      lookup: () => Promise<T>,
    ): Promise<T> {
      if (senderKey === undefined) return lookup();
      const missedAt = missedHere.get(senderKey);
      const mayBeLocked = missedAt !== undefined && missedAt > clock.now().getTime() - MISS_LIMIT.windowMs;
      const waitMs = mayBeLocked ? await refusal(senderKey) : undefined;
      if (waitMs !== undefined) {
        throw userError("TOO_MANY_UNKNOWN_CODES", { waitMs });
      }
      try {
        return await lookup();
      } catch (error) {
        if (error instanceof UserError && error.code === missCode) await recordMiss(senderKey);
        throw error;
      }
    },
  };
}
