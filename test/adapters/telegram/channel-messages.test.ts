import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { Telegraf } from "telegraf";
import { createTelegramMessenger } from "../../../adapters/telegram/send";
import type { Messenger, TakeSlot } from "../../../src/engine/messenger";
import {
  FAKE_TELEGRAM_TOKEN,
  type FakeTelegramApi,
  startFakeTelegramApi,
} from "../../support/fake-telegram-api";

let api: FakeTelegramApi;
let bot: Telegraf;
let messenger: Messenger;

beforeAll(async () => {
  // A group takes 3 messages a minute here (Telegram's 20, narrowed so the test stays short).
  api = await startFakeTelegramApi({ groupMessagesPerMinute: 3 });
  bot = new Telegraf(FAKE_TELEGRAM_TOKEN, { telegram: { apiRoot: api.apiRoot } });
  messenger = createTelegramMessenger(bot.telegram);
});
afterAll(async () => {
  await api?.close();
});

let seq = 0;
const post = (chat: string, text = "card") =>
  messenger.post({ id: `p${++seq}`, platform: "telegram", channelId: chat, text });

describe("Telegram channel messages", () => {
  it("reads the Bot API's 'message is not modified' as done: the fake answers 400, the edit is ok", async () => {
    const posted = await post("-2001", "same");
    if (!posted.ok) throw new Error(posted.reason);
    expect(await messenger.edit(posted.ref, { text: "same" })).toEqual({ ok: true });
    const answer = api.callsTo("editMessageText").at(-1);
    expect(answer?.status).toBe(400);
    const [chat, id] = posted.ref.split(":");
    await expect(bot.telegram.editMessageText(chat, Number(id), undefined, "same")).rejects.toMatchObject({
      response: {
        error_code: 400,
        description: expect.stringMatching(/^Bad Request: message is not modified/),
      },
    });
  });

  it("answers a group's messages beyond its minute's budget with 429 and the seconds left, edits included", async () => {
    const first = await post("-2002");
    if (!first.ok) throw new Error(first.reason);
    expect(await messenger.edit(first.ref, { text: "edited" })).toEqual({ ok: true });
    expect((await post("-2002")).ok).toBe(true);
    const over = await post("-2002");
    expect(over).toMatchObject({ ok: false, retryable: true });
    const wait = !over.ok && over.retryable ? (over.retryAfterMs ?? 0) : 0;
    expect(wait).toBeGreaterThan(50_000);
    expect(wait).toBeLessThanOrEqual(60_000);
    expect(await messenger.edit(first.ref, { text: "again" })).toMatchObject({ ok: false, retryable: true });
    // Another group has a budget of its own.
    expect((await post("-2003")).ok).toBe(true);
  });

  it("takes a slot of the group's budget (20 a minute) for a post and an edit there, one a second in a private chat", async () => {
    const taken: string[] = [];
    const takeSlot: TakeSlot = async (budget, perSecond) =>
      void taken.push(`${budget}@${perSecond.toFixed(3)}`);
    const posted = await messenger.post(
      { id: "slot", platform: "telegram", channelId: "-2004", text: "a" },
      takeSlot,
    );
    if (!posted.ok) throw new Error(posted.reason);
    await messenger.edit(posted.ref, { text: "b" }, takeSlot);
    await messenger.post({ id: "dm-slot", platform: "telegram", channelId: "1001", text: "a" }, takeSlot);
    expect(taken).toEqual(["group:-2004@0.333", "group:-2004@0.333", "chat:1001@1.000"]);
  });

  it("refuses a text longer than one message without sending anything; the fake refuses an edit over 4096", async () => {
    const before = api.calls.length;
    expect(await post("-2005", "x".repeat(5000))).toMatchObject({ ok: false, retryable: false });
    expect(api.calls.length).toBe(before);
    const posted = await post("-2006", "short");
    if (!posted.ok) throw new Error(posted.reason);
    expect(await messenger.edit(posted.ref, { text: "y".repeat(5000) })).toMatchObject({
      ok: false,
      gone: false,
    });
    const [chat, id] = posted.ref.split(":");
    await expect(
      bot.telegram.editMessageText(chat, Number(id), undefined, "y".repeat(4097)),
    ).rejects.toMatchObject({
      response: { error_code: 400, description: "Bad Request: MESSAGE_TOO_LONG" },
    });
  });

  it("reads 'message can't be edited' and 'message to edit not found' as gone, a bot removed from the group as refused", async () => {
    const others = api.postAsUser("-2007", 1001, "hello");
    const foreign = await messenger.edit(`-2007:${others}`, { text: "x" });
    expect(foreign).toMatchObject({
      ok: false,
      gone: true,
      reason: expect.stringContaining("message can't be edited"),
    });
    const missing = await messenger.edit("-2007:999999", { text: "x" });
    expect(missing).toMatchObject({
      ok: false,
      gone: true,
      reason: expect.stringContaining("message to edit not found"),
    });
    api.kickBot("-2008");
    expect(await post("-2008")).toMatchObject({
      ok: false,
      retryable: false,
      reason: expect.stringContaining("403"),
    });
  });

  it("can reach a numeric id, never an @username placeholder", () => {
    expect(messenger.canReach("1001")).toBe(true);
    expect(messenger.canReach("@ann")).toBe(false);
  });
});
