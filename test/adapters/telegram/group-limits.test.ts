import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { TelegramAdapter } from "../../../adapters/telegram";
import { createGroupPacer, TELEGRAM_GROUP_PACE } from "../../../adapters/telegram/group-pace";
import {
  FAKE_TELEGRAM_TOKEN,
  type FakeTelegramApi,
  startFakeTelegramApi,
} from "../../support/fake-telegram-api";
import { type ChatStack, startChatStack, telegramOn } from "./chat-stack";
import { TELEGRAM_SECRET, telegramClient } from "./telegram-client";

describe("the group pacer", () => {
  it("spaces a group's messages a second apart and allows 20 a minute, refusing what would wait too long", () => {
    const start = 1_000_000;
    let now = start;
    const pacer = createGroupPacer(TELEGRAM_GROUP_PACE, () => now);
    expect(pacer.reserve("-1", 3)).toEqual([0, 1000, 2000]);
    now += 3000;
    const waits = Array.from({ length: 11 }, () => pacer.reserve("-1", 1)?.[0]);
    // A burst queues a second apart, up to a wait of 10 s; the next would wait longer.
    expect(waits).toEqual([0, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10_000]);
    expect(pacer.reserve("-1", 1)).toBeUndefined();
    expect(pacer.reserve("-2", 1)).toEqual([0]); // another group is not affected
    now = start + 20_000;
    for (let i = 0; i < 6; i++, now += 1000) expect(pacer.reserve("-1", 1)).toEqual([0]);
    // 20 in the last minute: the next turn comes when the first of them is a minute old.
    expect(pacer.reserve("-1", 1)).toBeUndefined();
    now = start + 60_000;
    expect(pacer.reserve("-1", 1)).toEqual([0]);
  });
});

describe("Telegram group replies over the group limit", () => {
  let api: FakeTelegramApi;
  let stack: ChatStack;
  let adapter: TelegramAdapter;
  let people: ReturnType<typeof telegramClient>;

  beforeAll(async () => {
    api = await startFakeTelegramApi();
    stack = await startChatStack("tglimits");
    adapter = telegramOn(stack, api, {
      webhookSecret: TELEGRAM_SECRET,
      // Two messages a minute per group, so the limit is reached in two commands.
      groupPace: { perMinute: 2, minGapMs: 0, maxWaitMs: 10_000 },
    });
    await stack.attach(adapter);
    people = telegramClient(stack.base, api);
  });
  afterAll(async () => {
    await stack?.close();
    await api?.close();
  });

  /** `text` typed by user `u<userId>` in the group `chatId`. */
  const say = (userId: number, chatId: number, text: string) => people.send(`u${userId}`, text, chatId);

  it("sends the caller the answer privately when the group's turn is more than 10 s away", async () => {
    await say(7101, -7100, "/catalog");
    await say(7102, -7100, "/catalog");
    await say(7103, -7100, "/catalog");
    expect(api.messagesTo(-7100)).toHaveLength(2);
    const [notice, answer] = api.messagesTo(people.idOf("u7103")).map((m) => String(m.text));
    expect(notice).toMatch(/message limit.*privately/);
    expect(answer).toContain("KB-75");
    // The group never saw a 429: the adapter kept inside the limit by itself.
    expect(api.callsTo("sendMessage").filter((c) => c.status === 429)).toHaveLength(0);
  });

  it("sends it privately too when Telegram answers 429 with a wait too long to sit out", async () => {
    // Another sender (another instance, an admin bot) filled the group's minute.
    const direct = (text: string) =>
      fetch(`${api.apiRoot}/bot${FAKE_TELEGRAM_TOKEN}/sendMessage`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ chat_id: -7200, text }),
      });
    for (let i = 0; i < 20; i++) expect((await direct(`busy ${i}`)).status).toBe(200);
    await say(7201, -7200, "/catalog");
    const refused = api.callsTo("sendMessage").filter((c) => c.status === 429 && c.body.chat_id === -7200);
    expect(refused).toHaveLength(1);
    const [notice, answer] = api.messagesTo(people.idOf("u7201")).map((m) => String(m.text));
    expect(notice).toMatch(/message limit.*privately/);
    expect(answer).toContain("KB-75");
  });
});
