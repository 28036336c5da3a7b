import type { DeliveryResult, Messenger } from "../../src/engine/messenger";
import type { DirectMessage } from "../../src/kernel";
import type { PlaygroundInbox } from "./inbox";

/** DMs to playground users land in their inbox, which their page polls. Anyone can be reached. */
export function createPlaygroundMessenger(inbox: PlaygroundInbox): Messenger {
  return {
    platform: "playground",
    pace: { perSecond: 100, perRecipientPerSecond: 20 },
    async send(message: DirectMessage): Promise<DeliveryResult> {
      try {
        await inbox.deliver(message);
        return { ok: true };
      } catch (error) {
        return { ok: false, retryable: true, reason: error instanceof Error ? error.message : String(error) };
      }
    },
  };
}
