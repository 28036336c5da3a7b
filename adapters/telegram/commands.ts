import type { CommandDefinition } from "../../src/chat/command";

export interface TelegramBotCommand {
  command: string;
  description: string;
}

/** The list for Telegram's `setMyCommands` (names 1–32 lowercase chars, descriptions 1–256). */
export function telegramCommands(commands: readonly CommandDefinition[]): TelegramBotCommand[] {
  return commands.map((c) => ({ command: c.name, description: c.description.slice(0, 256) }));
}
