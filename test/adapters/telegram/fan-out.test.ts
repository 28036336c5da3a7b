import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { TelegramAdapter } from "../../../adapters/telegram";
import { type FakeTelegramApi, startFakeTelegramApi } from "../../support/fake-telegram-api";
import { type ChatStack, startChatStack, telegramOn } from "./chat-stack";

const MEMBERS = 50; // the most one /groupbuy may tag
const SECRET = "fan-out-secret";

let api: FakeTelegramApi;
let stack: ChatStack;
let adapter: TelegramAdapter;

beforeAll(async () => {
  // Telegram's own limit, enforced: a send beyond 30 in a second gets 429 retry_after.
  api = await startFakeTelegramApi({ messagesPerSecond: 30 });
  stack = await startChatStack("tgfan");
  adapter = telegramOn(stack, api, { webhookSecret: SECRET });
  await stack.attach(adapter);
});
afterAll(async () => {
  await stack?.close();
  await api?.close();
});

describe("Telegram fan-out", () => {
  it("DMs every tagged member exactly once, even when Telegram answers 429 on the way", async () => {
    const ids = Array.from({ length: MEMBERS }, (_, i) => 800_000 + i);
    let text = "/groupbuy KB-75 size=3";
    const entities: Array<Record<string, unknown>> = [{ type: "bot_command", offset: 0, length: 9 }];
    for (const id of ids) {
      const name = `M${id}`;
      entities.push({
        type: "text_mention",
        offset: text.length + 1,
        length: name.length,
        user: { id, is_bot: false, first_name: name },
      });
      text += ` ${name}`;
    }
    const res = await fetch(`${stack.base}/telegram/webhook`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": SECRET },
      body: JSON.stringify({
        update_id: 1,
        message: {
          message_id: 1,
          date: 1,
          from: { id: 7, is_bot: false, first_name: "Org" },
          chat: { id: -5, type: "group" },
          text,
          entities,
        },
      }),
    });
    expect(res.status).toBe(200);
    const code = /Group code: ([0-9A-Z]{13})/.exec(String(api.messagesTo(-5).at(-1)?.text))?.[1];
    expect(code).toBeDefined();

    api.rateLimitNext("sendMessage", 1, 3);
    await stack.flushOutbox();
    expect(api.callsTo("sendMessage").filter((c) => c.status === 429).length).toBeGreaterThanOrEqual(3);
    for (const id of ids) {
      const invitations = api.messagesTo(id).filter((m) => String(m.text).includes(code!));
      expect({ id, invitations: invitations.length }).toEqual({ id, invitations: 1 });
    }
  });
});
