import type { webApi } from "@slack/bolt";
import {
  type DeliveryFailure,
  type EditResult,
  notAPostedMessage,
  type PostResult,
  type TakeSlot,
  tooLongForOneMessage,
} from "../../src/engine/messenger";
import type { ChannelMessage, MessageContent } from "../../src/kernel";
import type { Logger } from "../../src/logger";
import { readSlackError, TOKEN_DEAD, TOKEN_DEAD_LOG, TOKEN_DEAD_RETRY_MS } from "./api-errors";
import type { SlackCommandNames } from "./command-names";
import { renderMessages, type SlackMessage } from "./render";

/** `chat.postMessage` in a channel: about one message a second per channel (Slack's special tier). */
export const CHANNEL_POSTS_PER_SECOND = 1;
/** `chat.update` is a Tier 3 method: about 50 calls a minute per workspace. */
export const UPDATES_PER_MINUTE = 50;

/** Slack refuses a post with these for good: the bot may not post there, or never could. */
const POST_REFUSED = new Set([
  "channel_not_found",
  "not_in_channel",
  "is_archived",
  "restricted_action",
  "team_access_not_granted",
  "ekm_access_denied",
  "msg_too_long",
  "no_text",
  "invalid_blocks",
]);

/** The message can no longer be edited by this bot: deleted, not its own, out of reach, too old. */
const EDIT_GONE = new Set([
  "message_not_found",
  "cant_update_message",
  "edit_window_closed",
  "channel_not_found",
  "not_in_channel",
  "is_archived",
  "is_inactive",
  "restricted_action",
  "team_access_not_granted",
]);
/** Slack refuses the new content itself; the message is still there. */
const EDIT_REFUSED = new Set(["msg_too_long", "no_text", "invalid_blocks"]);

/**
 * Channel messages through `chat.postMessage` and `chat.update`. A reference is `channel:ts`,
 * the two things `chat.update` needs (the channel as the id Slack answered, never a name).
 */
export function createSlackChannelMessages(options: {
  client: webApi.WebClient;
  log: Logger;
  names: SlackCommandNames;
}) {
  const { client, log, names } = options;

  /** One Slack message, or undefined when the text needs more than one. */
  function render(content: MessageContent): SlackMessage | undefined {
    const parts = renderMessages(names.rewrite(content.text), content.buttons);
    return parts.length === 1 ? parts[0] : undefined;
  }

  function failure(error: unknown): Extract<DeliveryFailure, { retryable: true }> | { code: string } {
    const read = readSlackError(error);
    if (read.kind === "ratelimited") {
      return { ok: false, retryable: true, reason: "slack: ratelimited", retryAfterMs: read.retryAfterMs };
    }
    if (read.kind === "other") return { ok: false, retryable: true, reason: `slack: ${read.reason}` };
    if (TOKEN_DEAD.has(read.code)) {
      log.error({ reason: read.code }, TOKEN_DEAD_LOG);
      const reason = `slack: the app's token was refused (${read.code})`;
      return { ok: false, retryable: true, reason, retryAfterMs: TOKEN_DEAD_RETRY_MS };
    }
    return { code: read.code };
  }

  return {
    async post(message: ChannelMessage, takeSlot?: TakeSlot): Promise<PostResult> {
      const body = render(message);
      if (!body) return tooLongForOneMessage("slack");
      try {
        await takeSlot?.(`chat.postMessage:${message.channelId}`, CHANNEL_POSTS_PER_SECOND);
        const posted = await client.chat.postMessage({
          channel: message.channelId,
          ...body,
          unfurl_links: false,
        });
        return { ok: true, ref: `${posted.channel ?? message.channelId}:${posted.ts}` };
      } catch (error) {
        const failed = failure(error);
        if (!("code" in failed)) return failed;
        return { ok: false, retryable: !POST_REFUSED.has(failed.code), reason: `slack: ${failed.code}` };
      }
    },

    async edit(ref: string, content: MessageContent, takeSlot?: TakeSlot): Promise<EditResult> {
      const [channel, ts] = ref.split(":");
      if (!channel || !ts) return notAPostedMessage("slack");
      const body = render(content);
      if (!body) return tooLongForOneMessage("slack");
      try {
        await takeSlot?.("chat.update", UPDATES_PER_MINUTE / 60);
        // Without blocks the buttons of the old message would stay: an empty list removes them.
        await client.chat.update({ channel, ts, blocks: [], ...body });
        return { ok: true };
      } catch (error) {
        const failed = failure(error);
        if (!("code" in failed)) return failed;
        const reason = `slack: ${failed.code}`;
        if (EDIT_GONE.has(failed.code)) return { ok: false, retryable: false, gone: true, reason };
        if (EDIT_REFUSED.has(failed.code)) return { ok: false, retryable: false, gone: false, reason };
        return { ok: false, retryable: true, reason };
      }
    },
  };
}
