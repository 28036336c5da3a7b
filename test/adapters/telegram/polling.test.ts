import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { TelegramAdapter } from "../../../adapters/telegram";
import { type FakeTelegramApi, startFakeTelegramApi } from "../../support/fake-telegram-api";
import { type ChatStack, eventually, startChatStack, telegramOn } from "./chat-stack";

let api: FakeTelegramApi;
let stack: ChatStack;
let adapter: TelegramAdapter;

beforeAll(async () => {
  api = await startFakeTelegramApi();
  stack = await startChatStack("tgpoll");
  // No webhook secret: long polling, and no route is mounted.
  adapter = telegramOn(stack, api);
  await adapter.start();
});
afterAll(async () => {
  await adapter?.stop();
  await stack?.close();
  await api?.close();
});

/** `/catalog` typed by `userId` in the private chat with the bot, as update `updateId`. */
const catalogFrom = (userId: number, updateId: number) => ({
  update_id: updateId,
  message: {
    message_id: updateId,
    date: 1,
    from: { id: userId, is_bot: false, first_name: "Pat" },
    chat: { id: userId, type: "private" },
    text: "/catalog",
    entities: [{ type: "bot_command", offset: 0, length: 8 }],
  },
});

describe("Telegram long polling", () => {
  it("mounts no webhook route without a secret", () => {
    expect(adapter.mounts).toEqual([]);
  });

  it("fetches updates with getUpdates, answers them, and confirms them through the offset", async () => {
    api.queueUpdate(catalogFrom(6001, 41));
    const reply = await eventually(() => api.messagesTo(6001).at(-1), "the /catalog answer");
    expect(String(reply.text)).toContain("KB-75");
    await eventually(
      () => api.callsTo("getUpdates").find((c) => Number(c.body.offset) === 42),
      "a getUpdates confirming update 41",
    );
    expect(api.callsTo("getUpdates").every((c) => Number(c.body.timeout) <= 25)).toBe(true);
  });

  it("answers a button pressed in a polled update", async () => {
    const query = api.callbackQuery({
      from: { id: 6001, is_bot: false, first_name: "Pat" },
      data: "/help",
      chat: { id: 6001, type: "private" },
    });
    api.queueUpdate({ update_id: 42, callback_query: query });
    await eventually(
      () =>
        api
          .callsTo("answerCallbackQuery")
          .find((c) => c.status === 200 && c.body.callback_query_id === query.id),
      "the button's answer",
    );
    expect(api.unansweredCallbackQueries()).toEqual([]);
    expect(String(await eventually(() => api.messagesTo(6001)[1]?.text, "the /help answer"))).toContain(
      "/join",
    );
  });

  it("stops promptly, with the poll in flight aborted", async () => {
    await adapter.stop();
    const calls = api.callsTo("getUpdates").length;
    // An update arriving after the stop is never fetched: a loop still running would poll again
    // within the fake's 500 ms hold plus the first 1 s back-off, and answer it. Its id is past the
    // offset the earlier updates confirmed (42 was the button press), or Telegram would have
    // forgotten it and a running loop could never answer it either.
    api.queueUpdate(catalogFrom(6002, 43));
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(api.messagesTo(6002)).toEqual([]);
    // The fake records a call when it answers: the aborted poll may show up once, nothing after it.
    expect(api.callsTo("getUpdates").length).toBeLessThanOrEqual(calls + 1);
  });
});
