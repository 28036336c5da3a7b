import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { LogLevel, webApi } from "@slack/bolt";
import { slackMentionNames } from "../../../adapters/slack/user-names";
import { silentLogger } from "../../../src/logger";
import { type FakeSlackApi, startFakeSlackApi } from "../../support/fake-slack-api";

let fake: FakeSlackApi;
let client: webApi.WebClient;
beforeAll(async () => {
  fake = await startFakeSlackApi();
  client = new webApi.WebClient(fake.botToken, {
    slackApiUrl: fake.apiUrl,
    retryConfig: { retries: 0 },
    logLevel: LogLevel.ERROR,
  });
});
afterAll(async () => {
  await fake?.close();
});

const mention = (id: string, name?: string) => ({
  raw: `<@${id}>`,
  platform: "slack" as const,
  id: `T1:${id}`,
  ...(name ? { displayName: name, username: name } : {}),
});

describe("Slack names for mentions", () => {
  it("caches a name, and asks users.info again once the hour is up", async () => {
    let now = 0;
    const resolve = slackMentionNames({ client, log: silentLogger, now: () => now });
    fake.setUser("UR1", { display_name: "Old Name" });
    expect(await resolve(mention("UR1"))).toEqual({
      platform: "slack",
      id: "T1:UR1",
      displayName: "Old Name",
    });
    fake.setUser("UR1", { display_name: "New Name" });
    now += 30 * 60_000;
    expect((await resolve(mention("UR1")))?.displayName).toBe("Old Name");
    now += 31 * 60_000;
    expect((await resolve(mention("UR1")))?.displayName).toBe("New Name");
    expect(fake.callsTo("users.info").filter((c) => c.args.user === "UR1")).toHaveLength(2);
  });

  it("falls back to the handle Slack wrote in the mention, then to the id", async () => {
    const resolve = slackMentionNames({ client, log: silentLogger });
    expect((await resolve(mention("UGONE1", "bob")))?.displayName).toBe("bob");
    expect((await resolve(mention("UGONE2")))?.displayName).toBe("UGONE2");
  });
});
