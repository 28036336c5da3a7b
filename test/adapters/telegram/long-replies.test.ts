import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { type FakeTelegramApi, startFakeTelegramApi } from "../../support/fake-telegram-api";
import { type ChatStack, PUBLIC_URL, startChatStack, telegramOn } from "./chat-stack";

const SECRET = "long-replies-secret_0123";
const MEMBERS = 45;

let api: FakeTelegramApi;
let stack: ChatStack;
let nextUpdateId = 1;

beforeAll(async () => {
  api = await startFakeTelegramApi();
  stack = await startChatStack("tglong");
  await stack.attach(telegramOn(stack, api, { webhookSecret: SECRET }));
});
afterAll(async () => {
  await stack?.close();
  await api?.close();
});

interface Person {
  id: number;
  first_name: string;
}

const organiser: Person = { id: 7100, first_name: "Olga" };
// Long names (Telegram allows 64 characters), so 45 members' details pass one message's 4,096.
const members: Person[] = Array.from({ length: MEMBERS }, (_, i) => ({
  id: 7200 + i,
  first_name: `Member Number ${i} Of The Mechanical Keyboard Buying Club`,
}));

/**
 * `text` typed by `from` in their private chat with the bot, through the webhook; returns every
 * sendMessage the answer took, refused ones included (the webhook answers once it is handled).
 */
async function say(from: Person, text: string) {
  const before = api.calls.length;
  const res = await fetch(`${stack.base}/telegram/webhook`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": SECRET },
    body: JSON.stringify({
      update_id: nextUpdateId++,
      message: {
        message_id: nextUpdateId,
        date: Math.floor(Date.now() / 1000),
        from: { ...from, is_bot: false },
        chat: { id: from.id, type: "private" },
        text,
        entities: [{ type: "bot_command", offset: 0, length: text.split(" ")[0]!.length }],
      },
    }),
  });
  expect(res.status).toBe(200);
  return api.calls.slice(before).filter((c) => c.method === "sendMessage");
}

describe("Telegram replies longer than one message", () => {
  it("shows the organiser a /group past 4,096 characters in several messages Telegram accepts, losing no member", async () => {
    const [opened] = await say(organiser, `/groupbuy KB-75 size=${MEMBERS + 5}`);
    const code = /Group code: ([0-9A-Z]{13})/.exec(String(opened?.body.text))?.[1] ?? "";
    expect(code).not.toBe("");
    for (const [i, m] of members.entries()) {
      await say(m, `/join ${code}`);
      await say(m, `/register region=EU email=member${i}@example.com`);
    }

    const sent = await say(organiser, `/group ${code}`);
    // Each part was accepted: the fake answers 400 "message is too long" past 4,096, as Telegram does.
    expect(sent.map((c) => c.status)).toEqual(sent.map(() => 200));
    expect(sent.length).toBeGreaterThan(1);
    for (const c of sent) expect(String(c.body.text).length).toBeLessThanOrEqual(4096);
    const text = sent.map((c) => String(c.body.text)).join("\n");
    for (const [i, m] of members.entries()) {
      expect(text).toContain(`${m.first_name} (telegram, region EU, member${i}@example.com)`);
    }
    expect(text).toContain(`${PUBLIC_URL}/g/${code}`);
  });
});
