import { createHash } from "node:crypto";
import { DiscordAPIError, RateLimitError, REST, Routes } from "discord.js";
import type { DeliveryResult, Messenger, TakeSlot } from "../../src/engine/messenger";
import type { DirectMessage } from "../../src/kernel";
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

/** DMs: `POST /users/@me/channels` for the DM channel, then `POST /channels/{id}/messages`. */
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

/** What a failed REST call means for delivery: wait (rate limit), give up for good (50007, 403), or retry. */
export function classifyDiscordError(error: unknown): DeliveryResult {
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
