import { registerDiscordCommands } from "../../adapters/discord/register";
import { createDiscordRest } from "../../adapters/discord/send";
import { COMMANDS } from "../../commands";
import { ConfigError, loadConfig } from "../config";

/**
 * `npm run discord:register`: publishes the slash commands, derived from the command definitions,
 * to the application named by DISCORD_APPLICATION_ID (global commands; Discord may take a few
 * minutes to show changes). Run it again whenever a command changes.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.discord) {
    process.stderr.write(
      "discord:register needs DISCORD_APPLICATION_ID and DISCORD_BOT_TOKEN (in the environment or .env)\n",
    );
    process.exit(2);
  }
  const rest = createDiscordRest({
    token: config.discord.botToken,
    ...(config.discord.apiUrl ? { apiUrl: config.discord.apiUrl } : {}),
  });
  const registered = await registerDiscordCommands(rest, config.discord.applicationId, COMMANDS);
  process.stdout.write(
    `registered ${registered.length} commands: ${registered.map((c) => `/${c.name}`).join(" ")}\n`,
  );
}

main().catch((error: unknown) => {
  const message = error instanceof ConfigError || error instanceof Error ? error.message : String(error);
  process.stderr.write(`discord:register failed: ${message}\n`);
  process.exit(1);
});
