import type { DeliveryResult, Messenger } from "../../src/engine/messenger";
import type { DirectMessage } from "../../src/kernel";
import type { PlaygroundChannel } from "./channel";
import type { PlaygroundInbox } from "./inbox";

/**
 * DMs to playground users land in their inbox, posts in the channel transcript; the page polls
 * both. Anyone can be reached, and nothing limits the rate: it is all this server's own database.
 */
export function createPlaygroundMessenger(inbox: PlaygroundInbox, channel: PlaygroundChannel): Messenger {
  const failed = (error: unknown) => ({
    ok: false as const,
    retryable: true as const,
    reason: error instanceof Error ? error.message : String(error),
  });
  return {
    platform: "playground",
    pace: { perSecond: 100, perRecipientPerSecond: 20 },
    canReach: () => true,
    async send(message: DirectMessage): Promise<DeliveryResult> {
      try {
        await inbox.deliver(message);
        return { ok: true };
      } catch (error) {
        return failed(error);
      }
    },
    async post(message) {
      try {
        return { ok: true, ref: await channel.post(message) };
      } catch (error) {
        return failed(error);
      }
    },
    async edit(ref, content) {
      try {
        if (await channel.edit(ref, content)) return { ok: true };
        return { ok: false, retryable: false, gone: true, reason: "playground: no such post (deleted?)" };
      } catch (error) {
        return failed(error);
      }
    },
  };
}
