import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { createDiscordAdapter, type DiscordAdapter } from "../../../adapters/discord";
import { discordPlatform } from "../../../adapters/discord/platform";
import type { DiscordShards } from "../../../adapters/discord/settings";
import type { ChatRouter } from "../../../src/chat/router";
import { loadConfig } from "../../../src/config";
import { settingsOf } from "../../../src/platform";
import { type FakeDiscordApi, startFakeDiscordApi } from "../../support/fake-discord-api";
import { type ChatStack, eventually, startChatStack } from "../telegram/chat-stack";

const APP_ID = "100000000000000012";
const TOKEN = "fake-sharded-bot-token-0123456789";

/** A guild id whose events Discord routes to `shard` of `count`: the shard is (id >> 22) % count. */
function guildOnShard(shard: number, count: number, n: number): string {
  return String(BigInt(1000 + n * count + shard) << 22n);
}

/**
 * Two processes' worth of gateway, split with DISCORD_SHARDS=2 and DISCORD_SHARD_IDS=0 / =1 (here
 * two adapters in one process, each with its own discord.js client and connection).
 */
describe("Discord gateway sharding", () => {
  let api: FakeDiscordApi;
  let stack: ChatStack;
  const adapters: DiscordAdapter[] = [];
  /** The interaction ids each adapter's router was handed. */
  const handled: string[][] = [[], []];

  function shardsFrom(ids: string): DiscordShards {
    const config = loadConfig(
      {
        DISCORD_APPLICATION_ID: APP_ID,
        DISCORD_BOT_TOKEN: TOKEN,
        DISCORD_SHARDS: "2",
        DISCORD_SHARD_IDS: ids,
      },
      "/nonexistent/.env",
    );
    return settingsOf(config, discordPlatform).shards!;
  }

  beforeAll(async () => {
    api = await startFakeDiscordApi({ applicationId: APP_ID, botToken: TOKEN });
    stack = await startChatStack("dcshard");
    for (const [i, ids] of ["0", "1"].entries()) {
      const recording: ChatRouter = {
        commands: stack.router.commands,
        handle: (invocation, options) => {
          handled[i]!.push(invocation.eventId);
          return stack.router.handle(invocation, options);
        },
      };
      const adapter = createDiscordAdapter(
        {
          enabled: true,
          applicationId: APP_ID,
          botToken: TOKEN,
          publicKey: undefined,
          gateway: true,
          apiUrl: api.apiUrl,
          shards: shardsFrom(ids),
        },
        stack.context(recording),
      );
      await adapter.start();
      adapters.push(adapter);
    }
  });
  afterAll(async () => {
    for (const adapter of adapters) await adapter.stop();
    await stack?.close();
    await api?.close();
  });

  function catalogCommand(guildId: string, n: number): Record<string, unknown> {
    return {
      id: String(700000000000000000n + BigInt(n)),
      application_id: APP_ID,
      type: 2,
      token: `sharded-token-${n}`,
      version: 1,
      entitlements: [],
      authorizing_integration_owners: { "0": guildId },
      app_permissions: "0",
      locale: "en-US",
      context: 0,
      attachment_size_limit: 10_485_760,
      guild_id: guildId,
      channel_id: "400000000000000004",
      member: { user: { id: `22000000000000${1000 + n}`, username: `user${n}` } },
      data: { id: "1", name: "catalog", type: 1 },
    };
  }

  it("identifies each client as its own shard of two", () => {
    expect(api.identifiedShards().sort()).toEqual([
      [0, 2],
      [1, 2],
    ]);
  });

  it("each shard receives only its own guilds' interactions, and both answer", async () => {
    const sent: Array<{ id: string; token: string; shard: number }> = [];
    for (let n = 0; n < 6; n++) {
      const shard = n % 2;
      const interaction = catalogCommand(guildOnShard(shard, 2, n), n);
      expect(api.dispatchInteraction(interaction)).toBe(shard);
      sent.push({ id: String(interaction.id), token: String(interaction.token), shard });
    }
    for (const { id, token } of sent) {
      await eventually(
        () => api.calls.find((c) => c.method === "PATCH" && c.route.includes(`/webhooks/${APP_ID}/${token}`)),
        `the answer to ${id}`,
      );
    }
    for (const shard of [0, 1]) {
      const mine = sent.filter((s) => s.shard === shard).map((s) => s.id);
      expect(handled[shard]!.map((eventId) => sent.find((s) => eventId.includes(s.id))?.id).sort()).toEqual(
        mine.sort(),
      );
    }
  });
});

describe("Discord gateway sharding with DISCORD_SHARDS=auto", () => {
  it("runs as many shards as GET /gateway/bot recommends, all in this process", async () => {
    const api = await startFakeDiscordApi({ applicationId: APP_ID, botToken: TOKEN, recommendedShards: 2 });
    const stack = await startChatStack("dcauto");
    const config = loadConfig(
      { DISCORD_APPLICATION_ID: APP_ID, DISCORD_BOT_TOKEN: TOKEN, DISCORD_SHARDS: "auto" },
      "/nonexistent/.env",
    );
    const discord = settingsOf(config, discordPlatform);
    const adapter = createDiscordAdapter(
      { ...discord, apiUrl: api.apiUrl, publicKey: undefined },
      stack.context(),
    );
    try {
      await adapter.start();
      expect(api.identifiedShards().sort()).toEqual([
        [0, 2],
        [1, 2],
      ]);
    } finally {
      await adapter.stop();
      await stack.close();
      await api.close();
    }
  });
});
