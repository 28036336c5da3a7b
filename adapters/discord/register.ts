import { type REST, Routes } from "discord.js";
import type { CommandDefinition } from "../../src/chat/command";
import { discordCommands } from "./commands";

/**
 * Replaces the application's global slash commands with the ones the definitions declare
 * (`PUT /applications/{id}/commands` is a bulk overwrite: removed commands disappear too).
 */
export async function registerDiscordCommands(
  rest: REST,
  applicationId: string,
  commands: readonly CommandDefinition[],
): Promise<Array<{ id: string; name: string }>> {
  return (await rest.put(Routes.applicationCommands(applicationId), {
    body: discordCommands(commands),
  })) as Array<{ id: string; name: string }>;
}
