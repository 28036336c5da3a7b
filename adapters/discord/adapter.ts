import type { Mount } from "../../src/app";
import type { ChatRouter } from "../../src/chat/router";
import type { Config } from "../../src/config";
import type { Messenger } from "../../src/engine/messenger";
import type { Logger } from "../../src/logger";
import { type DiscordGateway, startDiscordGateway } from "./gateway";
import { createDiscordHandler } from "./handle";
import { discordInteractionsRouter } from "./http";
import { createDiscordNames } from "./names";
import { createDiscordMessenger, createDiscordRest } from "./send";

export interface DiscordAdapterDeps {
  config: NonNullable<Config["discord"]>;
  /** The router exists once the server listens; the HTTP route is mounted before. */
  chat: () => ChatRouter | undefined;
  log: Logger;
}

export interface DiscordAdapter {
  /** `POST /discord/interactions`, present when DISCORD_PUBLIC_KEY is set. */
  mount?: Mount;
  messenger: Messenger;
  /** Connects the gateway client when DISCORD_GATEWAY is on. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Discord through discord.js: the gateway and/or the HTTP endpoint, one handler, one REST base. */
export function createDiscordAdapter(deps: DiscordAdapterDeps): DiscordAdapter {
  const { config, log } = deps;
  const restOptions = { token: config.botToken, ...(config.apiUrl ? { apiUrl: config.apiUrl } : {}) };
  // Replies wait out a rate limit; the outbox's messenger is told about it and reschedules instead.
  const replyRest = createDiscordRest(restOptions);
  const dmRest = createDiscordRest(restOptions, true);
  const handle = createDiscordHandler({
    chat: deps.chat,
    rest: replyRest,
    applicationId: config.applicationId,
    names: createDiscordNames(replyRest, log),
    log,
  });
  let gateway: DiscordGateway | undefined;

  return {
    ...(config.publicKey
      ? { mount: { path: "/discord", router: discordInteractionsRouter(config.publicKey, handle, log) } }
      : {}),
    messenger: createDiscordMessenger(dmRest),
    async start() {
      if (config.gateway) {
        gateway = await startDiscordGateway({
          token: config.botToken,
          ...(config.apiUrl ? { apiUrl: config.apiUrl } : {}),
          rest: replyRest,
          handle,
          log,
          ...(config.shards ? { shards: config.shards } : {}),
        });
      }
      log.info(
        { gateway: config.gateway, interactionsEndpoint: Boolean(config.publicKey) },
        "discord adapter on",
      );
    },
    async stop() {
      await gateway?.stop();
      gateway = undefined;
    },
  };
}
