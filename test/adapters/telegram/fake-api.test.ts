import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import {
  FAKE_TELEGRAM_TOKEN,
  type FakeTelegramApi,
  startFakeTelegramApi,
} from "../../support/fake-telegram-api";

let api: FakeTelegramApi;

beforeAll(async () => {
  api = await startFakeTelegramApi();
});
afterAll(async () => {
  await api?.close();
});

async function call(method: string, body: Record<string, unknown>, token = FAKE_TELEGRAM_TOKEN) {
  const res = await fetch(`${api.apiRoot}/bot${token}/${method}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const badRequest = (description: string) => ({
  status: 400,
  body: { ok: false, error_code: 400, description: `Bad Request: ${description}` },
});

/** The fake refuses what the Bot API refuses, with the Bot API's own answers. */
describe("the fake Telegram Bot API", () => {
  it("refuses a wrong token with 401 and an unknown method with 404", async () => {
    expect(await call("getMe", {}, "123456:WRONGWRONGWRONG")).toEqual({
      status: 401,
      body: { ok: false, error_code: 401, description: "Unauthorized" },
    });
    expect(await call("sendTelepathy", { chat_id: 1 })).toEqual({
      status: 404,
      body: { ok: false, error_code: 404, description: "Not Found" },
    });
  });

  it("refuses empty and over-long texts", async () => {
    expect(await call("sendMessage", { chat_id: 1, text: " \n" })).toEqual(
      badRequest("message text is empty"),
    );
    expect(await call("sendMessage", { chat_id: 1, text: "x".repeat(4097) })).toEqual(
      badRequest("message is too long"),
    );
    expect((await call("sendMessage", { chat_id: 1, text: "x".repeat(4096) })).status).toBe(200);
  });

  it("refuses a malformed inline keyboard", async () => {
    const send = (reply_markup: unknown) => call("sendMessage", { chat_id: 1, text: "hi", reply_markup });
    expect((await send({ inline_keyboard: [{ text: "flat" }] })).status).toBe(400);
    expect((await send({ inline_keyboard: [[{ text: "no action" }]] })).status).toBe(400);
    expect(await send({ inline_keyboard: [[{ text: "Join", callback_data: "x".repeat(65) }]] })).toEqual(
      badRequest("BUTTON_DATA_INVALID"),
    );
    expect((await send("{not json")).status).toBe(400);
    expect((await send({ inline_keyboard: [[{ text: "Join", callback_data: "/join A" }]] })).status).toBe(
      200,
    );
  });

  it("answers the 21st message in a group within a minute with 429 and retry_after", async () => {
    for (let i = 0; i < 20; i++)
      expect((await call("sendMessage", { chat_id: -99, text: `m${i}` })).status).toBe(200);
    const refused = await call("sendMessage", { chat_id: -99, text: "one too many" });
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ ok: false, error_code: 429 });
    const retryAfter = (refused.body.parameters as { retry_after: number }).retry_after;
    expect(retryAfter).toBeGreaterThan(50);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // Private chats are not held to the group limit.
    expect((await call("sendMessage", { chat_id: 99, text: "hi" })).status).toBe(200);
  });

  it("accepts each pressed button's answer once, and lists the ones never answered", async () => {
    const pressed = api.callbackQuery({ from: { id: 5 }, data: "/help", chat: { id: 5, type: "private" } });
    api.callbackQuery({ from: { id: 6 }, data: "/help", chat: { id: 6, type: "private" } });
    expect(api.unansweredCallbackQueries()).toHaveLength(2);
    expect((await call("answerCallbackQuery", { callback_query_id: pressed.id })).status).toBe(200);
    expect(await call("answerCallbackQuery", { callback_query_id: pressed.id })).toEqual(
      badRequest("query is too old and response timeout expired or query ID is invalid"),
    );
    expect(api.unansweredCallbackQueries()).toHaveLength(1);
  });

  it("refuses command names Telegram refuses, and commands without a description", async () => {
    const set = (commands: unknown) => call("setMyCommands", { commands });
    expect(await set([{ command: "joinGroup", description: "Join" }])).toEqual(
      badRequest("BOT_COMMAND_INVALID"),
    );
    expect(await set([{ command: "/join", description: "Join" }])).toEqual(badRequest("BOT_COMMAND_INVALID"));
    expect(await set([{ command: "join", description: " " }])).toEqual(
      badRequest("command description must be non-empty"),
    );
    expect((await set([{ command: "join_group", description: "Join" }])).status).toBe(200);
  });

  it("refuses descriptions over 256 characters and lists of more than 100 commands", async () => {
    const set = (commands: unknown) => call("setMyCommands", { commands });
    expect(await set([{ command: "join", description: "x".repeat(257) }])).toEqual(
      badRequest("BOT_COMMAND_DESCRIPTION_INVALID"),
    );
    expect((await set([{ command: "join", description: "x".repeat(256) }])).status).toBe(200);
    const commands = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ command: `c${i}`, description: "d" }));
    expect(await set(commands(101))).toEqual(badRequest("BOT_COMMANDS_TOO_MUCH"));
    expect((await set(commands(100))).status).toBe(200);
  });

  it("refuses a webhook secret with characters Telegram does not allow", async () => {
    expect(
      await call("setWebhook", { url: "https://shop.test/telegram/webhook", secret_token: "a b" }),
    ).toEqual(badRequest("secret token contains unallowed characters"));
  });
});
