import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { LogLevel, webApi } from "@slack/bolt";
import pino from "pino";
import { UPDATES_PER_MINUTE } from "../../../adapters/slack/channel-messages";
import { SlackCommandNames } from "../../../adapters/slack/command-names";
import { createSlackMessenger } from "../../../adapters/slack/messenger";
import { COMMANDS } from "../../../commands";
import type { TakeSlot } from "../../../src/engine/messenger";
import { silentLogger } from "../../../src/logger";
import { type FakeSlackApi, startFakeSlackApi } from "../../support/fake-slack-api";

const names = new SlackCommandNames(COMMANDS);
let fake: FakeSlackApi;
let client: webApi.WebClient;

beforeAll(async () => {
  fake = await startFakeSlackApi();
  client = new webApi.WebClient(fake.botToken, {
    logLevel: LogLevel.ERROR,
    slackApiUrl: fake.apiUrl,
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
  });
});
afterAll(async () => {
  await fake.close();
});

const dm = (userId: string, id = `m-${userId}`) => ({
  id,
  platform: "slack" as const,
  userId,
  text: "hello <you> & co",
});

describe("Slack messenger", () => {
  it("opens the DM channel and posts the message, escaping Slack markup", async () => {
    const messenger = createSlackMessenger({ client, names, log: silentLogger });
    expect(await messenger.send(dm("T1:U10"))).toEqual({ ok: true });
    expect(fake.callsTo("conversations.open").at(-1)?.args.users).toBe("U10");
    expect(fake.dmsTo("U10")[0]?.text).toBe("hello &lt;you&gt; &amp; co");
  });

  it("renders command buttons as actions and URL buttons as links", async () => {
    const messenger = createSlackMessenger({ client, names, log: silentLogger });
    await messenger.send({
      ...dm("T1:U11"),
      buttons: [
        { label: "Join", command: "/join ABC" },
        { label: "Open", url: "https://shop.test/g/ABC" },
      ],
    });
    const blocks = JSON.stringify(fake.dmsTo("U11")[0]?.blocks);
    expect(blocks).toContain('"value":"/join ABC"');
    expect(blocks).toContain('"url":"https://shop.test/g/ABC"');
  });

  it("reports a 429 as retryable after Retry-After and waits it out before the next send", async () => {
    let clock = 1_000_000;
    const waits: number[] = [];
    const messenger = createSlackMessenger({
      client,
      names,
      log: silentLogger,
      now: () => clock,
      wait: async (ms) => {
        waits.push(ms);
        clock += ms;
      },
    });
    fake.rateLimitNext("chat.postMessage", 2);
    expect(await messenger.send(dm("T1:U12"))).toEqual({
      ok: false,
      retryable: true,
      reason: "ratelimited",
      retryAfterMs: 2000,
    });
    expect(await messenger.send(dm("T1:U12"))).toEqual({ ok: true });
    expect(waits).toEqual([2000]);
  });

  it("reports a user who can never be DMed as permanent and remembers them", async () => {
    fake.refuseDm("U13", "cannot_dm_bot");
    const messenger = createSlackMessenger({ client, names, log: silentLogger });
    const result = await messenger.send(dm("T1:U13"));
    expect(result).toMatchObject({ ok: false, retryable: false });
    expect(messenger.canReach("T1:U13")).toBe(false);
  });

  it("treats other Slack errors as worth retrying", async () => {
    fake.failEveryCall("internal_error");
    try {
      const messenger = createSlackMessenger({ client, names, log: silentLogger });
      expect(await messenger.send(dm("T1:U14"))).toEqual({
        ok: false,
        retryable: true,
        reason: "slack: internal_error",
      });
    } finally {
      fake.failEveryCall(undefined);
    }
  });

  it.each(["account_inactive", "invalid_auth", "token_revoked"])(
    "reads %s as the app's own token dying: logged loudly, retried later, the recipient not blamed",
    async (error) => {
      const errors: string[] = [];
      const log = pino(
        { level: "error" },
        { write: (line: string) => void errors.push(JSON.parse(line).msg) },
      );
      fake.failEveryCall(error);
      try {
        const messenger = createSlackMessenger({ client, names, log });
        const result = await messenger.send(dm("T1:U15"));
        expect(result).toMatchObject({ ok: false, retryable: true, retryAfterMs: 600_000 });
        expect(result.ok === false && result.reason).toContain("the app's token was refused");
        expect(messenger.canReach("T1:U15")).toBe(true);
        expect(errors).toEqual([expect.stringContaining("SLACK_BOT_TOKEN")]);
      } finally {
        fake.failEveryCall(undefined);
      }
    },
  );

  it("answers a wrong bot token as Slack does: invalid_auth", async () => {
    const stranger = new webApi.WebClient("xoxb-someone-else", {
      slackApiUrl: fake.apiUrl,
      retryConfig: { retries: 0 },
    });
    await expect(stranger.auth.test()).rejects.toMatchObject({ data: { error: "invalid_auth" } });
    await expect(client.apiCall("chat.postMessage", { channel: "D1" })).rejects.toMatchObject({
      data: { error: "no_text" },
    });
    await expect(client.apiCall("chat.frobnicate", {})).rejects.toMatchObject({
      data: { error: "unknown_method" },
    });
  });

  it("sends a DM longer than one Slack message as several, none over Slack's limits, buttons last", async () => {
    const messenger = createSlackMessenger({ client, names, log: silentLogger });
    const lines = Array.from({ length: 1200 }, (_, i) => `member ${i}: ${"x".repeat(60)}`);
    const text = [...lines, "Link: https://shop.test/g/ABC"].join("\n");
    expect(
      await messenger.send({ ...dm("T1:U16"), text, buttons: [{ label: "Join", command: "/join ABC" }] }),
    ).toEqual({
      ok: true,
    });
    const sent = fake.dmsTo("U16");
    expect(sent.length).toBeGreaterThan(1);
    for (const message of sent) {
      expect(String(message.text).length).toBeLessThanOrEqual(40_000);
      const blocks = (message.blocks ?? []) as { text?: { text: string } }[];
      expect(blocks.length).toBeLessThanOrEqual(50);
      for (const block of blocks) expect((block.text?.text ?? "").length).toBeLessThanOrEqual(3000);
    }
    expect(sent.map((m) => String(m.text)).join("\n")).toBe(text);
    expect(JSON.stringify(sent.at(-1)?.blocks)).toContain('"value":"/join ABC"');
  });

  it("paces DMs at one per second per recipient", () => {
    expect(createSlackMessenger({ client, names, log: silentLogger }).pace.perRecipientPerSecond).toBe(1);
  });
});

