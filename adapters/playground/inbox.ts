import { type Connection, type Model, Schema } from "mongoose";
import type { Clock } from "../../src/clock";
import type { Button, DirectMessage } from "../../src/kernel";

/**
 * The playground's DMs, kept in the database rather than in memory so a DM sent by the outbox
 * worker of any instance shows up on a page served by any other, and survives a reload.
 */
interface InboxDoc {
  /** The outbox message id: a redelivered DM is stored once. */
  _id: string;
  user: string;
  text: string;
  buttons: Button[];
  at: Date;
}

const schema = new Schema<InboxDoc>(
  {
    _id: { type: String, required: true },
    user: { type: String, required: true },
    text: { type: String, required: true },
    buttons: { type: Schema.Types.Mixed, default: [] },
    at: { type: Date, required: true },
  },
  { collection: "playground_inbox", versionKey: false },
);
schema.index({ user: 1, at: 1 });

export interface InboxMessage {
  id: string;
  text: string;
  buttons: Button[];
  at: string;
}

export interface PlaygroundInbox {
  deliver(message: DirectMessage): Promise<void>;
  /** The user's DMs from `since` on (inclusive: the page drops ids it already shows), oldest first. */
  list(user: string, since?: Date): Promise<InboxMessage[]>;
}

const PAGE = 200;

export function createPlaygroundInbox(connection: Connection, clock: Clock): PlaygroundInbox {
  const Inbox =
    (connection.models.PlaygroundInbox as Model<InboxDoc> | undefined) ??
    connection.model<InboxDoc>("PlaygroundInbox", schema);
  return {
    async deliver(message) {
      await Inbox.updateOne(
        { _id: message.id },
        {
          $setOnInsert: {
            user: message.userId,
            text: message.text,
            buttons: message.buttons ?? [],
            at: clock.now(),
          },
        },
        { upsert: true },
      );
    },
    async list(user, since) {
      const filter = since ? { user, at: { $gte: since } } : { user };
      const docs = await Inbox.find(filter).sort({ at: -1, _id: -1 }).limit(PAGE).lean<InboxDoc[]>();
      return docs
        .reverse()
        .map((d) => ({ id: d._id, text: d.text, buttons: d.buttons ?? [], at: d.at.toISOString() }));
    },
  };
}
