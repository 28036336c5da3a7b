import { Telegraf } from "telegraf";
import type { Update } from "telegraf/types";
import type { Mount } from "../../src/app";
import type { ChatRouter } from "../../src/chat/router";
import { telegramCommands } from "../../src/chat/telegram-commands";
import type { Config } from "../../src/config";
import type { Engine } from "../../src/engine";
import type { Messenger } from "../../src/engine/messenger";
import type { Logger } from "../../src/logger";
import { createTelegramHandler } from "./handle";
import { parseTelegramUpdate } from "./parse";
import { type Poller, startPolling } from "./polling";
import { createTelegramMessenger } from "./send";
import { telegramWebhookRouter } from "./webhook";

export interface TelegramAdapterDeps {
  config: NonNullable<Config["telegram"]>;
  router: ChatRouter;
  users: Pick<Engine["users"], "resolveByUsername">;
  log: Logger;
  publicUrl: string;
}

export interface TelegramAdapter {
  /** `POST /telegram/webhook`, present in webhook mode (TELEGRAM_WEBHOOK_SECRET set). */
  mount?: Mount;
  messenger: Messenger;
  /** Runs one update as if Telegram had delivered it (webhook and polling both end here). */
  handleUpdate(update: Update): Promise<void>;
  /** Learns the bot's name, publishes the command list, then registers the webhook or starts polling. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Telegram through telegraf: one bot, two ways in (webhook or long polling), one handler. */
export function createTelegramAdapter(deps: TelegramAdapterDeps): TelegramAdapter {
  const { config, router, log } = deps;
  const bot = new Telegraf(config.botToken, {
    // webhookReply off: every answer is a real API call we can check, never folded into the 200.
    telegram: { webhookReply: false, ...(config.apiRoot ? { apiRoot: config.apiRoot } : {}) },
    handlerTimeout: 60_000,
  });
  const commandNames = new Set(router.commands.map((c) => c.name));
  const handle = createTelegramHandler({
    router,
    users: deps.users,
    log,
    publicUrl: deps.publicUrl,
    botUsername: () => bot.botInfo?.username ?? "",
  });

  bot.use(async (ctx) => {
    const event = parseTelegramUpdate(ctx.update, {
      botUsername: ctx.botInfo.username,
      commands: commandNames,
    });
    if (event.kind === "ignore") return;
    await handle(event, ctx.telegram);
  });
  bot.catch((error, ctx) => {
    log.error({ err: error, updateId: ctx.update.update_id }, "telegram update failed");
  });

  const onUpdate = (update: Update) => bot.handleUpdate(update);
  let poller: Poller | undefined;

  return {
    ...(config.webhookSecret
      ? { mount: { path: "/telegram", router: telegramWebhookRouter(config.webhookSecret, onUpdate, log) } }
      : {}),
    messenger: createTelegramMessenger(bot.telegram),
    handleUpdate: onUpdate,
    async start() {
      bot.botInfo ??= await bot.telegram.getMe();
      await bot.telegram.setMyCommands(telegramCommands(router.commands));
      if (config.webhookSecret) {
        // Telegram only calls public https URLs; for anything else setWebhook is done by hand (README).
        if (deps.publicUrl.startsWith("https://")) {
          await bot.telegram.setWebhook(`${deps.publicUrl}/telegram/webhook`, {
            secret_token: config.webhookSecret,
            allowed_updates: ["message", "callback_query"],
          });
        }
        log.info({ bot: bot.botInfo.username, mode: "webhook" }, "telegram adapter on");
      } else {
        poller = startPolling(bot.telegram, onUpdate, log);
        log.info({ bot: bot.botInfo.username, mode: "long polling" }, "telegram adapter on");
      }
    },
    async stop() {
      await poller?.stop();
      poller = undefined;
    },
  };
}
