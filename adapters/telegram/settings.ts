import type { GroupPace } from "./group-pace";

export interface TelegramSettings {
  /** On with a bot token. */
  enabled: boolean;
  botToken: string;
  /** Webhook mode (POST /telegram/webhook) when set, else long polling. */
  webhookSecret?: string | undefined;
  /** TELEGRAM_API_ROOT: the Bot API's base, e.g. a local fake in tests. */
  apiRoot?: string | undefined;
  /** Group limits; Telegram's own unless a test narrows them. */
  groupPace?: GroupPace;
}
