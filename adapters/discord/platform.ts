import { z } from "zod";
import { bool, bothOrNeither, ConfigError, httpUrl, secret } from "../../src/config/variables";
import type { AdapterContext, ChatAdapter, PlatformDefinition } from "../../src/platform";
import { html } from "../../src/web/html";
import { discordCommands } from "./commands";
import type { DiscordSettings, DiscordShards } from "./settings";

export const discordPlatform: PlatformDefinition<DiscordSettings> = {
  id: "discord",
  label: "Discord",
  variables: {
    DISCORD_APPLICATION_ID: {
      schema: z
        .string()
        .regex(/^\d{15,25}$/)
        .optional(),
      expected: "the numeric application id from the Discord developer portal",
    },
    DISCORD_BOT_TOKEN: { schema: secret(), expected: "the bot token from the Discord developer portal" },
    DISCORD_PUBLIC_KEY: {
      schema: z
        .string()
        .regex(/^[0-9a-fA-F]{64}$/)
        .optional(),
      expected: "64 hex characters (the application's public key)",
    },
    DISCORD_GATEWAY: { schema: bool().optional(), expected: "true or false" },
    DISCORD_API_URL: {
      schema: httpUrl().optional(),
      expected: "an http(s) URL such as http://127.0.0.1:9000/api",
    },
    DISCORD_SHARDS: {
      schema: z.union([z.literal("auto"), z.coerce.number().int().min(1).max(10_000)]).optional(),
      expected: "auto or a whole number of shards from 1 to 10000",
    },
    DISCORD_SHARD_IDS: {
      schema: z
        .string()
        .regex(/^\s*\d+\s*(,\s*\d+\s*)*$/)
        .transform((list) => [...new Set(list.split(",").map(Number))].sort((a, b) => a - b))
        .optional(),
      expected: "a comma-separated list of shard ids such as 0,1",
    },
  },

  configure(values) {
    const v = values as {
      DISCORD_APPLICATION_ID?: string;
      DISCORD_BOT_TOKEN?: string;
      DISCORD_PUBLIC_KEY?: string;
      DISCORD_GATEWAY?: boolean;
      DISCORD_API_URL?: string;
      DISCORD_SHARDS?: "auto" | number;
      DISCORD_SHARD_IDS?: number[];
    };
    const enabled = bothOrNeither(
      v.DISCORD_APPLICATION_ID,
      v.DISCORD_BOT_TOKEN,
      "DISCORD_APPLICATION_ID and DISCORD_BOT_TOKEN",
    );
    const shards = discordShards(v.DISCORD_SHARDS, v.DISCORD_SHARD_IDS);
    return {
      enabled,
      applicationId: v.DISCORD_APPLICATION_ID ?? "",
      botToken: v.DISCORD_BOT_TOKEN ?? "",
      publicKey: v.DISCORD_PUBLIC_KEY,
      gateway: v.DISCORD_GATEWAY ?? true,
      apiUrl: v.DISCORD_API_URL,
      ...(shards ? { shards } : {}),
    };
  },

  parseMention(word) {
    const m = /^<@!?(\d{5,25})>$/.exec(word);
    return m ? { raw: word, platform: "discord", id: m[1]! } : undefined;
  },

  publishedCommands(commands) {
    return discordCommands(commands);
  },

  joinHint() {
    return html`Type <code>/join</code>, choose crowdcart's command and enter the code in the <em>code</em> option.`;
  },

  create(settings: DiscordSettings, ctx: AdapterContext): ChatAdapter {
    // discord.js takes over a second to load: only when Discord is on.
    const { createDiscordAdapter } = require("./index") as typeof import("./index");
    return createDiscordAdapter(settings, ctx);
  },
};

function discordShards(
  count: "auto" | number | undefined,
  ids: number[] | undefined,
): DiscordShards | undefined {
  if (ids && typeof count !== "number") {
    throw new ConfigError(
      "DISCORD_SHARDS",
      "the total number of shards (a whole number) when DISCORD_SHARD_IDS is set",
    );
  }
  if (count === undefined) return undefined;
  if (count === "auto") return { count };
  const outside = ids?.find((id) => id >= count);
  if (outside !== undefined) {
    throw new ConfigError(
      "DISCORD_SHARD_IDS",
      `shard ids from 0 to ${count - 1} (DISCORD_SHARDS is ${count}), not ${outside}`,
    );
  }
  return { count, ids: ids ?? Array.from({ length: count }, (_, id) => id) };
}
