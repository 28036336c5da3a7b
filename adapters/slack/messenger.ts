import { setTimeout as sleep } from "node:timers/promises";
import type { webApi } from "@slack/bolt";
import type { DeliveryResult, Messenger, TakeSlot } from "../../src/engine/messenger";
import type { DirectMessage } from "../../src/kernel";
import type { Logger } from "../../src/logger";
import { readSlackError, TOKEN_DEAD, TOKEN_DEAD_LOG, TOKEN_DEAD_RETRY_MS } from "./api-errors";
import { createSlackChannelMessages } from "./channel-messages";
import type { SlackCommandNames } from "./command-names";
import { renderMessages } from "./render";

/** Slack answers these when a person can never get a DM from this bot: retrying will not help. */
const UNREACHABLE = new Set([
  "user_not_found",
  "users_not_found",
  "cannot_dm_bot",
  "user_disabled",
  "channel_not_found",
  "is_archived",
  "not_in_channel",
  "restricted_action",
  "messages_tab_disabled",
  "user_is_restricted",
  "team_access_not_granted",
  "invalid_users",
]);

/** `conversations.open` is a Tier 3 method: about 50 calls a minute per workspace, shared by every instance. */
export const CONVERSATIONS_OPEN_PER_MINUTE = 50;

export interface SlackMessengerOptions {
  client: webApi.WebClient;
  log: Logger;
  /** DMs name commands as the Slack user types them (an invitation says `/joingroup <code>`). */
  names: SlackCommandNames;
  /** Injected so tests can watch the back-off without waiting for it. */
  wait?: (ms: number) => Promise<void>;
  now?: () => number;
}

/**
 * DMs through `conversations.open` + `chat.postMessage` (channel posts and their edits: see
 * channel-messages.ts). The outbox worker paces sends by `pace`
 * (Slack allows about one message per second per channel, with short bursts); after a 429 every
 * send waits out Retry-After, since Slack's limits are per method across the workspace.
 */
export function createSlackMessenger(options: SlackMessengerOptions): Messenger {
  const { client, log } = options;
  const wait = options.wait ?? ((ms: number) => sleep(ms));
  const now = options.now ?? (() => Date.now());
  const channels = new Map<string, string>();
  const unreachable = new Set<string>();
  // A long DM goes out as several messages: a retry goes on from the first one not yet sent.
  const partsSent = new Map<string, number>();
  let pausedUntil = 0;

  async function dmChannel(slackUser: string, takeSlot: TakeSlot | undefined): Promise<string> {
    const known = channels.get(slackUser);
    if (known) return known;
    await takeSlot?.("conversations.open", CONVERSATIONS_OPEN_PER_MINUTE / 60);
    const opened = await client.conversations.open({ users: slackUser });
    const id = opened.channel?.id;
    if (!id) throw new Error("conversations.open returned no channel");
    if (channels.size > 10_000) channels.clear();
    channels.set(slackUser, id);
    return id;
  }

  return {
    platform: "slack",
    pace: { perSecond: 20, perRecipientPerSecond: 1 },
    ...createSlackChannelMessages(options),
    // Someone Slack refused a DM for good (unknown, deactivated, DMs off) until one reaches them again.
    canReach: (userId) => !unreachable.has(userId),
    async send(message: DirectMessage, takeSlot?: TakeSlot): Promise<DeliveryResult> {
      const delay = pausedUntil - now();
      if (delay > 0) await wait(delay);
      // Identities are `T1:U1`: a bot token belongs to one workspace, so the user id is enough.
      const slackUser = message.userId.slice(message.userId.lastIndexOf(":") + 1);
      try {
        const channel = await dmChannel(slackUser, takeSlot);
        const parts = renderMessages(options.names.rewrite(message.text), message.buttons);
        for (let i = partsSent.get(message.id) ?? 0; i < parts.length; i++) {
          await client.chat.postMessage({ channel, ...parts[i]!, unfurl_links: false });
          partsSent.set(message.id, i + 1);
        }
        partsSent.delete(message.id);
        unreachable.delete(message.userId);
        return { ok: true };
      } catch (error) {
        return classify(error, message);
      }
    },
  };

  function classify(error: unknown, message: DirectMessage): DeliveryResult {
    const failure = readSlackError(error);
    if (failure.kind === "ratelimited") {
      const { retryAfterMs } = failure;
      pausedUntil = Math.max(pausedUntil, now() + retryAfterMs);
      log.warn({ retryAfterMs }, "slack: rate limited; pausing DMs");
      return { ok: false, retryable: true, reason: "ratelimited", retryAfterMs };
    }
    if (failure.kind === "slack") {
      const reason = failure.code;
      if (TOKEN_DEAD.has(reason)) {
        log.error({ reason }, TOKEN_DEAD_LOG);
        return {
          ok: false,
          retryable: true,
          reason: `slack: the app's token was refused (${reason})`,
          retryAfterMs: TOKEN_DEAD_RETRY_MS,
        };
      }
      if (UNREACHABLE.has(reason)) {
        partsSent.delete(message.id);
        unreachable.add(message.userId);
        channels.delete(message.userId.slice(message.userId.lastIndexOf(":") + 1));
        log.info({ user: message.userId, reason }, "slack: user cannot be reached by DM");
        return { ok: false, retryable: false, reason: `slack: ${reason}` };
      }
      return { ok: false, retryable: true, reason: `slack: ${reason}` };
    }
    return { ok: false, retryable: true, reason: `slack: ${failure.reason}` };
  }
}
