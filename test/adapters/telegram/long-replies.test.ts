import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { type FakeTelegramApi, startFakeTelegramApi } from "../../support/fake-telegram-api";
import { type ChatStack, PUBLIC_URL, startChatStack, telegramOn } from "./chat-stack";
import { TELEGRAM_SECRET, telegramClient } from "./telegram-client";

const MEMBERS = 45;

let api: FakeTelegramApi;
let stack: ChatStack;
let people: ReturnType<typeof telegramClient>;

beforeAll(async () => {
  api = await startFakeTelegramApi();
  stack = await startChatStack("tglong");
  await stack.attach(telegramOn(stack, api, { webhookSecret: TELEGRAM_SECRET }));
  people = telegramClient(stack.base, api);
});
afterAll(async () => {
  await stack?.close();
  await api?.close();
});

const organiser = "Olga";
// Long names (Telegram allows 64 characters), so 45 members' details pass one message's 4,096.
const members = Array.from(
  { length: MEMBERS },
  (_, i) => `Member Number ${i} Of The Mechanical Keyboard Buying Club`,
);

/**
 * `text` typed by `from` in their private chat with the bot; returns every sendMessage the answer
 * took, refused ones included (the webhook answers once it is handled).
 */
async function say(from: string, text: string) {
  return (await people.send(from, text, "private")).sent;
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
      expect(text).toContain(`${m} (telegram, region EU, member${i}@example.com)`);
    }
    expect(text).toContain(`${PUBLIC_URL}/g/${code}`);
  });
});
