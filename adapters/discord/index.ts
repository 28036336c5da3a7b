import type { AdapterContext, ChatAdapter } from "../../src/platform";
import { type DiscordGateway, startDiscordGateway } from "./gateway";
import { createDiscordHandler } from "./handle";
import { discordInteractionsRouter } from "./http";
import { createDiscordNames } from "./names";
import { createDiscordMessenger, createDiscordRest } from "./send";
import type { DiscordSettings } from "./settings";

export type DiscordAdapter = ChatAdapter;

/** Discord through discord.js: the gateway and/or the HTTP endpoint, one handler, one REST base. */
export function createDiscordAdapter(config: DiscordSettings, ctx: AdapterContext): DiscordAdapter {
  const { log } = ctx;
  const restOptions = { token: config.botToken, ...(config.apiUrl ? { apiUrl: config.apiUrl } : {}) };
  // Replies wait out a rate limit; the outbox's messenger is told about it and reschedules instead.
  const replyRest = createDiscordRest(restOptions);
  const dmRest = createDiscordRest(restOptions, true);
  const handle = createDiscordHandler({
    router: ctx.router,
    rest: replyRest,
    applicationId: config.applicationId,
    names: createDiscordNames(replyRest, log),
    log,
  });
  let gateway: DiscordGateway | undefined;

  return {
    mounts: config.publicKey
      ? [{ path: "/discord", router: discordInteractionsRouter(config.publicKey, handle, log) }]
      : [],
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
