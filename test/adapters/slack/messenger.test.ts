import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { LogLevel, webApi } from "@slack/bolt";
import pino from "pino";
import { SlackCommandNames } from "../../../adapters/slack/command-names";
import { createSlackMessenger } from "../../../adapters/slack/messenger";
import { COMMANDS } from "../../../commands";
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
