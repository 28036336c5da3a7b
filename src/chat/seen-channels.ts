import { type Connection, type Model, Schema } from "mongoose";
import type { Clock } from "../clock";
import type { Platform } from "../kernel";

/** A channel a command came from, recorded on first sight (where to post later, what kind it is). */
interface ChannelDoc {
  _id: string;
  platform: Platform;
  channelId: string;
  kind: "direct" | "group";
  firstSeenAt: Date;
  lastSeenAt: Date;
}

const schema = new Schema<ChannelDoc>(
  {
    _id: { type: String, required: true },
    platform: { type: String, required: true },
    channelId: { type: String, required: true },
    kind: { type: String, required: true },
    firstSeenAt: { type: Date, required: true },
    lastSeenAt: { type: Date, required: true },
  },
  { collection: "chat_channels", versionKey: false },
);

export interface SeenChannels {
  record(platform: Platform, channel: { id: string; kind: "direct" | "group" }): Promise<void>;
}

export function createSeenChannels(connection: Connection, clock: Clock): SeenChannels {
  const Channels =
    (connection.models.ChatChannel as Model<ChannelDoc> | undefined) ??
    connection.model<ChannelDoc>("ChatChannel", schema);
  return {
    async record(platform, channel) {
      const now = clock.now();
      await Channels.updateOne(
        { _id: `${platform}:${channel.id}` },
        {
          $set: { platform, channelId: channel.id, kind: channel.kind, lastSeenAt: now },
          $setOnInsert: { firstSeenAt: now },
        },
        { upsert: true },
      );
    },
  };
}
