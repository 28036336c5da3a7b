import type { CommandDefinition } from "./command";
import { usageLine } from "./usage";

/**
 * A Slack app manifest (JSON form) for `npm run slack:manifest`. `should_escape: true` makes Slack
 * send mentions as `<@U123|name>` ids rather than display names, which is what the parser reads.
 */
export function slackManifest(
  commands: readonly CommandDefinition[],
  publicUrl: string,
  appName = "crowdcart",
) {
  const requestUrl = `${publicUrl.replace(/\/+$/, "")}/slack/events`;
  return {
    _metadata: { major_version: 1, minor_version: 1 },
    display_information: {
      name: appName,
      description: "Buy together: group purchases and cart sessions from chat.",
    },
    features: {
      bot_user: { display_name: appName, always_online: true },
      slash_commands: commands.map((c) => ({
        command: `/${c.name}`,
        url: requestUrl,
        description: c.description.slice(0, 2000),
        usage_hint: usageLine(c)
          .slice(c.name.length + 2)
          .slice(0, 1000),
        should_escape: true,
      })),
    },
    oauth_config: {
      // commands: slash commands; chat:write + im:write: DMs; users:read: names for mentions.
      scopes: { bot: ["commands", "chat:write", "im:write", "users:read"] },
    },
    settings: {
      interactivity: { is_enabled: true, request_url: requestUrl },
      org_deploy_enabled: false,
      socket_mode_enabled: false,
      token_rotation_enabled: false,
    },
  };
}
