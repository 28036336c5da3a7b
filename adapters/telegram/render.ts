import type { InlineKeyboardButton, InlineKeyboardMarkup } from "telegraf/types";
import { splitText } from "../../src/chat/split-text";
import type { Button } from "../../src/kernel";

/** Telegram's limit for one message's text. */
export const MAX_TEXT = 4096;
/** Telegram's limit for a button's callback_data, in bytes. */
const MAX_CALLBACK_DATA = 64;

export interface TelegramMessage {
  text: string;
  reply_markup?: InlineKeyboardMarkup;
}

/**
 * Neutral text and buttons as Telegram messages. Text is sent without parse_mode so nothing a user
 * typed can break the formatting; Telegram links plain URLs by itself. Text over the limit is split
 * between lines or words into several messages; buttons go under the last one.
 */
export function renderTelegram(text: string, buttons: readonly Button[] = []): TelegramMessage[] {
  const chunks = splitText(text.trim() === "" ? "(empty)" : text, MAX_TEXT);
  const keyboard = inlineKeyboard(buttons);
  return chunks.map((chunk, i) =>
    i === chunks.length - 1 && keyboard ? { text: chunk, reply_markup: keyboard } : { text: chunk },
  );
}

function inlineKeyboard(buttons: readonly Button[]): InlineKeyboardMarkup | undefined {
  const row: InlineKeyboardButton[] = [];
  for (const button of buttons) {
    const label = button.label.slice(0, 64);
    // Telegram refuses inline-button URLs on localhost or bare IPs; the text carries those links anyway.
    if (button.url && isPublicHttps(button.url)) row.push({ text: label, url: button.url });
    else if (button.command && Buffer.byteLength(button.command) <= MAX_CALLBACK_DATA) {
      row.push({ text: label, callback_data: button.command });
    }
  }
  if (row.length === 0) return undefined;
  const rows: InlineKeyboardButton[][] = [];
  for (let i = 0; i < row.length; i += 3) rows.push(row.slice(i, i + 3));
  return { inline_keyboard: rows };
}

function isPublicHttps(url: string): boolean {
  try {
    const { protocol, hostname } = new URL(url);
    return protocol === "https:" && hostname !== "localhost" && !/^[\d.]+$|:/.test(hostname);
  } catch {
    return false;
  }
}
