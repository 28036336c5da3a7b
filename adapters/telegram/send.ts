import type { Telegram } from "telegraf";
import type { DeliveryResult, Messenger } from "../../src/engine/messenger";
import type { DirectMessage } from "../../src/kernel";
import { classifyTelegramError } from "./api-errors";
import { createTelegramChannelMessages } from "./channel-messages";
import { renderTelegram } from "./render";

/** Telegram's documented broadcast limits: about 30 messages a second overall, 1 a second per chat. */
export const TELEGRAM_PACE = { perSecond: 30, perRecipientPerSecond: 1 } as const;

/** A Telegram id is a number; anything else is a placeholder for an @username nobody has resolved. */
export function isReachableTelegramId(id: string): boolean {
  return /^-?\d{1,20}$/.test(id);
}

/**
 * DMs through the Bot API (group posts and their edits: see channel-messages.ts). A private chat's
 * id is the user's id, so no chat needs opening first. The outbox worker paces DMs by `pace`; this
 * only classifies what Telegram answered.
 */
export function createTelegramMessenger(telegram: Telegram): Messenger {
  return {
    platform: "telegram",
    pace: TELEGRAM_PACE,
    ...createTelegramChannelMessages(telegram),
    // A placeholder for an @username nobody resolved: there is no chat to write to until they start the bot.
    canReach: isReachableTelegramId,
    async send(message: DirectMessage): Promise<DeliveryResult> {
      if (!isReachableTelegramId(message.userId)) {
        return { ok: false, retryable: false, reason: "telegram: never started the bot (unknown @username)" };
      }
      try {
        for (const part of renderTelegram(message.text, message.buttons)) {
          await telegram.sendMessage(message.userId, part.text, {
            ...(part.reply_markup ? { reply_markup: part.reply_markup } : {}),
            link_preview_options: { is_disabled: true },
          });
        }
        return { ok: true };
      } catch (error) {
        return classifyTelegramError(error);
      }
    },
  };
}
