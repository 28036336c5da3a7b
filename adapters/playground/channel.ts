import { type Connection, type Model, Schema } from "mongoose";
import type { Clock } from "../../src/clock";
import type { Button, ChannelMessage, MessageContent } from "../../src/kernel";

/**
 * The playground's channel transcript: what the bot posted for everyone, edited in place. In the
 * database, like the inbox, so a post by any instance shows on a page served by any other.
 */
interface PostDoc {
  /** The post's stable id: a repeated post is stored once. */
  _id: string;
  channel: string;
  text: string;
  buttons: Button[];
  at: Date;
  /** When it last changed: the page asks for what changed since it last looked, edits included. */
  updatedAt: Date;
}

const schema = new Schema<PostDoc>(
  {
    _id: { type: String, required: true },
    channel: { type: String, required: true },
    text: { type: String, required: true },
    buttons: { type: Schema.Types.Mixed, default: [] },
    at: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: "playground_channel", versionKey: false },
);
schema.index({ channel: 1, updatedAt: 1 });

export interface ChannelPost {
  id: string;
  text: string;
  buttons: Button[];
  at: string;
  updatedAt: string;
}

export interface PlaygroundChannel {
  /** Stores the post (once per id) and returns its id, the reference an edit names. */
  post(message: ChannelMessage): Promise<string>;
  /** Replaces a post's text and buttons; false when there is no such post (deleted, never made). */
  edit(id: string, content: MessageContent): Promise<boolean>;
  /** Posts made or edited from `since` on (inclusive), in the order they changed. */
  list(channel: string, since?: Date): Promise<ChannelPost[]>;
}

const PAGE = 200;

export function createPlaygroundChannel(connection: Connection, clock: Clock): PlaygroundChannel {
  const Posts =
    (connection.models.PlaygroundPost as Model<PostDoc> | undefined) ??
    connection.model<PostDoc>("PlaygroundPost", schema);
  return {
    async post(message) {
      const at = clock.now();
      await Posts.updateOne(
        { _id: message.id },
        {
          $setOnInsert: {
            channel: message.channelId,
            text: message.text,
            buttons: message.buttons ?? [],
            at,
            updatedAt: at,
          },
        },
        { upsert: true },
      );
      return message.id;
    },
    async edit(id, content) {
      const text = content.text;
      const buttons = content.buttons ?? [];
      // The same content again changes nothing, so the page is not told of an edit that is none.
      const found = await Posts.findOne({ _id: id }, { text: 1, buttons: 1 }).lean<PostDoc>();
      if (!found) return false;
      if (found.text === text && JSON.stringify(found.buttons ?? []) === JSON.stringify(buttons)) return true;
      const changed = await Posts.updateOne({ _id: id }, { $set: { text, buttons, updatedAt: clock.now() } });
      return changed.matchedCount === 1;
    },
    async list(channel, since) {
      const filter = since ? { channel, updatedAt: { $gte: since } } : { channel };
      const docs = await Posts.find(filter).sort({ updatedAt: -1, _id: -1 }).limit(PAGE).lean<PostDoc[]>();
      return docs.reverse().map((d) => ({
        id: d._id,
        text: d.text,
        buttons: d.buttons ?? [],
        at: d.at.toISOString(),
        updatedAt: d.updatedAt.toISOString(),
      }));
    },
  };
}
