import { createHash } from "node:crypto";
import type { FakeTelegramApi } from "../../support/fake-telegram-api";

export const TELEGRAM_SECRET = "contract-webhook-secret_42";
export const TELEGRAM_TOKEN = "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ";
export const TELEGRAM_BOT = "crowdcart_test_bot";
const GROUP_CHAT = -1001234567;

/** What one command produced: every message the bot sent while handling it. */
export interface TelegramExchange {
  text: string;
  /** True when the answer went to the caller's private chat instead of the group. */
  private: boolean;
}

/**
 * Plays Telegram's part against a running service: people (short names) type commands in one
 * group, updates go to the webhook as real JSON with the secret header, and answers are read back
 * from the fake Bot API. Mentions are text_mention entities, the form that carries a user id.
 */
export function telegramClient(base: string, api: FakeTelegramApi) {
  let updateId = 1;
  let messageId = 1;
  const idOf = (name: string) =>
    100_000 + (createHash("sha256").update(name).digest().readUInt32BE(0) % 900_000_000);
  const mentionOf = (name: string) => `@${name}_tgm`;

  function update(user: string, line: string) {
    const [head = ""] = line.split(/\s/);
    // In a group with several bots, commands are addressed: /cmd@bot.
    const text = `${head}@${TELEGRAM_BOT}${line.slice(head.length)}`;
    const entities: Array<Record<string, unknown>> = [
      { type: "bot_command", offset: 0, length: head.length + TELEGRAM_BOT.length + 1 },
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
        chat: { id: GROUP_CHAT, type: "group", title: "buyers" },
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
    async send(user: string, line: string): Promise<TelegramExchange> {
      const before = api.calls.length;
      await post(update(user, line));
      const sent = api.calls.slice(before).filter((c) => c.method === "sendMessage" && c.status === 200);
      return {
        text: sent.map((c) => String(c.body.text)).join("\n"),
        private: sent.length > 0 && sent.every((c) => String(c.body.chat_id) === String(idOf(user))),
      };
    },
    async sendTwice(user: string, line: string): Promise<void> {
      const u = update(user, line);
      await post(u);
      await post(u);
    },
    dms: (user: string) => api.messagesTo(idOf(user)).map((m) => String(m.text)),
  };
}
