import type { CommandDefinition } from "../../src/chat/command";
import { usageLine } from "../../src/chat/usage";
import { NAMESPACE_COMMAND, type SlackCommandNames } from "./command-names";

export interface ManifestOptions {
  /** Base of the request URLs (HTTP mode); unused with Socket Mode. */
  publicUrl: string;
  names: SlackCommandNames;
  /** Slack delivers over the app's own WebSocket: no request URLs, no public address. */
  socketMode: boolean;
  appName?: string;
}

/**
 * A Slack app manifest (JSON form) for `npm run slack:manifest`. `should_escape: true` makes Slack
 * send mentions as `<@U123|name>` ids rather than display names, which is what the parser reads.
 */
export function slackManifest(commands: readonly CommandDefinition[], options: ManifestOptions) {
  const appName = options.appName ?? "crowdcart";
  const requestUrl = options.socketMode ? undefined : `${options.publicUrl.replace(/\/+$/, "")}/slack/events`;
  const url = requestUrl ? { url: requestUrl } : {};
  const slash = (name: string, description: string, usage: string) => ({
    command: `/${options.names.published(name)}`,
    ...url,
    description: description.slice(0, 2000),
    usage_hint: usage.slice(0, 1000),
    should_escape: true,
  });
  return {
    _metadata: { major_version: 1, minor_version: 1 },
    display_information: {
      name: appName,
      description: "Buy together: group purchases and cart sessions from chat.",
    },
    features: {
      // The Messages tab lets an invitee type /joingroup in the app's own DM.
      app_home: {
        home_tab_enabled: false,
        messages_tab_enabled: true,
        messages_tab_read_only_enabled: false,
      },
      bot_user: { display_name: appName, always_online: true },
      slash_commands: [
        ...commands.map((c) => slash(c.name, c.description, usageLine(c).slice(c.name.length + 2))),
        slash(
          NAMESPACE_COMMAND,
          `Runs any ${appName} command, e.g. /${options.names.published(NAMESPACE_COMMAND)} join <groupCode>.`,
          "<command> [arguments]",
        ),
      ],
    },
    oauth_config: {
      // commands: slash commands; chat:write + im:write: DMs; users:read: names for mentions and who is a workspace admin.
      scopes: { bot: ["commands", "chat:write", "im:write", "users:read"] },
    },
    settings: {
      interactivity: { is_enabled: true, ...(requestUrl ? { request_url: requestUrl } : {}) },
      org_deploy_enabled: false,
      socket_mode_enabled: options.socketMode,
      token_rotation_enabled: false,
    },
  };
}
