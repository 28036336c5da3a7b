import { Client, type ClientOptions, GatewayDispatchEvents, type REST, Routes } from "discord.js";
import type { Logger } from "../../src/logger";
import type { InitialResponder } from "./handle";
import type { DiscordShards } from "./settings";

export interface DiscordGateway {
  stop(): Promise<void>;
}

/**
 * The discord.js client on the gateway: interactions arrive as INTERACTION_CREATE frames, whose
 * `d` is the same JSON the HTTP endpoint receives, so both go through one handler. The first answer
 * is the interaction callback over REST instead of the HTTP response.
 */
export async function startDiscordGateway(options: {
  token: string;
  apiUrl?: string;
  rest: REST;
  handle: (payload: unknown, respond: InitialResponder) => Promise<void>;
  log: Logger;
  /** DISCORD_SHARDS / DISCORD_SHARD_IDS; unset = one connection (shard 0 of 1). */
  shards?: DiscordShards;
}): Promise<DiscordGateway> {
  const { rest, handle, log } = options;
  // Interactions need no intents; without any, Discord sends nothing else we would have to cache.
  const client = new Client({
    intents: [],
    ...(options.apiUrl ? { rest: { api: options.apiUrl.replace(/\/+$/, "") } } : {}),
    ...shardOptions(options.shards),
  });
  client.ws.on(GatewayDispatchEvents.InteractionCreate, (data: unknown) => {
    const { id, token } = (data ?? {}) as { id?: string; token?: string };
    if (!id || !token) return;
    const respond: InitialResponder = async (body) => {
      await rest.post(Routes.interactionCallback(id, token), { body, auth: false });
    };
    handle(data, respond).catch((error: unknown) => {
      log.error({ err: error, interaction: id }, "discord interaction failed");
    });
  });
  client.on("error", (error) => log.error({ err: error }, "discord gateway error"));
  await client.login(options.token);
  log.info(
    { user: client.user?.username, shards: client.options.shards, shardCount: client.options.shardCount },
    "discord gateway connected",
  );
  return {
    async stop() {
      await client.destroy();
    },
  };
}

/**
 * Discord routes a guild's events to shard `(guild_id >> 22) % shard_count`, so processes that
 * each run some of the ids (with the same count) split the guilds between them; DMs go to shard 0.
 */
function shardOptions(shards: DiscordShards | undefined): Pick<ClientOptions, "shards" | "shardCount"> {
  if (!shards) return {};
  if (shards.count === "auto") return { shards: "auto" };
  return { shards: shards.ids, shardCount: shards.count };
}
