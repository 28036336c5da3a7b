import type { Telegram } from "telegraf";
import {
  type EditResult,
  notAPostedMessage,
  type PostResult,
  type TakeSlot,
  tooLongForOneMessage,
} from "../../src/engine/messenger";
import type { ChannelMessage, MessageContent } from "../../src/kernel";
import { classifyTelegramError, readTelegramError } from "./api-errors";
import { TELEGRAM_GROUP_PACE } from "./group-pace";
import { renderTelegram, type TelegramMessage } from "./render";

/**
 * The message can no longer be edited by this bot: deleted, never its own, the bot left the chat,
 * or the group became a supergroup (a new chat id: the card is posted there anew).
 */
const EDIT_GONE =
  /message to edit not found|message can't be edited|chat not found|MESSAGE_ID_INVALID|message identifier is not specified|upgraded to a supergroup/i;

/**
 * Channel messages through `sendMessage` and `editMessageText`. A reference is `chatId:messageId`.
 * A group takes a slot of its own budget (about 20 messages a minute, edits included), any other
 * chat one a second.
 */
export function createTelegramChannelMessages(telegram: Telegram) {
  async function slot(chatId: string, takeSlot: TakeSlot | undefined): Promise<void> {
    if (Number(chatId) < 0) await takeSlot?.(`group:${chatId}`, TELEGRAM_GROUP_PACE.perMinute / 60);
    else await takeSlot?.(`chat:${chatId}`, 1);
  }

  /** One Telegram message, or undefined when the text needs more than one. */
  function render(content: MessageContent): TelegramMessage | undefined {
    const parts = renderTelegram(content.text, content.buttons);
    return parts.length === 1 ? parts[0] : undefined;
  }

  const extra = (part: TelegramMessage) => ({
    ...(part.reply_markup ? { reply_markup: part.reply_markup } : {}),
    link_preview_options: { is_disabled: true },
  });

  return {
    async post(message: ChannelMessage, takeSlot?: TakeSlot): Promise<PostResult> {
      const part = render(message);
      if (!part) return tooLongForOneMessage("telegram");
      try {
        await slot(message.channelId, takeSlot);
        const sent = await telegram.sendMessage(message.channelId, part.text, extra(part));
        return { ok: true, ref: `${sent.chat.id}:${sent.message_id}` };
      } catch (error) {
        const result = classifyTelegramError(error);
        // Any other Bad Request (the group became a supergroup, no right to write) stays refused.
        if (result.retryable && readTelegramError(error).code === 400) return { ...result, retryable: false };
        return result;
      }
    },

    async edit(ref: string, content: MessageContent, takeSlot?: TakeSlot): Promise<EditResult> {
      const match = /^(-?\d{1,20}):(\d{1,20})$/.exec(ref);
      if (!match) return notAPostedMessage("telegram");
      const [, chatId, messageId] = match as unknown as [string, string, string];
      const part = render(content);
      if (!part) return tooLongForOneMessage("telegram");
      try {
        await slot(chatId, takeSlot);
        // Without reply_markup Telegram removes the old buttons, as a replaced message should.
        await telegram.editMessageText(chatId, Number(messageId), undefined, part.text, extra(part));
        return { ok: true };
      } catch (error) {
        const { code, description } = readTelegramError(error);
        // The message already shows exactly this: the edit has nothing left to do.
        if (code === 400 && /message is not modified/i.test(description)) return { ok: true };
        const reason = `telegram ${code}: ${description}`;
        if (code === 403 || (code === 400 && EDIT_GONE.test(description))) {
          return { ok: false, retryable: false, gone: true, reason };
        }
        if (code === 400) return { ok: false, retryable: false, gone: false, reason };
        const result = classifyTelegramError(error);
        return result.retryable ? result : { ...result, gone: false };
      }
    },
  };
}
