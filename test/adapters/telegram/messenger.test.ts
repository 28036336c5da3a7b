import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { Telegraf } from "telegraf";
import { createTelegramMessenger, TELEGRAM_PACE } from "../../../adapters/telegram/send";
import type { Messenger } from "../../../src/engine/messenger";
import { type FakeTelegramApi, startFakeTelegramApi } from "../../support/fake-telegram-api";

let api: FakeTelegramApi;
let messenger: Messenger;

beforeAll(async () => {
  api = await startFakeTelegramApi();
  const bot = new Telegraf("123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ", { telegram: { apiRoot: api.apiRoot } });
  messenger = createTelegramMessenger(bot.telegram);
});
afterAll(async () => {
  await api?.close();
});

const dm = (userId: string, id = "m1") => ({ id, platform: "telegram" as const, userId, text: "hello" });

describe("Telegram messenger", () => {
  it("paces at Telegram's limits: 30 messages a second overall, 1 a second per chat", () => {
    expect(messenger.pace).toEqual(TELEGRAM_PACE);
    expect(messenger.pace).toEqual({ perSecond: 30, perRecipientPerSecond: 1 });
  });

  it("delivers a DM to the user's private chat through sendMessage", async () => {
    expect(
      await messenger.send({ ...dm("777"), buttons: [{ label: "Join", command: "/join ABC" }] }),
    ).toEqual({
      ok: true,
    });
    const sent = api.messagesTo(777).at(-1);
    expect(sent?.text).toBe("hello");
    expect(sent?.reply_markup).toEqual({ inline_keyboard: [[{ text: "Join", callback_data: "/join ABC" }]] });
  });

  it("reports 403 (never started the bot) as a permanent failure", async () => {
    api.neverStarted(778);
    const result = await messenger.send(dm("778"));
    expect(result).toMatchObject({ ok: false, retryable: false });
    expect(result.ok ? "" : result.reason).toContain("bot can't initiate conversation");
  });

  it("reports 429 as retryable after the retry_after Telegram names", async () => {
    api.rateLimitNext("sendMessage", 7);
    expect(await messenger.send(dm("779"))).toMatchObject({ ok: false, retryable: true, retryAfterMs: 7000 });
    expect(await messenger.send(dm("779"))).toEqual({ ok: true });
  });

  it("never calls the API for an @username placeholder nobody resolved", async () => {
    const before = api.calls.length;
    expect(await messenger.send(dm("@someone"))).toMatchObject({ ok: false, retryable: false });
    expect(api.calls.length).toBe(before);
  });

  it("a fake with an enforced global rate answers 429 beyond it", async () => {
    const limited = await startFakeTelegramApi({ messagesPerSecond: 2 });
    try {
      const bot = new Telegraf("123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ", {
        telegram: { apiRoot: limited.apiRoot },
      });
      const fast = createTelegramMessenger(bot.telegram);
      const results = await Promise.all([1, 2, 3, 4].map((n) => fast.send(dm(String(900 + n), `m${n}`))));
      expect(results.filter((r) => r.ok)).toHaveLength(2);
      expect(results.filter((r) => !r.ok && r.retryable && r.retryAfterMs === 1000)).toHaveLength(2);
    } finally {
      await limited.close();
    }
  });
});
