import { COMMANDS } from "../../commands";
import { type Config, ConfigError, loadConfig } from "../../src/config";
import { settingsOf } from "../../src/platform";
import { SlackCommandNames } from "./command-names";
import { slackManifest } from "./manifest";
import { slackPlatform } from "./platform";

/**
 * `npm run slack:manifest [-- --socket-mode]`: prints the Slack app manifest (JSON) for this
 * deployment. Paste it at https://api.slack.com/apps → Create New App → From a manifest. Over HTTP
 * Slack needs a public https URL; with Socket Mode (`--socket-mode`, or SLACK_APP_TOKEN set) none.
 */
function main(): void {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  const publicUrl = config.publicUrl ?? `http://localhost:${config.port}`;
  const slack = settingsOf(config, slackPlatform);
  const socketMode = process.argv.includes("--socket-mode") || Boolean(slack.appToken);
  if (!socketMode && !publicUrl.startsWith("https://")) {
    process.stderr.write(
      `note: PUBLIC_URL is ${publicUrl}; Slack only calls public https URLs, so set PUBLIC_URL before creating the app (or use --socket-mode).\n`,
    );
  }
  const names = new SlackCommandNames(COMMANDS, slack.commandPrefix);
  const manifest = slackManifest(COMMANDS, { publicUrl, names, socketMode });
  process.stdout.write(`${JSON.stringify(manifest, null, 2)}\n`);
}

main();
