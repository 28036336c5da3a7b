import { Telegraf } from "telegraf";
import type { Update, UserFromGetMe } from "telegraf/types";
import { KeyedLock } from "../../src/engine/keyed-lock";
import type { AdapterContext, ChatAdapter } from "../../src/platform";
import { telegramCommands } from "./commands";
import { createTelegramHandler } from "./handle";
import { parseTelegramUpdate } from "./parse";
import { type Poller, startPolling } from "./polling";
import { createTelegramMessenger } from "./send";
import type { TelegramSettings } from "./settings";
import { telegramWebhookRouter } from "./webhook";

export interface TelegramAdapter extends ChatAdapter {
  /** Runs one update as if Telegram had delivered it (webhook and polling both end here). */
  handleUpdate(update: Update): Promise<void>;
}

const BUTTON_RUNS_NOTHING = "This button no longer runs anything; type /help to see the commands.";

/** Telegram through telegraf: one bot, two ways in (webhook or long polling), one handler. */
export function createTelegramAdapter(settings: TelegramSettings, ctx: AdapterContext): TelegramAdapter {
  const { router, log } = ctx;
  const bot = new Telegraf(settings.botToken, {
    // webhookReply off: every answer is a real API call we can check, never folded into the 200.
    telegram: { webhookReply: false, ...(settings.apiRoot ? { apiRoot: settings.apiRoot } : {}) },
  });
  const commands = new Set(router.commands.map((c) => c.name));
  const handle = createTelegramHandler({
    router,
    users: ctx.users,
    log,
    botUsername: () => bot.botInfo?.username ?? "",
    ...(settings.groupPace ? { groupPace: settings.groupPace } : {}),
  });

  // Chats run side by side, each chat's updates one after another: one busy group (a reply waiting
  // out a 429 or its turn) holds up only itself.
  const chats = new KeyedLock();
  let me: Promise<UserFromGetMe> | undefined;
  const botInfo = () => {
    me ??= bot.telegram.getMe().then(
      (info) => (bot.botInfo = info),
      (error: unknown) => {
        me = undefined; // asked again with the next update
        throw error;
      },
    );
    return me;
  };

  async function onUpdate(update: Update): Promise<void> {
    const { username } = await botInfo();
    const event = parseTelegramUpdate(update, { botUsername: username, commands });
    // A button press is answered at once, whatever it leads to: the client spins until then.
    const answered = event.callbackQueryId
      ? answerButton(event.callbackQueryId, event.kind === "ignore")
      : undefined;
    const handled =
      event.kind === "command"
        ? chats.run(String(event.chatId), () => handle(event, bot.telegram))
        : undefined;
    await Promise.all([answered, handled]);
  }

  async function answerButton(queryId: string, runsNothing: boolean): Promise<void> {
    try {
      await bot.telegram.answerCbQuery(queryId, runsNothing ? BUTTON_RUNS_NOTHING : undefined);
    } catch (error) {
      log.warn({ err: error }, "telegram button press not answered");
    }
  }

  let poller: Poller | undefined;

  return {
    mounts: settings.webhookSecret
      ? [{ path: "/telegram", router: telegramWebhookRouter(settings.webhookSecret, onUpdate, log) }]
      : [],
    messenger: createTelegramMessenger(bot.telegram),
    handleUpdate: onUpdate,
    async start() {
      const { username } = await botInfo();
      await bot.telegram.setMyCommands(telegramCommands(router.commands));
      if (settings.webhookSecret) {
        // Telegram only calls public https URLs; for anything else setWebhook is done by hand (README).
        if (ctx.publicUrl.startsWith("https://")) {
          await bot.telegram.setWebhook(`${ctx.publicUrl}/telegram/webhook`, {
            secret_token: settings.webhookSecret,
            allowed_updates: ["message", "callback_query"],
          });
        }
        log.info({ bot: username, mode: "webhook" }, "telegram adapter on");
      } else {
        poller = startPolling(bot.telegram, onUpdate, log);
        log.info({ bot: username, mode: "long polling" }, "telegram adapter on");
      }
    },
    async stop() {
      await poller?.stop();
      poller = undefined;
    },
  };
}
