import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { webApi } from "@slack/bolt";
import { createDiscordMessenger, createDiscordRest } from "../../adapters/discord/send";
import { SlackCommandNames } from "../../adapters/slack/command-names";
import { CONVERSATIONS_OPEN_PER_MINUTE, createSlackMessenger } from "../../adapters/slack/messenger";
import { COMMANDS } from "../../commands";
import type { TakeSlot } from "../../src/engine/messenger";
import { silentLogger } from "../../src/logger";
import { FAKE_DISCORD_TOKEN, type FakeDiscordApi, startFakeDiscordApi } from "../support/fake-discord-api";
import { type FakeSlackApi, startFakeSlackApi } from "../support/fake-slack-api";

/**
 * Calls with limits of their own take a slot of a shared budget right before they go (the outbox
 * backs `takeSlot` with the database, so every instance draws on one budget).
 */
describe("messengers' own budgets", () => {
  let discord: FakeDiscordApi;
  let slack: FakeSlackApi;
  beforeAll(async () => {
    discord = await startFakeDiscordApi();
    slack = await startFakeSlackApi();
  });
  afterAll(async () => {
    await discord?.close();
    await slack?.close();
  });

  /** Records each slot taken together with how many calls the fake had seen at that moment. */
  function recorder(calls: () => number): { takeSlot: TakeSlot; taken: string[] } {
    const taken: string[] = [];
    return {
      taken,
      takeSlot: async (budget, perSecond) => {
        taken.push(`${budget}@${perSecond.toFixed(3)} before call ${calls() + 1}`);
      },
    };
  }

  it("Discord: every REST call, the channel opening included, spends a slot of the 50/s global limit", async () => {
    const messenger = createDiscordMessenger(
      createDiscordRest({ token: FAKE_DISCORD_TOKEN, apiUrl: discord.apiUrl }),
    );
    const { takeSlot, taken } = recorder(() => discord.calls.length);
    const dm = (id: string) => ({
      id,
      platform: "discord" as const,
      userId: "230000000000000077",
      text: "hi",
    });
    expect(await messenger.send(dm("first"), takeSlot)).toEqual({ ok: true });
    expect(await messenger.send(dm("second"), takeSlot)).toEqual({ ok: true });
    // Open + post, then only a post: the channel is known.
    expect(taken).toEqual([
      "requests@50.000 before call 1",
      "requests@50.000 before call 2",
      "requests@50.000 before call 3",
    ]);
    expect(discord.calls.map((c) => c.route.replace(/\d+/g, "#"))).toEqual([
      "/users/@me/channels",
      "/channels/#/messages",
      "/channels/#/messages",
    ]);
  });

  it("Slack: opening a DM channel spends a slot of conversations.open's Tier 3 (50 a minute)", async () => {
    const client = new webApi.WebClient(slack.botToken, {
      slackApiUrl: slack.apiUrl,
      retryConfig: { retries: 0 },
    });
    const messenger = createSlackMessenger({
      client,
      log: silentLogger,
      names: new SlackCommandNames(COMMANDS, ""),
    });
    const { takeSlot, taken } = recorder(() => slack.calls.length);
    const dm = (id: string, userId: string) => ({ id, platform: "slack" as const, userId, text: "hi" });
    await messenger.send(dm("a", "T1:U77"), takeSlot);
    await messenger.send(dm("b", "T1:U77"), takeSlot);
    await messenger.send(dm("c", "T1:U78"), takeSlot);
    const perSecond = (CONVERSATIONS_OPEN_PER_MINUTE / 60).toFixed(3);
    expect(CONVERSATIONS_OPEN_PER_MINUTE).toBe(50);
    expect(taken).toEqual([
      `conversations.open@${perSecond} before call 1`,
      `conversations.open@${perSecond} before call 4`,
    ]);
    expect(slack.calls.map((c) => c.method)).toEqual([
      "conversations.open",
      "chat.postMessage",
      "chat.postMessage",
      "conversations.open",
      "chat.postMessage",
    ]);
  });
});
