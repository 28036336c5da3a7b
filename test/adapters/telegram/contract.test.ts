import { loadConfig } from "../../../src/config";
import { silentLogger } from "../../../src/logger";
import { startService } from "../../../src/service";
import { freshDatabaseUri } from "../../support/db";
import { startFakeTelegramApi } from "../../support/fake-telegram-api";
import { countHandled } from "../../support/handled-count";
import {
  type AdapterDriver,
  adapterContract,
  cardRef,
  isCard,
  refHalves,
} from "../contract/adapter-contract";
import { paymentContract } from "../contract/payment-contract";
import { TELEGRAM_BOT, TELEGRAM_SECRET, TELEGRAM_TOKEN, telegramClient } from "./telegram-client";

/** The real service with Telegram on (webhook mode), talking to a fake Bot API. */
async function telegramDriver(env: Record<string, string> = {}): Promise<AdapterDriver> {
  const api = await startFakeTelegramApi({ bot: { id: 42, username: TELEGRAM_BOT } });
  const config = loadConfig(
    {
      NODE_ENV: "test",
      LOG_LEVEL: "silent",
      PORT: "0",
      PLAYGROUND: "false",
      TELEGRAM_BOT_TOKEN: TELEGRAM_TOKEN,
      TELEGRAM_WEBHOOK_SECRET: TELEGRAM_SECRET,
      TELEGRAM_API_ROOT: api.apiRoot,
      ...env,
    },
    "/nonexistent/.env",
  );
  const service = await startService(config, silentLogger, {
    mongodbUri: freshDatabaseUri("tgc"),
    engine: { outbox: { pollMs: 100, backoffBaseMs: 100 } },
  });
  const client = telegramClient(`http://127.0.0.1:${service.port}`, api);
  return {
    publicUrl: service.publicUrl,
    mention: client.mention,
    commandName: (command) => command,
    send: client.send,
    sendAside: (user, line) => client.send(user, line, "private"),
    sendTwice: client.sendTwice,
    dms: async (user) => client.dms(user),
    dmButtons: async (user) =>
      api.messagesTo(client.idOf(user)).flatMap((m) => {
        const markup = m.reply_markup as { inline_keyboard?: { callback_data?: string }[][] } | undefined;
        return (markup?.inline_keyboard ?? [])
          .flat()
          .flatMap((b) => (b.callback_data ? [b.callback_data] : []));
      }),
    async card(code) {
      const texts = (method: string) =>
        api
          .callsTo(method)
          .filter((c) => c.status === 200 && isCard(code)(c.body.text))
          .map((c) => String(c.body.text));
      return { posts: texts("sendMessage"), edits: texts("editMessageText") };
    },
    async deleteCard(code) {
      const [chat, id] = refHalves(await cardRef(service.db.connection, code));
      api.deleteMessage(chat, Number(id));
    },
    handled: countHandled(service.chat),
    groupCount: () => service.db.connection.collection("groups").countDocuments(),
    stop: async () => {
      await service.stop();
      await api.close();
    },
  };
}

adapterContract("telegram", telegramDriver);
paymentContract("telegram", telegramDriver);