let seq = 0;
const card = (channelId: string, text: string) => ({ id: `c${++seq}`, platform: "slack", channelId, text });

describe("Slack channel messages", () => {
  it("posts as a Slack user reads it: markup escaped, commands in the text by their Slack names, the ref as channel:ts", async () => {
    const messenger = createSlackMessenger({ client, names, log: silentLogger });
    const posted = await messenger.post({
      ...card("C10", "<b> & co: /join ABC"),
      buttons: [{ label: "Join", command: "/join ABC" }],
    });
    if (!posted.ok) throw new Error(posted.reason);
    const [channel, ts] = posted.ref.split(":") as [string, string];
    expect(channel).toBe("C10");
    const shown = fake.channelMessage(channel, ts);
    expect(shown?.text).toBe(`&lt;b&gt; &amp; co: ${names.rewrite("/join ABC")}`);
    // The button runs the command itself, whatever Slack calls it.
    expect(JSON.stringify(shown?.blocks)).toContain('"value":"/join ABC"');
  });

  it("takes a slot of the channel's one post a second, and of chat.update's Tier 3 for an edit", async () => {
    const messenger = createSlackMessenger({ client, names, log: silentLogger });
    const taken: string[] = [];
    const takeSlot: TakeSlot = async (budget, perSecond) =>
      void taken.push(`${budget}@${perSecond.toFixed(3)}`);
    const posted = await messenger.post(card("C11", "a"), takeSlot);
    if (!posted.ok) throw new Error(posted.reason);
    await messenger.edit(posted.ref, { text: "b" }, takeSlot);
    expect(UPDATES_PER_MINUTE).toBe(50);
    expect(taken).toEqual(["chat.postMessage:C11@1.000", `chat.update@${(50 / 60).toFixed(3)}`]);
  });

  it("reads a dead token on an edit as the operator's to fix: logged, retried much later, the message not gone", async () => {
    const errors: string[] = [];
    const log = pino({ level: "error" }, { write: (line: string) => void errors.push(JSON.parse(line).msg) });
    const messenger = createSlackMessenger({ client, names, log });
    const posted = await messenger.post(card("C12", "a"));
    if (!posted.ok) throw new Error(posted.reason);
    fake.failEveryCall("token_revoked");
    try {
      expect(await messenger.edit(posted.ref, { text: "b" })).toMatchObject({
        ok: false,
        retryable: true,
        retryAfterMs: 600_000,
      });
      expect(errors).toEqual([expect.stringContaining("SLACK_BOT_TOKEN")]);
    } finally {
      fake.failEveryCall(undefined);
    }
  });

  it("refuses content too long for one message, and reads channel_not_found on an edit as gone", async () => {
    const messenger = createSlackMessenger({ client, names, log: silentLogger });
    const before = fake.calls.length;
    expect(await messenger.post(card("C13", "x\n".repeat(30_000)))).toMatchObject({
      ok: false,
      retryable: false,
    });
    expect(fake.calls.length).toBe(before);
    const posted = await messenger.post(card("C13", "a"));
    if (!posted.ok) throw new Error(posted.reason);
    expect(await messenger.edit(posted.ref, { text: "x\n".repeat(30_000) })).toMatchObject({
      ok: false,
      gone: false,
    });
    fake.refuseChannel("C13", "channel_not_found");
    expect(await messenger.edit(posted.ref, { text: "b" })).toMatchObject({
      ok: false,
      gone: true,
      reason: "slack: channel_not_found",
    });
  });

  it("answers chat.update as Slack does: only the bot's own message, an existing one, within the limits", async () => {
    const update = (args: Record<string, unknown>) =>
      client.apiCall("chat.update", args).then(
        () => "ok",
        (error: { data?: { error?: string } }) => error.data?.error,
      );
    const ts = fake.postAsUser("C14", "U2", "hello");
    expect(await update({ channel: "C14", ts, text: "x" })).toBe("cant_update_message");
    expect(await update({ channel: "C14", ts: "1.000001", text: "x" })).toBe("message_not_found");
    const posted = await client.chat.postMessage({ channel: "C14", text: "mine" });
    expect(await update({ channel: "C14", ts: posted.ts, text: "x".repeat(40_001) })).toBe("msg_too_long");
    expect(await update({ channel: "C14", ts: posted.ts, text: "" })).toBe("no_text");
    expect(await update({ channel: "C14", ts: posted.ts, text: "edited" })).toBe("ok");
    expect(fake.channelMessage("C14", String(posted.ts))?.text).toBe("edited");
  });

  it("cannot reach a user Slack refused a DM for good, until a DM to them goes through again", async () => {
    const messenger = createSlackMessenger({ client, names, log: silentLogger });
    fake.refuseDm("U20", "user_disabled");
    const dm = { id: "d20", platform: "slack", userId: "T1:U20", text: "hi" };
    expect(messenger.canReach("T1:U20")).toBe(true);
    await messenger.send(dm);
    expect(messenger.canReach("T1:U20")).toBe(false);
    fake.refuseDm("U20", "");
    await messenger.send(dm);
    expect(messenger.canReach("T1:U20")).toBe(true);
  });
});
