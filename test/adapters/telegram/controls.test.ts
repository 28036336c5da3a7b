import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { type FakeTelegramApi, startFakeTelegramApi } from "../../support/fake-telegram-api";
import { type ChatStack, startChatStack, telegramOn } from "./chat-stack";
import { TELEGRAM_BOT, TELEGRAM_SECRET, telegramClient } from "./telegram-client";

const GROUP_CHAT = -1001234567;
const OTHER_CHAT = -1009999999;

let api: FakeTelegramApi;
let stack: ChatStack;
let client: ReturnType<typeof telegramClient>;

beforeAll(async () => {
  api = await startFakeTelegramApi({ bot: { id: 42, username: TELEGRAM_BOT }, groupMessagesPerMinute: 1000 });
  stack = await startChatStack("tgcontrols");
  await stack.attach(telegramOn(stack, api, { webhookSecret: TELEGRAM_SECRET }));
  client = telegramClient(stack.base, api);
});

afterAll(async () => {
  await stack?.close();
  await api?.close();
});

function codeIn(text: string): string {
  const code = /Group code: ([0-9A-Z]{13})/.exec(text)?.[1];
  if (!code) throw new Error(`no group code in: ${text}`);
  return code;
}

const askedAbout = (user: string, chat: number) =>
  api
    .callsTo("getChatMember")
    .filter((c) => String(c.body.chat_id) === String(chat) && Number(c.body.user_id) === client.idOf(user));

describe("Telegram: /leave and the organiser controls", () => {
  it("a member leaves: the order is cancelled and the count drops; leaving again is refused", async () => {
    const code = codeIn((await client.send("olga", "/groupbuy KB-75 size=3")).text);
    await client.send("pia", `/join ${code}`);
    await client.send("quinn", `/join ${code}`);
    const left = await client.send("pia", `/leave ${code}`);
    expect(left.text).toContain(`pia left group ${code}: order`);
    expect(left.text).toContain("1 of 3 members now");
    const orders = await stack.engine.orders.forGroup(code);
    expect(orders.map((o) => o.status).sort()).toEqual(["cancelled", "placed"]);
    expect((await client.send("pia", `/leave ${code}`)).text).toContain(
      `You are not a member of group ${code}, so there is nothing to leave`,
    );
    expect((await client.send("pia", "/leave ZZZZZZZZZZZZZ")).text).toContain(
      'There is no group "ZZZZZZZZZZZZZ"',
    );
  });

  it("refuses someone who is neither organiser nor chat administrator, asking Telegram, and changes nothing", async () => {
    const code = codeIn((await client.send("olga", "/groupbuy KB-75 size=2")).text);
    api.setChatMember(GROUP_CHAT, client.idOf("ray"), "member");
    const refused = await client.send("ray", `/group ${code} cancel`);
    expect(refused.text).toBe(
      `Only the organiser of group ${code} or an admin of the place it was opened in may cancel it; ask them`,
    );
    expect(askedAbout("ray", GROUP_CHAT)).toHaveLength(1);
    const status = await client.send("ray", `/group ${code}`);
    expect(status.text).toContain("Status: open");
  });

  it("lets the chat's creator and administrators act, with getChatMember's answer kept briefly", async () => {
    const code = codeIn((await client.send("olga", "/groupbuy KB-75 size=2")).text);
    api.setChatMember(GROUP_CHAT, client.idOf("sam"), "administrator");
    api.setChatMember(GROUP_CHAT, client.idOf("tess"), "creator");
    const extended = await client.send("sam", `/group ${code} extend 24h`);
    expect(extended.text).toContain(`Group ${code} now stays open until`);
    expect(extended.text).toContain("(1d more)");
    const again = await client.send("sam", `/group ${code} extend 1h`);
    expect(again.text).toContain("(1h more)");
    expect(askedAbout("sam", GROUP_CHAT)).toHaveLength(1);
    const cancelled = await client.send("tess", `/group ${code} cancel sold out`);
    expect(cancelled.text).toContain(`Group ${code} is cancelled: sold out.`);
  });

  it("an administrator of another chat has no say over this chat's group", async () => {
    const code = codeIn((await client.send("olga", "/groupbuy KB-75 size=2")).text);
    api.setChatMember(OTHER_CHAT, client.idOf("uma"), "creator");
    const refused = await client.send("uma", `/group ${code} close`, OTHER_CHAT);
    expect(refused.text).toContain(`Only the organiser of group ${code}`);
    expect(askedAbout("uma", OTHER_CHAT)).toHaveLength(0);
  });

  it("a 429 from getChatMember refuses with its own line and changes nothing", async () => {
    const code = codeIn((await client.send("olga", "/groupbuy KB-75 size=2")).text);
    api.setChatMember(GROUP_CHAT, client.idOf("vic"), "administrator");
    api.rateLimitNext("getChatMember", 30);
    const refused = await client.send("vic", `/group ${code} cancel`);
    expect(refused.text).toContain("Could not ask the chat platform whether you are an admin here");
    expect((await stack.engine.groups.status(code, "telegram:0")).state).toBe("open");
  });

  it("the organiser closes at size, is told how many are missing below it, and reminds the tagged", async () => {
    const opened = await client.send("olga", `/groupbuy KB-75 size=2 max=4 ${client.mention("walt")}`);
    const code = codeIn(opened.text);
    await client.send("xena", `/join ${code}`);
    expect((await client.send("olga", `/group ${code} close`)).text).toContain(
      `Group ${code} needs 1 more member (of 2) before it can close`,
    );
    const reminded = await client.send("olga", `/group ${code} remind`);
    // remind answers the organiser only: in their private chat.
    expect(reminded.private).toBe(true);
    expect(reminded.text).toContain(`Reminded 1 of the 1 tagged members who have not joined group ${code}`);
    await stack.flushOutbox();
    expect(client.dms("walt").some((t) => t.startsWith("Reminder"))).toBe(true);
    await client.send("yuri", `/join ${code}`);
    const closed = await client.send("olga", `/group ${code} close`);
    expect(closed.text).toContain(`Group ${code} is closed and complete with 2 members`);
  });
});
