import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { Telegram } from "telegraf";
import { createTelegramHandler } from "../../../adapters/telegram/handle";
import { parseTelegramUpdate } from "../../../adapters/telegram/parse";
import { COMMANDS } from "../../../commands";
import type { Invocation } from "../../../src/chat/invocation";
import type { ChatRouter, HandleOptions } from "../../../src/chat/router";
import type { Reply } from "../../../src/kernel";
import { silentLogger } from "../../../src/logger";
import {
  FAKE_TELEGRAM_TOKEN,
  type FakeTelegramApi,
  startFakeTelegramApi,
} from "../../support/fake-telegram-api";

const BOT = "crowdcart_test_bot";
const GROUP_CHAT = -100777;
const CODE = "7KQ3MX9P2HABC";
const LINK = `https://t.me/${BOT}?start=g-${CODE}`;

let api: FakeTelegramApi;
let telegram: Telegram;

beforeAll(async () => {
  api = await startFakeTelegramApi({ bot: { id: 42, username: BOT } });
  telegram = new Telegram(FAKE_TELEGRAM_TOKEN, { apiRoot: api.apiRoot, webhookReply: false });
});
afterAll(async () => {
  await api?.close();
});

/** A router that answers every invocation with `reply`, remembering what it was asked. */
function answering(reply: Reply) {
  const asked: { invocation: Invocation; options: HandleOptions | undefined }[] = [];
  const router: ChatRouter = {
    commands: COMMANDS,
    async handle(invocation, options) {
      asked.push({ invocation, options });
      return reply;
    },
  };
  return { router, asked };
}

let updateId = 1;
function commandIn(text: string, chat = { id: GROUP_CHAT, type: "group" }) {
  const head = text.split(" ")[0]!;
  const event = parseTelegramUpdate(
    {
      update_id: updateId++,
      message: {
        message_id: updateId,
        date: 0,
        from: { id: 5001, is_bot: false, first_name: "Ana" },
        chat,
        text,
        entities: [{ type: "bot_command", offset: 0, length: head.length }],
      },
    },
    { botUsername: BOT, commands: new Set(COMMANDS.map((c) => c.name)) },
  );
  if (event.kind !== "command") throw new Error(`not a command: ${event.reason}`);
  return event;
}

/** What the adapter posted in the group for one command, given the router's reply. */
async function posted(reply: Reply, line: string): Promise<string> {
  const { router } = answering(reply);
  const handle = createTelegramHandler({
    router,
    users: { resolveByUsername: async () => null },
    log: silentLogger,
    botUsername: () => BOT,
  });
  const before = api.messagesTo(GROUP_CHAT).length;
  await handle(commandIn(line), telegram);
  return api
    .messagesTo(GROUP_CHAT)
    .slice(before)
    .map((m) => String(m.text))
    .join("\n");
}

describe("Telegram adds to a reply what its fields say, never what its text or command name suggests", () => {
  const group = { code: CODE, url: `https://shop.example/g/${CODE}` };

  it("offers the deep link under any reply naming a group, whatever the command", async () => {
    const text = await posted({ text: "Here it is.", visibility: "channel", group }, "/catalog");
    expect(text).toBe(`Here it is.\n\nNot getting my messages? Open ${LINK} and press Start.`);
  });

  it("lists the unreachable mentions the reply carries", async () => {
    const reply: Reply = { text: "Opened.", visibility: "channel", group, unreachable: ["@ann_x", "@bo_b"] };
    expect(await posted(reply, "/points")).toBe(
      `Opened.\n\nI can't message @ann_x, @bo_b yet (they never started me). To get the invitation: open ${LINK} and press Start.`,
    );
  });

  it("adds nothing to a group link that is only text, or to an error", async () => {
    const onlyText = `Group ${CODE}: https://shop.example/g/${CODE}`;
    expect(await posted({ text: onlyText, visibility: "channel" }, `/group ${CODE}`)).toBe(onlyText);
    const error: Reply = { text: "No such group.", visibility: "private", errorCode: "X", group };
    expect(await posted(error, "/groupbuy KB-75")).toBe("No such group.");
  });

  it("asks the router whether each mention can be messaged: a number can, an unresolved @name cannot", async () => {
    const { router, asked } = answering({ text: "ok", visibility: "channel" });
    const handle = createTelegramHandler({
      router,
      users: { resolveByUsername: async () => null },
      log: silentLogger,
      botUsername: () => BOT,
    });
    await handle(commandIn("/groupbuy KB-75 @somebody"), telegram);
    const canReach = asked[0]?.options?.canReach;
    expect(canReach?.("5001")).toBe(true);
    expect(canReach?.("@somebody")).toBe(false);
  });
});

describe("Telegram's /start, decoded where updates are parsed", () => {
  it("turns a group's deep link into that group's status, anything else into the help", () => {
    const direct = { id: 5001, type: "private" };
    expect(commandIn(`/start g-${CODE}`, direct).invocation).toMatchObject({
      command: "group",
      args: { text: CODE },
    });
    for (const line of ["/start", "/start help", "/start g-", "/start x-1"]) {
      expect(commandIn(line, direct).invocation).toMatchObject({ command: "help", args: { text: "" } });
    }
  });
});
