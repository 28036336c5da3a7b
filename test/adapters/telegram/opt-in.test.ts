import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { type FakeTelegramApi, startFakeTelegramApi } from "../../support/fake-telegram-api";
import { type ChatStack, startChatStack, telegramOn } from "./chat-stack";
import { TELEGRAM_BOT, TELEGRAM_SECRET, telegramClient } from "./telegram-client";

let api: FakeTelegramApi;
let stack: ChatStack;
let client: ReturnType<typeof telegramClient>;

beforeAll(async () => {
  api = await startFakeTelegramApi({ bot: { id: 42, username: TELEGRAM_BOT } });
  stack = await startChatStack("tgoptin");
  await stack.attach(telegramOn(stack, api, { webhookSecret: TELEGRAM_SECRET }));
  client = telegramClient(stack.base, api);
});

afterAll(async () => {
  await stack?.close();
  await api?.close();
});

const deepLink = (code: string) => `https://t.me/${TELEGRAM_BOT}?start=g-${code}`;
const notGetting = (code: string) => `Not getting my messages? Open ${deepLink(code)} and press Start.`;

/** The command's own answer and what Telegram added under it, split at the blank line. */
function paragraphs(text: string): string[] {
  return text.split("\n\n");
}

function codeIn(text: string): string {
  const code = /Group (?:code: )?([0-9A-Z]{13})/.exec(text)?.[1];
  if (!code) throw new Error(`no group code in: ${text}`);
  return code;
}

describe("Telegram's own way into a group (the /start deep link)", () => {
  it("lists the mentioned people it cannot message yet, with the link that lets them start the bot", async () => {
    const reply = await client.send(
      "ana",
      `/groupbuy KB-75 @nobody_here ${client.mention("bob")} @Nobody_Else`,
    );
    const [answer, added, ...more] = paragraphs(reply.text);
    const code = codeIn(answer!);
    expect(more).toEqual([]);
    expect(added).toBe(
      `I can't message @nobody_here, @Nobody_Else yet (they never started me). To get the invitation: open ${deepLink(code)} and press Start.`,
    );
  });

  it("offers the link under a group it opened or showed, and nowhere else", async () => {
    const opened = await client.send("ana", "/groupbuy KC-PBT");
    const [answer, added, ...more] = paragraphs(opened.text);
    const code = codeIn(answer!);
    expect([added, more]).toEqual([notGetting(code), []]);

    const shown = await client.send("carl", `/group ${code}`);
    expect(shown.private).toBe(false);
    expect(paragraphs(shown.text).slice(1)).toEqual([notGetting(code)]);

    // A join names the group's page too, but opens or shows no group: nothing is added.
    const joined = await client.send("bob", `/join ${code}`);
    expect(joined.text).toContain(`/g/${code}`);
    expect(joined.text).not.toContain("t.me/");
    expect(paragraphs(joined.text)).toHaveLength(1);

    // A mistake is one line, whatever group it names.
    const wrong = await client.send("bob", `/join ${code} qty=0`);
    expect(wrong.text.split("\n")).toHaveLength(1);
  });

  it("shows the group a deep link names, and the help for a bare /start", async () => {
    const opened = await client.send("ana", "/groupbuy SW-LIN");
    const code = codeIn(opened.text);
    const started = await client.send("dora", `/start g-${code}`, "private");
    const [answer, added, ...more] = paragraphs(started.text);
    expect(answer).toContain(`Group ${code}:`);
    expect([added, more]).toEqual([notGetting(code), []]);

    const help = await client.send("dora", "/start", "private");
    expect(help.text).toContain("/groupbuy");
    expect(help.text).not.toContain("t.me/");
  });
});
