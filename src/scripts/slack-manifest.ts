import { COMMANDS } from "../../commands";
import { slackManifest } from "../chat/slack-manifest";
import { ConfigError, loadConfig } from "../config";

/**
 * `npm run slack:manifest`: prints the Slack app manifest (JSON) for this deployment. Paste it at
 * https://api.slack.com/apps → Create New App → From a manifest. Slack needs a public https URL.
 */
function main(): void {
  let publicUrl: string;
  try {
    const config = loadConfig();
    publicUrl = config.publicUrl ?? `http://localhost:${config.port}`;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  if (!publicUrl.startsWith("https://")) {
    process.stderr.write(
      `note: PUBLIC_URL is ${publicUrl}; Slack only calls public https URLs, so set PUBLIC_URL before creating the app.\n`,
    );
  }
  process.stdout.write(`${JSON.stringify(slackManifest(COMMANDS, publicUrl), null, 2)}\n`);
}

main();
