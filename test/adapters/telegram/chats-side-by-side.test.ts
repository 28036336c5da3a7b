import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { TelegramAdapter } from "../../../adapters/telegram";
import { type FakeTelegramApi, startFakeTelegramApi } from "../../support/fake-telegram-api";
import { type ChatStack, eventually, startChatStack, telegramOn } from "./chat-stack";

const SECRET = "side-by-side-secret";
let nextUpdate = 1;
let nextMessage = 1;

/** `/catalog` typed by `userId` in a private chat (the chat id is the user id). */
function catalogIn(userId: number, text = "/catalog") {
  return {
    update_id: nextUpdate++,
    message: {
      message_id: nextMessage++,
      date: 1,
      from: { id: userId, is_bot: false, first_name: `U${userId}` },
      chat: { id: userId, type: "private" },
      text,
      entities: [{ type: "bot_command", offset: 0, length: text.split(" ")[0]!.length }],
    },
  };
}

describe.each([
  ["long polling", undefined],
  ["webhook", SECRET],
])("Telegram chats side by side (%s)", (mode, webhookSecret) => {
  let api: FakeTelegramApi;
  let stack: ChatStack;
  let adapter: TelegramAdapter;

  beforeAll(async () => {
    api = await startFakeTelegramApi();
    stack = await startChatStack(webhookSecret ? "tgsbsw" : "tgsbsp");
    adapter = telegramOn(stack, api, webhookSecret ? { webhookSecret } : {});
    await stack.attach(adapter);
  });
  afterAll(async () => {
    await stack?.close();
    await api?.close();
  });

  /** Hands an update to the service the way this mode receives them; resolves once it was taken. */
  function deliver(update: Record<string, unknown>): Promise<unknown> {
    if (!webhookSecret) return Promise.resolve(api.queueUpdate(update));
    return fetch(`${stack.base}/telegram/webhook`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": SECRET },
      body: JSON.stringify(update),
    });
  }

  it(`answers other chats while one chat's reply is held up, and keeps that chat's order (${mode})`, async () => {
    const [slow, fast] = mode === "webhook" ? [6101, 6102] : [6201, 6202];
    const release = api.holdNext(slow);
    // Two commands in the held chat, then one in another chat, in this order.
    const first = deliver(catalogIn(slow, "/catalog"));
    const second = deliver(catalogIn(slow, "/help"));
    const other = deliver(catalogIn(fast, "/help"));
    try {
      await other;
      const answered = await eventually(() => api.messagesTo(fast).at(0), "the other chat's answer");
      expect(String(answered.text)).toContain("/groupbuy");
      // Nothing reached the held chat: its first answer is held, and its second command (which the
      // fake would let through) waits behind the first.
      const toSlow = api.callsTo("sendMessage").filter((c) => String(c.body.chat_id) === String(slow));
      expect(toSlow).toHaveLength(0);
    } finally {
      release();
    }
    await Promise.all([first, second]);
    const sent = await eventually(
      () => (api.messagesTo(slow).length === 2 ? api.messagesTo(slow) : undefined),
      "both answers in the held chat",
    );
    expect(String(sent[0]?.text)).toContain("KB-75");
    expect(String(sent[1]?.text)).toContain("/groupbuy");
  });
});

describe("Telegram long polling confirms only finished updates", () => {
  let api: FakeTelegramApi;
  let stack: ChatStack;

  beforeAll(async () => {
    api = await startFakeTelegramApi();
    stack = await startChatStack("tgconfirm");
    await stack.attach(telegramOn(stack, api, {}));
  });
  afterAll(async () => {
    await stack?.close();
    await api?.close();
  });

  it("never names an offset past an update that is still running, and handles it once", async () => {
    const slow = 6301;
    const release = api.holdNext(slow);
    const held = catalogIn(slow);
    api.queueUpdate(held);
    const later = catalogIn(6302, "/help");
    api.queueUpdate(later);
    try {
      // The later update is answered while the held one runs: polling went on past it.
      await eventually(() => api.messagesTo(6302).at(0), "the later update's answer");
      const asked = await eventually(() => {
        const polls = api.callsTo("getUpdates");
        return polls.length >= 3 ? polls : undefined;
      }, "polls while the held update runs");
      // A crash now would lose nothing: Telegram still holds every update from the held one on.
      for (const poll of asked) expect(Number(poll.body.offset ?? 0)).toBeLessThanOrEqual(held.update_id);
    } finally {
      release();
    }
    await eventually(
      () =>
        api.callsTo("getUpdates").some((c) => Number(c.body.offset) > later.update_id) ? true : undefined,
      "the offset past both once they finished",
    );
    expect(api.messagesTo(slow)).toHaveLength(1);
    expect(api.messagesTo(6302)).toHaveLength(1);
  });
});
