import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { webApi } from "@slack/bolt";
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
  client = new webApi.WebClient("xoxb-test", {
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
    expect(messenger.unreachable.has("T1:U13")).toBe(true);
  });

  it("treats other Slack errors as worth retrying", async () => {
    const broken = new webApi.WebClient("not-a-bot-token", {
      slackApiUrl: fake.apiUrl,
      retryConfig: { retries: 0 },
    });
    const messenger = createSlackMessenger({ client: broken, names, log: silentLogger });
    expect(await messenger.send(dm("T1:U14"))).toMatchObject({ ok: false, retryable: true });
  });

  it("paces DMs at one per second per recipient", () => {
    expect(createSlackMessenger({ client, names, log: silentLogger }).pace.perRecipientPerSecond).toBe(1);
  });
});
