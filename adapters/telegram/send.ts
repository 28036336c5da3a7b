import type { Telegram } from "telegraf";
import type { DeliveryResult, Messenger } from "../../src/engine/messenger";
import type { DirectMessage } from "../../src/kernel";
import { renderTelegram } from "./render";

/** Telegram's documented broadcast limits: about 30 messages a second overall, 1 a second per chat. */
export const TELEGRAM_PACE = { perSecond: 30, perRecipientPerSecond: 1 } as const;

/**
 * DMs through the Bot API. A private chat's id is the user's id, so no chat needs opening first.
 * The outbox worker paces calls by `pace`; this only classifies what Telegram answered.
 */
export function createTelegramMessenger(telegram: Telegram): Messenger {
  return {
    platform: "telegram",
    pace: TELEGRAM_PACE,
    async send(message: DirectMessage): Promise<DeliveryResult> {
      // A placeholder for an @username nobody resolved: there is no chat to write to until they start the bot.
      if (!/^-?\d{1,20}$/.test(message.userId)) {
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

/** What a failed Bot API call means for delivery: wait (429), give up for good (403, no chat), or retry. */
export function classifyTelegramError(error: unknown): DeliveryResult {
  const response = (error as { response?: unknown })?.response as
    | { error_code?: number; description?: string; parameters?: { retry_after?: number } }
    | undefined;
  const code = response?.error_code;
  const description = response?.description ?? (error instanceof Error ? error.message : "unknown error");
  if (code === 429) {
    const seconds = response?.parameters?.retry_after ?? 1;
    return { ok: false, retryable: true, reason: description, retryAfterMs: seconds * 1000 };
  }
  // 403: the user never started the bot or blocked it; 400 "chat not found": no such private chat.
  if (code === 403 || (code === 400 && /chat not found|user not found/i.test(description))) {
    return { ok: false, retryable: false, reason: `telegram ${code}: ${description}` };
  }
  return { ok: false, retryable: true, reason: `telegram ${code ?? "network"}: ${description}` };
}
