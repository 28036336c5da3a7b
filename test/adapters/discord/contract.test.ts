import { COMMAND_BUTTON_PREFIX } from "../../../adapters/discord/render";
import { loadConfig } from "../../../src/config";
import { silentLogger } from "../../../src/logger";
import { startService } from "../../../src/service";
import { freshDatabaseUri } from "../../support/db";
import { createDiscordSigner } from "../../support/discord-sign";
import { startFakeDiscordApi } from "../../support/fake-discord-api";
import { countHandled } from "../../support/handled-count";
import {
  type AdapterDriver,
  adapterContract,
  cardRef,
  isCard,
  refHalves,
} from "../contract/adapter-contract";
import { paymentContract } from "../contract/payment-contract";
import { DISCORD_APP_ID, DISCORD_TOKEN, discordClient } from "./discord-client";

/** The real service with Discord's HTTP interactions on (gateway off), talking to a fake Discord API. */
async function discordDriver(env: Record<string, string> = {}): Promise<AdapterDriver> {
  const api = await startFakeDiscordApi({ applicationId: DISCORD_APP_ID });
  const signer = createDiscordSigner();
  const config = loadConfig(
    {
      NODE_ENV: "test",
      LOG_LEVEL: "silent",
      PORT: "0",
      PLAYGROUND: "false",
      DISCORD_APPLICATION_ID: DISCORD_APP_ID,
      DISCORD_BOT_TOKEN: DISCORD_TOKEN,
      DISCORD_PUBLIC_KEY: signer.publicKeyHex,
      DISCORD_GATEWAY: "false",
      DISCORD_API_URL: api.apiUrl,
      ...env,
    },
    "/nonexistent/.env",
  );
  const service = await startService(config, silentLogger, {
    mongodbUri: freshDatabaseUri("dcc"),
    engine: { outbox: { pollMs: 100, backoffBaseMs: 100 } },
  });
  const client = discordClient(`http://127.0.0.1:${service.port}`, api, signer);
  return {
    publicUrl: service.publicUrl,
    mention: client.mention,
    commandName: (command) => command,
    send: client.send,
    sendAside: client.send,
    sendTwice: client.sendTwice,
    dms: async (user) => client.dms(user),
    dmButtons: async (user) =>
      client.dmMessages(user).flatMap((m) => {
        const rows = (m as { components?: { components?: { custom_id?: string }[] }[] }).components ?? [];
        return rows
          .flatMap((row) => row.components ?? [])
          .flatMap((b) =>
            b.custom_id?.startsWith(COMMAND_BUTTON_PREFIX)
              ? [b.custom_id.slice(COMMAND_BUTTON_PREFIX.length)]
              : [],
          );
      }),
    async card(code) {
      const texts = (method: string, route: RegExp) =>
        api
          .callsTo(method, route)
          .filter((c) => c.status === 200 && isCard(code)((c.body as { content?: unknown }).content))
          .map((c) => String((c.body as { content: string }).content));
      return {
        posts: texts("POST", /^\/channels\/\d+\/messages$/),
        edits: texts("PATCH", /^\/channels\/\d+\/messages\/\d+$/),
      };
    },
    deleteCard: async (code) => api.deleteMessage(...refHalves(await cardRef(service.db.connection, code))),
    handled: countHandled(service.chat),
    groupCount: () => service.db.connection.collection("groups").countDocuments(),
    stop: async () => {
      await service.stop();
      await api.close();
    },
  };
}

adapterContract("discord", discordDriver);
paymentContract("discord", discordDriver);
