import { type Connection, type Model, Schema } from "mongoose";
import { driverCollection } from "../../models";
import type { Clock } from "../clock";
import { isDuplicateKey } from "../engine/unavailable";
import type { Reply } from "../kernel";

/**
 * One platform event seen by the router. The unique `_id` (platform + eventId) is claimed before a
 * command runs, so a Slack retry, a redelivered Telegram update or a repeated Discord interaction
 * finds the claim and gets the first reply instead of running the command again.
 */
interface ProcessedEventDoc {
  _id: string;
  state: "running" | "done";
  /** A claim whose process died is taken over once this passes. */
  leaseUntil: Date;
  reply?: Reply | null;
  createdAt: Date;
  /** Wall-clock time the record may be deleted (TTL index). */
  purgeAt: Date;
}

const schema = new Schema<ProcessedEventDoc>(
  {
    _id: { type: String, required: true },
    state: { type: String, required: true },
    leaseUntil: { type: Date, required: true },
    reply: { type: Schema.Types.Mixed, default: null },
    createdAt: { type: Date, required: true },
    purgeAt: { type: Date, required: true },
  },
  { collection: "processed_events", versionKey: false },
);
// Platforms retry within minutes (Slack) to a day (Telegram keeps updates 24 h): a week is plenty.
// The database's TTL monitor runs on wall-clock time, so `purgeAt` does too (not the injected
// clock, which a test may hold months in the past).
const KEEP_MS = 7 * 24 * 3600 * 1000;
schema.index({ purgeAt: 1 }, { expireAfterSeconds: 0 });

export type Claim = { state: "new" } | { state: "done"; reply: Reply } | { state: "running" };

export interface ProcessedEvents {
  claim(key: string): Promise<Claim>;
  complete(key: string, reply: Reply): Promise<void>;
  /** Gives the event back (the command could not run, e.g. the database was down): a retry runs it. */
  release(key: string): Promise<void>;
}

export function createProcessedEvents(
  connection: Connection,
  clock: Clock,
  leaseMs = 60_000,
): ProcessedEvents {
  const Events =
    (connection.models.ProcessedEvent as Model<ProcessedEventDoc> | undefined) ??
    connection.model<ProcessedEventDoc>("ProcessedEvent", schema);
  const raw = driverCollection(Events);

  return {
    async claim(key) {
      for (let attempt = 0; attempt < 3; attempt++) {
        const now = clock.now();
        const leaseUntil = new Date(now.getTime() + leaseMs);
        try {
          const purgeAt = new Date(Date.now() + KEEP_MS);
          await raw.insertOne({ _id: key, state: "running", leaseUntil, createdAt: now, purgeAt });
          return { state: "new" };
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
        }
        const doc = await Events.findById(key).lean<ProcessedEventDoc>();
        if (!doc) continue; // released in between: try to claim again
        if (doc.state === "done" && doc.reply) return { state: "done", reply: doc.reply };
        if (doc.leaseUntil.getTime() > now.getTime()) return { state: "running" };
        const taken = await Events.findOneAndUpdate(
          { _id: key, state: "running", leaseUntil: doc.leaseUntil },
          { $set: { leaseUntil } },
        ).lean<ProcessedEventDoc>();
        return taken ? { state: "new" } : { state: "running" };
      }
      return { state: "running" };
    },
    async complete(key, reply) {
      await raw.updateOne({ _id: key }, { $set: { state: "done", reply } });
    },
    async release(key) {
      await Events.deleteOne({ _id: key, state: "running" });
    },
  };
}
