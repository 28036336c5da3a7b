import { createHash } from "node:crypto";
import type { FakeTelegramApi, TelegramCall } from "../../support/fake-telegram-api";

export const TELEGRAM_SECRET = "contract-webhook-secret_42";
export const TELEGRAM_TOKEN = "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ";
export const TELEGRAM_BOT = "crowdcart_test_bot";
const GROUP_CHAT = -1001234567;

/** What one command produced: every message the bot sent while handling it. */
export interface TelegramExchange {
  text: string;
  /** True when the answer went to the caller's private chat instead of the group. */
  private: boolean;
  /** Every sendMessage the command caused, refused ones included. */
  sent: TelegramCall[];
}

/** Where a command is typed: the shared group, another group by its id, or the caller's private chat. */
export type TelegramChat = number | "private";

/**
 * Plays Telegram's part against a running service: people (short names) type commands in one
 * group (or another chat given per command), updates go to the webhook as real JSON with the
 * secret header, and answers are read back from the fake Bot API. Mentions are text_mention
 * entities, the form that carries a user id.
 */
export function telegramClient(base: string, api: FakeTelegramApi) {
  let updateId = 1;
  let messageId = 1;
  const idOf = (name: string) =>
    100_000 + (createHash("sha256").update(name).digest().readUInt32BE(0) % 900_000_000);
  const mentionOf = (name: string) => `@${name}_tgm`;

  function update(user: string, line: string, chat: TelegramChat) {
    const [head = ""] = line.split(/\s/);
    const inPrivate = chat === "private";
    // In a group with several bots, commands are addressed: /cmd@bot; a private chat has one bot.
    const command = inPrivate ? head : `${head}@${TELEGRAM_BOT}`;
    const text = `${command}${line.slice(head.length)}`;
    const entities: Array<Record<string, unknown>> = [
      { type: "bot_command", offset: 0, length: command.length },
    ];
    for (const match of text.matchAll(/@([a-z]+)_tgm/g)) {
      const name = match[1]!;
      entities.push({
        type: "text_mention",
        offset: match.index,
        length: match[0].length,
        user: { id: idOf(name), is_bot: false, first_name: name },
      });
    }
    return {
      update_id: updateId++,
      message: {
        message_id: messageId++,
        date: Math.floor(Date.now() / 1000),
        from: { id: idOf(user), is_bot: false, first_name: user },
        chat: inPrivate
          ? { id: idOf(user), type: "private", first_name: user }
          : { id: chat, type: "group", title: "buyers" },
        text,
        entities,
      },
    };
  }

  async function post(body: unknown): Promise<void> {
    const res = await fetch(`${base}/telegram/webhook`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": TELEGRAM_SECRET },
      body: JSON.stringify(body),
    });
    if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
  }

  return {
    idOf,
    mention: mentionOf,
    /** The webhook answers once the update is handled, so every reply has been sent by then. */
    async send(user: string, line: string, chat: TelegramChat = GROUP_CHAT): Promise<TelegramExchange> {
      const before = api.calls.length;
      await post(update(user, line, chat));
      const sent = api.calls.slice(before).filter((c) => c.method === "sendMessage");
      const accepted = sent.filter((c) => c.status === 200);
      return {
        text: accepted.map((c) => String(c.body.text)).join("\n"),
        private: accepted.length > 0 && accepted.every((c) => String(c.body.chat_id) === String(idOf(user))),
        sent,
      };
    },
    async sendTwice(user: string, line: string): Promise<void> {
      const u = update(user, line, GROUP_CHAT);
      await post(u);
      await post(u);
    },
    dms: (user: string) => api.messagesTo(idOf(user)).map((m) => String(m.text)),
  };
}
