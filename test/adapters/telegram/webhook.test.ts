import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { TelegramAdapter } from "../../../adapters/telegram";
import { type FakeTelegramApi, startFakeTelegramApi } from "../../support/fake-telegram-api";
import { type ChatStack, PUBLIC_URL, startChatStack, telegramOn } from "./chat-stack";

const SECRET = "webhook-secret_0123456789";
const GROUP_CHAT = -100200300;
const BOT = "crowdcart_test_bot";

let api: FakeTelegramApi;
let stack: ChatStack;
let adapter: TelegramAdapter;
let nextUpdateId = 1000;
let nextMessageId = 1;

const alice = { id: 5001, is_bot: false, first_name: "Alice", username: "alice_tg" };
const bob = { id: 5002, is_bot: false, first_name: "Bob", username: "bob_tg" };
const carol = { id: 5003, is_bot: false, first_name: "Carol" }; // no @username: text_mention only
const dave = { id: 5004, is_bot: false, first_name: "Dave", username: "dave_tg" };

beforeAll(async () => {
  api = await startFakeTelegramApi({ bot: { id: 42, username: BOT } });
  stack = await startChatStack("tg");
  adapter = telegramOn(stack, api, { webhookSecret: SECRET });
  await stack.attach(adapter);
});

afterAll(async () => {
  await stack?.close();
  await api?.close();
});

type TgUser = { id: number; is_bot: boolean; first_name: string; username?: string };

/** A text message update as Telegram sends it, with the bot_command entity its client adds. */
function commandUpdate(
  from: TgUser,
  text: string,
  chat: { id: number; type: string } = { id: GROUP_CHAT, type: "supergroup" },
  extraEntities: Array<Record<string, unknown>> = [],
) {
  const commandLength = text.split(/\s/)[0]!.length;
  return {
    update_id: nextUpdateId++,
    message: {
      message_id: nextMessageId++,
      date: Math.floor(Date.now() / 1000),
      from,
      chat,
      text,
      entities: [{ type: "bot_command", offset: 0, length: commandLength }, ...extraEntities],
    },
  };
}

function post(update: unknown, secret: string | null = SECRET, body?: string) {
  return fetch(`${stack.base}/telegram/webhook`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(secret ? { "x-telegram-bot-api-secret-token": secret } : {}),
    },
    body: body ?? JSON.stringify(update),
  });
}

function lastTextTo(chatId: number): string {
  const sent = api.messagesTo(chatId);
  return String(sent.at(-1)?.text ?? "");
}

async function say(user: TgUser, text: string, chat?: { id: number; type: string }) {
  const res = await post(commandUpdate(user, text, chat));
  expect(res.status).toBe(200);
}

function groupCodeIn(text: string): string {
  const code = /\/g\/([0-9A-Z]{13})/.exec(text)?.[1];
  if (!code) throw new Error(`no group link in: ${text}`);
  return code;
}

