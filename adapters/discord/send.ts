import { createHash } from "node:crypto";
import { DiscordAPIError, RateLimitError, REST, Routes } from "discord.js";
import {
  type DeliveryFailure,
  type DeliveryResult,
  type EditResult,
  type Messenger,
  notAPostedMessage,
  type PostResult,
  type TakeSlot,
  tooLongForOneMessage,
} from "../../src/engine/messenger";
import type { ChannelMessage, DirectMessage, MessageContent } from "../../src/kernel";
import { renderDiscord } from "./render";

/** Discord's global limit per bot, which every REST call spends: each one takes a shared slot. */
export const DISCORD_REQUESTS_PER_SECOND = 50;
/**
 * Discord limits requests, not DMs: a first DM to someone costs two (open the channel, post),
 * later ones one, and each takes a slot of the requests budget, which holds the limit. The DMs'
 * own pace is only no faster than that (at 25, half the requests, it kept Discord below the
 * limit whenever channels were known already, and cost every fan-out a sixth).
 */
export const DISCORD_PACE = { perSecond: DISCORD_REQUESTS_PER_SECOND, perRecipientPerSecond: 1 } as const;

/** Discord's JSON error code for "Cannot send messages to this user" (DMs closed, no shared server). */
export const DMS_CLOSED = 50007;
const SNOWFLAKE = /^\d{17,20}$/;
/** How many DM channel ids to remember; opening one is idempotent, so forgetting only costs a call. */
const CHANNEL_CACHE = 10_000;

export interface DiscordRestOptions {
  token: string;
  /** DISCORD_API_URL, e.g. http://127.0.0.1:9000/api; unset = Discord's own. */
  apiUrl?: string;
}

/**
 * The REST client every Discord call goes through. It follows Discord's rate-limit headers by
 * itself; `rejectOnRateLimit` makes a limit surface as an error instead of a silent wait, so the
 * outbox worker can reschedule the message and carry on with others.
 */
export function createDiscordRest(options: DiscordRestOptions, rejectOnRateLimit = false): REST {
  return new REST({
    version: "10",
    ...(options.apiUrl ? { api: options.apiUrl.replace(/\/+$/, "") } : {}),
    ...(rejectOnRateLimit ? { rejectOnRateLimit: () => true } : {}),
  }).setToken(options.token);
}

/**
 * DMs: `POST /users/@me/channels` for the DM channel, then `POST /channels/{id}/messages`; posts in
 * a channel and their edits below.
 */
export function createDiscordMessenger(rest: REST): Messenger {
  const channels = new Map<string, string>();

  async function dmChannel(userId: string, request: () => Promise<void>): Promise<string> {
    const known = channels.get(userId);
    if (known) return known;
    await request();
    const channel = (await rest.post(Routes.userChannels(), { body: { recipient_id: userId } })) as {
      id: string;
    };
    if (channels.size >= CHANNEL_CACHE) channels.delete(channels.keys().next().value as string);
    channels.set(userId, channel.id);
    return channel.id;
  }

  return {
    platform: "discord",
    pace: DISCORD_PACE,
    ...createDiscordChannelMessages(rest),
    // A user id is a snowflake; whether their DMs are open only the attempt can tell.
    canReach: (userId) => SNOWFLAKE.test(userId),
    async send(message: DirectMessage, takeSlot?: TakeSlot): Promise<DeliveryResult> {
      const request = async () => takeSlot?.("requests", DISCORD_REQUESTS_PER_SECOND);
      try {
        const channel = await dmChannel(message.userId, request);
        const pieces = renderDiscord(message.text, message.buttons);
        for (const [i, piece] of pieces.entries()) {
          // The nonce lets Discord drop a duplicate of the same outbox message sent twice in a row.
          const body = { ...piece, nonce: nonceOf(`${message.id}:${i}`), enforce_nonce: true };
          await request();
          await rest.post(Routes.channelMessages(channel), { body });
        }
        return { ok: true };
      } catch (error) {
        return classifyDiscordError(error);
      }
    },
  };
}

/**
 * Channel messages through `POST /channels/{id}/messages` and `PATCH /channels/{id}/messages/{id}`.
 * A reference is `channelId:messageId`. The REST client keeps each route's bucket from Discord's
 * headers; every request also takes a slot of the bot's global requests budget, as DMs do.
 */
function createDiscordChannelMessages(rest: REST) {
  const request = (takeSlot: TakeSlot | undefined) => takeSlot?.("requests", DISCORD_REQUESTS_PER_SECOND);

  /** One Discord message, or undefined when the text needs more than one. */
  function render(content: MessageContent) {
    const pieces = renderDiscord(content.text, content.buttons);
    return pieces.length === 1 ? pieces[0] : undefined;
  }

  return {
    async post(message: ChannelMessage, takeSlot?: TakeSlot): Promise<PostResult> {
      const body = render(message);
      if (!body) return tooLongForOneMessage("discord");
      try {
        await request(takeSlot);
        // The nonce makes a repeat of this post answer the message the first one made.
        const posted = (await rest.post(Routes.channelMessages(message.channelId), {
          body: { ...body, nonce: nonceOf(message.id), enforce_nonce: true },
        })) as { id: string; channel_id: string };
        return { ok: true, ref: `${posted.channel_id}:${posted.id}` };
      } catch (error) {
        const failed = classifyDiscordError(error);
        // A refused body (400) fails the same way every time.
        if (error instanceof DiscordAPIError && error.status === 400) {
          return { ok: false, retryable: false, reason: failed.reason };
        }
        return failed;
      }
    },

    async edit(ref: string, content: MessageContent, takeSlot?: TakeSlot): Promise<EditResult> {
      const [channel, id] = ref.split(":");
      if (!channel || !id) return notAPostedMessage("discord");
      const body = render(content);
      if (!body) return tooLongForOneMessage("discord");
      try {
        await request(takeSlot);
        // Without components the old buttons would stay: an empty list removes them.
        await rest.patch(Routes.channelMessage(channel, id), { body: { components: [], ...body } });
        return { ok: true };
      } catch (error) {
        const failed = classifyDiscordError(error);
        const status = error instanceof DiscordAPIError ? error.status : undefined;
        if (failed.retryable && status !== 400) return failed;
        // 404: the message or its channel is gone (10008, 10003); 403: not the bot's (50005), no
        // rights there any more (50013, 50001). A refused body (400) is not gone, only refused.
        return { ok: false, retryable: false, gone: status === 404 || status === 403, reason: failed.reason };
      }
    },
  };
}

/** What a failed REST call means for delivery: wait (rate limit), give up for good (50007, 403), or retry. */
export function classifyDiscordError(error: unknown): DeliveryFailure {
  if (error instanceof RateLimitError) {
    return {
      ok: false,
      retryable: true,
      reason: "discord rate limit",
      retryAfterMs: Math.max(error.retryAfter, 1),
    };
  }
  if (error instanceof DiscordAPIError) {
    if (error.code === DMS_CLOSED || error.status === 403 || error.status === 404) {
      return { ok: false, retryable: false, reason: `discord ${error.code}: ${error.message}` };
    }
    return { ok: false, retryable: true, reason: `discord ${error.status}: ${error.message}` };
  }
  return { ok: false, retryable: true, reason: error instanceof Error ? error.message : "unknown error" };
}

/** Discord nonces are at most 25 characters: a digest of the outbox id keeps them distinct. */
function nonceOf(id: string): string {
  return createHash("sha256").update(id).digest("base64url").slice(0, 25);
}
