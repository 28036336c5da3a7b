import { COMMANDS } from "../../commands";
import { ConfigError, loadConfig } from "../../src/config";
import { settingsOf } from "../../src/platform";
import { discordPlatform } from "./platform";
import { registerDiscordCommands } from "./register";
import { createDiscordRest } from "./send";

/**
 * `npm run discord:register`: publishes the slash commands, derived from the command definitions,
 * to the application named by DISCORD_APPLICATION_ID (global commands; Discord may take a few
 * minutes to show changes). Run it again whenever a command changes.
 */
async function main(): Promise<void> {
  const discord = settingsOf(loadConfig(), discordPlatform);
  if (!discord.enabled) {
    process.stderr.write(
      "discord:register needs DISCORD_APPLICATION_ID and DISCORD_BOT_TOKEN (in the environment or .env)\n",
    );
    process.exit(2);
  }
  const rest = createDiscordRest({
    token: discord.botToken,
    ...(discord.apiUrl ? { apiUrl: discord.apiUrl } : {}),
  });
  const registered = await registerDiscordCommands(rest, discord.applicationId, COMMANDS);
  process.stdout.write(
    `registered ${registered.length} commands: ${registered.map((c) => `/${c.name}`).join(" ")}\n`,
  );
}

main().catch((error: unknown) => {
  const message = error instanceof ConfigError || error instanceof Error ? error.message : String(error);
  process.stderr.write(`discord:register failed: ${message}\n`);
  process.exit(1);
});