describe("Telegram webhook", () => {
  it("publishes the command list from the definitions at start", () => {
    const call = api.callsTo("setMyCommands").at(-1);
    expect(call?.status).toBe(200);
    const names = ((call?.body.commands ?? []) as Array<{ command: string }>).map((c) => c.command);
    expect(names).toEqual([
      "groupbuy",
      "join",
      "leave",
      "group",
      "cart",
      "catalog",
      "points",
      "register",
      "help",
    ]);
  });

  it("registers the webhook with its secret, so Telegram sends the secret header", () => {
    const call = api.callsTo("setWebhook").at(-1);
    expect(call?.status).toBe(200);
    expect(call?.body).toMatchObject({ url: `${PUBLIC_URL}/telegram/webhook`, secret_token: SECRET });
  });

  it("refuses a wrong or missing secret with 401 and does nothing", async () => {
    const before = api.calls.length;
    const wrong = await post(commandUpdate(alice, "/catalog"), "not-the-secret");
    const missing = await post(commandUpdate(alice, "/catalog"), null);
    expect([wrong.status, missing.status]).toEqual([401, 401]);
    expect(api.calls.length).toBe(before);
    expect(await stack.engine.users.get("telegram:5001")).toBeNull();
  });

  it("answers a malformed body with 400", async () => {
    const res = await post(undefined, SECRET, "{not json");
    expect(res.status).toBe(400);
  });

  it("answers /catalog in a group, replying to the command message", async () => {
    await say(alice, "/catalog");
    const sent = api.messagesTo(GROUP_CHAT).at(-1);
    expect(String(sent?.text)).toContain("KB-75");
    expect(sent?.reply_parameters).toMatchObject({ message_id: nextMessageId - 1 });
  });

  it("accepts /cmd@thisbot and ignores commands addressed to another bot", async () => {
    await say(bob, `/catalog@${BOT}`);
    expect(lastTextTo(GROUP_CHAT)).toContain("KB-75");
    const before = api.calls.length;
    await say(bob, "/catalog@some_other_bot");
    await say(bob, "/weather");
    expect(api.calls.length).toBe(before);
  });

  it("opens a group with @username, text_mention and unknown mentions; DMs the reachable, links the rest", async () => {
    await say(bob, "/help"); // bob has written before, so @bob_tg resolves
    const text = "/groupbuy KB-75 size=3 @bob_tg Carol @nobody_here";
    const carolAt = text.indexOf("Carol");
    const update = commandUpdate(alice, text, undefined, [
      { type: "mention", offset: text.indexOf("@bob_tg"), length: "@bob_tg".length },
      { type: "text_mention", offset: carolAt, length: "Carol".length, user: carol },
    ]);
    const res = await post(update);
    expect(res.status).toBe(200);
    const reply = lastTextTo(GROUP_CHAT);
    const code = groupCodeIn(reply);
    expect(reply).toContain(`${PUBLIC_URL}/g/${code}`);
    expect(reply).toContain("@nobody_here");
    expect(reply).toContain(`https://t.me/${BOT}?start=g-${code}`);
    expect(`g-${code}`).toMatch(/^[A-Za-z0-9_-]{1,64}$/);

    await stack.flushOutbox();
    expect(String(api.messagesTo(bob.id).at(-1)?.text)).toContain(code);
    expect(String(api.messagesTo(carol.id).at(-1)?.text)).toContain(code);
    const unknown = await stack.engine.users.get("telegram:@nobody_here");
    expect(unknown?.dmFailure?.reason).toMatch(/never started/);
  });

  it("records a 403 'bot can't initiate conversation' and offers the deep link in the group status", async () => {
    await say(dave, "/help");
    api.neverStarted(dave.id);
    await say(alice, "/groupbuy KC-PBT @dave_tg");
    const code = groupCodeIn(lastTextTo(GROUP_CHAT));
    await stack.flushOutbox();
    const user = await stack.engine.users.get(`telegram:${dave.id}`);
    expect(user?.dmFailure?.reason).toMatch(/403/);
    expect(api.callsTo("sendMessage").some((c) => c.status === 403)).toBe(true);

    // The organiser's status carries member details, so it goes to her private chat.
    await say(alice, `/group ${code}`);
    const status = lastTextTo(alice.id);
    expect(status).toMatch(/could not DM/i);
    expect(status).toContain(`https://t.me/${BOT}?start=g-${code}`);

    // Dave follows the deep link: /start g-<code> in his private chat opts him in and shows the group.
    api.started(dave.id);
    await say(dave, `/start g-${code}`, { id: dave.id, type: "private" });
    expect(lastTextTo(dave.id)).toContain(code);
    expect((await stack.engine.users.get(`telegram:${dave.id}`))?.dmFailure ?? null).toBeNull();
  });

  it("never repeats the effect of a redelivered update_id", async () => {
    await say(alice, "/groupbuy KB-75");
    const code = groupCodeIn(lastTextTo(GROUP_CHAT));
    const join = commandUpdate(bob, `/join ${code}`);
    const first = await post(join);
    const sentAfterFirst = api.callsTo("sendMessage").length;
    const again = await post(join);
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(api.callsTo("sendMessage").length).toBe(sentAfterFirst);
    expect(await stack.engine.orders.forGroup(code)).toHaveLength(1);
  });

  it("sends a /cart answer typed in a group to the caller's private chat, not the group", async () => {
    const groupBefore = api.messagesTo(GROUP_CHAT).length;
    await say(bob, "/cart add KB-75");
    expect(api.messagesTo(GROUP_CHAT).length).toBe(groupBefore);
    expect(lastTextTo(bob.id)).toMatch(/\/s\/\d{20,}-[A-Za-z0-9_-]{22,}/);
  });

  it("runs the command a button carries (callback_query) and answers the button", async () => {
    await say(alice, "/groupbuy MAT-XL");
    const code = groupCodeIn(lastTextTo(GROUP_CHAT));
    const keyboard = api.messagesTo(GROUP_CHAT).at(-1)?.reply_markup as {
      inline_keyboard: Array<Array<{ callback_data?: string }>>;
    };
    const data = keyboard.inline_keyboard.flat().find((b) => b.callback_data)?.callback_data;
    expect(data).toBe(`/join ${code}`);
    const query = api.callbackQuery({
      from: dave,
      data: data!,
      chat: { id: GROUP_CHAT, type: "supergroup" },
    });
    const res = await post({ update_id: nextUpdateId++, callback_query: query });
    expect(res.status).toBe(200);
    expect(api.callsTo("answerCallbackQuery").at(-1)?.body).toEqual({ callback_query_id: query.id });
    expect(api.unansweredCallbackQueries()).toEqual([]);
    expect((await stack.engine.orders.forGroup(code)).map((o) => o.userKey)).toEqual([`telegram:${dave.id}`]);
  });

  it("answers a button that runs no command, saying so, and runs nothing", async () => {
    const before = api.callsTo("sendMessage").length;
    for (const data of ["/dance now", "no command here"]) {
      const query = api.callbackQuery({ from: dave, data, chat: { id: GROUP_CHAT, type: "supergroup" } });
      expect((await post({ update_id: nextUpdateId++, callback_query: query })).status).toBe(200);
      const answer = api.callsTo("answerCallbackQuery").at(-1);
      expect(answer?.status).toBe(200);
      expect(answer?.body.callback_query_id).toBe(query.id);
      expect(String(answer?.body.text)).toContain("/help");
    }
    expect(api.unansweredCallbackQueries()).toEqual([]);
    expect(api.callsTo("sendMessage").length).toBe(before);
  });

  it("waits out a 429 on an answer (retry_after) instead of dropping it", async () => {
    api.rateLimitNext("sendMessage", 1);
    await say(bob, "/catalog");
    const attempts = api.callsTo("sendMessage").slice(-2);
    expect(attempts.map((c) => c.status)).toEqual([429, 200]);
    expect(lastTextTo(GROUP_CHAT)).toContain("KB-75");
  });

  it("answers a user error with one line in the chat where it was typed", async () => {
    await say(alice, "/join NOPE");
    const text = lastTextTo(GROUP_CHAT);
    expect(text.split("\n")).toHaveLength(1);
    expect(text.length).toBeGreaterThan(10);
  });
});
