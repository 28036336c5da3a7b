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
